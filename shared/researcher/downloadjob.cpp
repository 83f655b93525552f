#include "researcher/downloadjob.h"

#include "core/csv.h"
#include "core/gzip.h"
#include "core/httpcall.h"
#include "researcher/apiclient.h"
#include "researcher/apierrors.h"
#include "researcher/researcherlog.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>

namespace openaps::researcher {

DownloadJob::DownloadJob(ApiClient *api, ExportFilter filter, QString folder, QObject *parent)
    : Step(parent),
      m_api(api),
      m_filter(std::move(filter)),
      m_folder(std::move(folder)),
      m_rowReader(std::make_unique<csv::ChunkedReader>()),
      m_inflater(m_filter.gzip ? std::make_unique<gzip::Inflater>() : nullptr)
{ }

DownloadJob::~DownloadJob()
{
    if (m_call)
        m_call->abort();
    if (m_file)
        m_file->cancelWriting(); // the temporary file goes, the final name never appears
}

void DownloadJob::start()
{
    if (m_started || !m_api)
        return;
    m_started = true;
    m_path = QDir(m_folder).filePath(m_filter.defaultFileName());
    // The name holds what the server sent (made safe): it must still be a
    // file right in the chosen folder.
    if (QFileInfo(m_path).absolutePath() != QDir(m_folder).absolutePath())
        return fail(Error { QStringLiteral("disk"), QStringLiteral("The server named the data set unusably.") });
    const bool newFolder = !QFileInfo::exists(m_folder);
    if (!QDir().mkpath(m_folder))
        return fail(Error {
                QStringLiteral("disk"),
                QStringLiteral("The folder %1 could not be created.").arg(QDir::toNativeSeparators(m_folder)) });
    if (newFolder) // health data: a folder made for it is the researcher's alone, whatever the umask
        QFile::setPermissions(m_folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    m_file = std::make_unique<QSaveFile>(m_path);
    // The same for the file (QSaveFile would give it 0666 less the umask).
    if (!m_file->open(QIODevice::WriteOnly)
        || !m_file->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fail(Error { QStringLiteral("disk"),
                            QStringLiteral("The file %1 could not be created: %2")
                                    .arg(QDir::toNativeSeparators(m_path), m_file->errorString()) });
    // The count first: it proves the sign-in still works and sizes the progress bar.
    m_api->count(m_filter, this, [this](Result<qint64> rows) {
        if (!rows)
            return fail(rows.error());
        m_estimate = *rows;
        emit progress();
        startBody();
    });
}

void DownloadJob::startBody()
{
    if (isFinished() || !m_api)
        return;
    HttpRequest request = m_api->request(QStringLiteral("export/") + m_filter.datasetSegment(), m_filter.query());
    // The body is saved exactly as sent (gzip stays gzip): no transparent decoding.
    request.request.setRawHeader("Accept-Encoding", "identity");
    request.timeout = m_idleTimeout; // silence, not total time: exports stream for long
    request.sink = [this](const QByteArray &chunk) { return write(chunk); };
    m_call = HttpCall::start(m_api->network(), std::move(request), this,
                             [this](Result<HttpResponse> r) { onDone(std::move(r)); });
    qCInfo(lcResearcher, "download of %s started (%lld rows)", qPrintable(m_filter.dataset), m_estimate);
}

bool DownloadJob::write(const QByteArray &chunk)
{
    if (isFinished() || !m_file || m_file->write(chunk) != chunk.size())
        return false;
    m_bytes += chunk.size();
    if (!m_filter.gzip)
        countRows(chunk);
    else
        countInflated(chunk);
    emit progress();
    return true;
}

// The records a piece of the body completes, by the rules of the one CSV
// reader (a line break inside a quoted field, as in a device's name or a
// loop's reason, ends no row) or as NDJSON lines; blank lines are no rows.
void DownloadJob::countRows(const QByteArray &piece)
{
    m_rowReader->add(piece);
    QByteArrayView line;
    while (isCsv() ? m_rowReader->nextRecord() : m_rowReader->nextLine(line))
        ++m_records;
}

// The rows of a gzip body, inflated and dropped (the file keeps it compressed).
void DownloadJob::countInflated(const QByteArray &chunk)
{
    if (!m_inflater)
        return;
    char buffer[65536];
    const char *input = chunk.constData();
    qsizetype left = chunk.size();
    while (true) {
        const gzip::Inflater::Step step = m_inflater->inflate(input, left, buffer, sizeof buffer);
        if (step.status == gzip::Inflater::Status::Corrupt) {
            m_inflater.reset();
            return;
        }
        if (step.produced > 0)
            countRows(QByteArray(buffer, step.produced));
        input += step.consumed;
        left -= step.consumed;
        if ((left == 0 && step.produced < qsizetype(sizeof buffer)) || (step.consumed == 0 && step.produced == 0))
            return;
    }
}

void DownloadJob::cancel()
{
    fail(Error { QStringLiteral("cancelled"), plainWords(QStringLiteral("cancelled")) });
}

qint64 DownloadJob::rows() const
{
    if (m_filter.gzip && !m_inflater)
        return -1;
    return std::max<qint64>(0, m_records - (isCsv() ? 1 : 0)); // the CSV's header is no row
}

int DownloadJob::percent() const
{
    if (isFinished() && !m_error)
        return 100;
    if (m_estimate < 0 || rows() < 0)
        return -1;
    if (m_estimate == 0)
        return 0;
    // Never 100 before the end: only the final chunk proves the file complete.
    return int(std::min<qint64>(99, rows() * 100 / m_estimate));
}

void DownloadJob::onDone(Result<HttpResponse> result)
{
    m_call = nullptr;
    if (isFinished())
        return;
    if (!result) {
        Error e = result.error();
        if (e.code == QLatin1String("sink-failed"))
            e = Error {
                QStringLiteral("disk"),
                QStringLiteral("The file could not be written: %1").arg(m_file ? m_file->errorString() : QString())
            };
        else if (e.code == QLatin1String("truncated"))
            e.message = QStringLiteral("The download stopped before the end (%1 bytes arrived); no file was "
                                       "kept. Please try again.")
                                .arg(m_bytes);
        else if (!plainWords(e.code).isEmpty())
            e.message = plainWords(e.code);
        return fail(e);
    }
    if (result->status < 200 || result->status >= 300) {
        const Error error = errorFromAnswer(*result);
        if (m_api)
            m_api->noteError(error);
        return fail(error);
    }
    if (!m_file->commit()) {
        m_file.reset();
        return fail(Error { QStringLiteral("disk"),
                            QStringLiteral("The file could not be saved: %1").arg(QDir::toNativeSeparators(m_path)) });
    }
    m_file.reset();
    if (!m_filter.gzip || m_inflater)
        countRows({}); // the last row needs no line break
    bool ok = false;
    const qint64 announced = result->header("X-Export-Rows-Estimate").toLongLong(&ok);
    if (ok)
        m_estimate = announced;
    qCInfo(lcResearcher, "download of %s complete: %lld bytes", qPrintable(m_filter.dataset), m_bytes);
    finish();
}

void DownloadJob::fail(Error error)
{
    if (isFinished())
        return;
    if (m_call) {
        m_call->abort();
        m_call = nullptr;
    }
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
    if (!markFinished())
        return;
    emit progress();
    emit finished();
}

} // namespace openaps::researcher
