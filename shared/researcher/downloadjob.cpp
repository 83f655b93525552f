#include "researcher/downloadjob.h"

#include "researcher/apierrors.h"
#include "researcher/researcherlog.h"

#include <QDir>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSaveFile>

#include <algorithm>

namespace openaps::researcher {

namespace {
constexpr qint64 readBufferSize = 256 * 1024; // bounds memory when the disk is slower than the network
constexpr qint64 errorBodyLimit = 64 * 1024;
}

DownloadJob::DownloadJob(QNetworkAccessManager *nam, const QNetworkRequest &request, ExportFilter filter,
                         QString folder, QObject *parent)
    : QObject(parent), m_nam(nam), m_request(request), m_filter(std::move(filter)), m_folder(std::move(folder))
{
    m_idle.setSingleShot(true);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        fail(Error { QStringLiteral("timeout"), plainWords(QStringLiteral("timeout")) });
    });
    m_compressed = m_filter.gzip;
}

DownloadJob::~DownloadJob()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
    if (m_file)
        m_file->cancelWriting(); // the temporary file goes, the final name never appears
}

void DownloadJob::start()
{
    m_request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    // The body is saved exactly as sent (gzip stays gzip); no transparent decoding.
    m_request.setRawHeader("Accept-Encoding", "identity");
    m_reply = m_nam->get(m_request);
    m_reply->setReadBufferSize(readBufferSize);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &DownloadJob::onMetaData);
    connect(m_reply, &QNetworkReply::readyRead, this, &DownloadJob::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &DownloadJob::onFinished);
    m_idle.start(m_idleTimeout);
}

void DownloadJob::cancel()
{
    fail(Error { QStringLiteral("cancelled"), plainWords(QStringLiteral("cancelled")) });
}

qint64 DownloadJob::rows() const
{
    if (m_compressed)
        return -1;
    const bool csv = m_filter.format != QLatin1String("ndjson");
    return std::max<qint64>(0, m_newlines - (csv ? 1 : 0));
}

int DownloadJob::percent() const
{
    if (m_finished && !m_error)
        return 100;
    if (m_estimate <= 0 || m_compressed)
        return m_estimate == 0 ? 99 : -1;
    // Never 100 before the end: only the final chunk proves the file complete.
    return int(std::min<qint64>(99, rows() * 100 / m_estimate));
}

void DownloadJob::onMetaData()
{
    if (!m_reply || m_file)
        return;
    m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_status < 200 || m_status >= 300)
        return;
    bool ok = false;
    const qint64 estimate = m_reply->rawHeader("X-Export-Rows-Estimate").toLongLong(&ok);
    m_estimate = ok ? estimate : -1;
    QString name = fileNameFromDisposition(m_reply->rawHeader("Content-Disposition"));
    if (name.isEmpty())
        name = m_filter.defaultFileName();
    m_compressed = m_filter.gzip || name.endsWith(QLatin1String(".gz"));
    m_path = QDir(m_folder).filePath(name);
    m_file = std::make_unique<QSaveFile>(m_path);
    if (!QDir().mkpath(m_folder) || !m_file->open(QIODevice::WriteOnly)) {
        fail(Error { QStringLiteral("disk"), QStringLiteral("The file %1 could not be created: %2")
                                                     .arg(QDir::toNativeSeparators(m_path), m_file->errorString()) });
        return;
    }
    qCInfo(lcResearcher, "download of %s started (about %lld rows)", qPrintable(m_filter.dataset), m_estimate);
    emit progress();
}

void DownloadJob::onReadyRead()
{
    if (!m_reply || m_finished)
        return;
    m_idle.start(m_idleTimeout); // silence, not total time: exports stream for long
    if (!m_file && m_status == 0)
        onMetaData();
    const QByteArray chunk = m_reply->readAll();
    if (chunk.isEmpty())
        return;
    if (!m_file) {
        m_errorBody.append(chunk.left(errorBodyLimit - m_errorBody.size()));
        return;
    }
    if (m_file->write(chunk) != chunk.size()) {
        fail(Error { QStringLiteral("disk"), QStringLiteral("The file could not be written: %1")
                                                     .arg(m_file->errorString()) });
        return;
    }
    m_bytes += chunk.size();
    if (!m_compressed)
        m_newlines += std::count(chunk.cbegin(), chunk.cend(), '\n');
    emit progress();
}

void DownloadJob::onFinished()
{
    if (!m_reply || m_finished)
        return;
    onReadyRead();
    if (m_finished)
        return;
    m_idle.stop();
    QNetworkReply *reply = m_reply;
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid()) {
        fail(Error { QStringLiteral("unreachable"), plainWords(QStringLiteral("unreachable")) });
        return;
    }
    m_status = status.toInt();
    if (m_status < 200 || m_status >= 300) {
        fail(errorFromAnswer(m_status, m_errorBody, reply->rawHeader("Retry-After")));
        return;
    }
    // A chunked body that ends without its final zero-length chunk, or a
    // Content-Length body cut short, arrives as a network error here.
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    if (reply->error() != QNetworkReply::NoError || (length.isValid() && m_bytes < length.toLongLong())) {
        fail(Error { QStringLiteral("truncated"),
                     QStringLiteral("The download stopped before the end (%1 bytes arrived); no file was kept. "
                                    "Please try again.")
                             .arg(m_bytes) });
        return;
    }
    if (!m_file) { // an empty 2xx body: nothing came to open the file
        onMetaData();
        if (m_finished)
            return;
    }
    if (!m_file->commit()) {
        m_file.reset();
        fail(Error { QStringLiteral("disk"), QStringLiteral("The file could not be saved: %1")
                                                     .arg(QDir::toNativeSeparators(m_path)) });
        return;
    }
    m_file.reset();
    qCInfo(lcResearcher, "download of %s complete: %lld bytes", qPrintable(m_filter.dataset), m_bytes);
    finish();
}

void DownloadJob::fail(Error error)
{
    if (m_finished)
        return;
    if (m_file) {
        m_file->cancelWriting();
        m_file.reset(); // removes the temporary file
    }
    if (error.code != QLatin1String("cancelled"))
        qCWarning(lcResearcher, "download of %s failed: %s", qPrintable(m_filter.dataset), qPrintable(error.code));
    m_error = std::move(error);
    finish();
}

void DownloadJob::finish()
{
    m_finished = true;
    m_idle.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
        m_reply = nullptr;
    }
    emit progress();
    emit finished();
}

} // namespace openaps::researcher
