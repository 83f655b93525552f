#include "researcher/releasedownload.h"

#include "researcher/apiclient.h"
#include "researcher/apierrors.h"
#include "researcher/researcherlog.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QThreadPool>
#include <QTimer>

#include <algorithm>

namespace openaps::researcher {

namespace {

constexpr auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

QByteArray headerOf(const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &name)
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

// The SHA-256 of `Repr-Digest: sha-256=:<base64>:` (RFC 9530), hex; empty
// when the header names none.
QByteArray sha256FromDigest(const QByteArray &header)
{
    for (const QByteArray &member : header.split(',')) {
        const QByteArray m = member.trimmed();
        if (!m.startsWith("sha-256=:") || !m.endsWith(':') || m.size() < 11)
            continue;
        const QByteArray raw = QByteArray::fromBase64(m.mid(9, m.size() - 10));
        if (raw.size() == 32)
            return raw.toHex();
    }
    return {};
}

// "bytes <first>-<last>/<size>" or "bytes */<size>" (RFC 9110 §14.4):
// first (-1 for *) and size, or nothing.
std::optional<std::pair<qint64, qint64>> parseContentRange(const QByteArray &header)
{
    if (!header.startsWith("bytes "))
        return std::nullopt;
    const QByteArray rest = header.mid(6);
    const qsizetype slash = rest.indexOf('/');
    if (slash < 0)
        return std::nullopt;
    bool sizeOk = false;
    const qint64 size = rest.mid(slash + 1).toLongLong(&sizeOk);
    if (!sizeOk)
        return std::nullopt;
    const QByteArray range = rest.left(slash);
    if (range == "*")
        return std::pair(qint64(-1), size);
    bool firstOk = false;
    const qint64 first = range.left(range.indexOf('-')).toLongLong(&firstOk);
    return firstOk ? std::optional(std::pair(first, size)) : std::nullopt;
}

QString etagPath(const QString &filePath)
{
    return filePath + QStringLiteral(".etag");
}

QString megabytes(qint64 bytes)
{
    return QString::number(double(bytes) / 1e6, 'f', 1);
}

} // namespace

ReleaseDownload::ReleaseDownload(ApiClient *api, qint64 releaseId, QString folder, ReleaseDownloadOptions options,
                                 QObject *parent)
    : Step(parent),
      m_api(api),
      m_id(releaseId),
      m_folder(std::move(folder)),
      m_options(options)
{ }

ReleaseDownload::~ReleaseDownload()
{
    m_check->cancelled = true; // a running check stops at its next block
    {
        std::lock_guard lock(m_check->mutex);
        m_check->alive = false;
    }
    if (m_call)
        m_call->abort();
}

QString ReleaseDownload::fileName(qint64 releaseId)
{
    return QStringLiteral("release-%1.zip").arg(releaseId);
}

QString ReleaseDownload::filePath() const
{
    return QDir(m_folder).filePath(fileName(m_id));
}

QString ReleaseDownload::partPath() const
{
    return filePath() + QStringLiteral(".part");
}

void ReleaseDownload::start()
{
    if (m_started || !m_api)
        return;
    m_started = true;
    const bool newFolder = !QFileInfo::exists(m_folder);
    if (!QDir().mkpath(m_folder))
        return fail(Error {
                QStringLiteral("disk"),
                QStringLiteral("The folder %1 could not be created.").arg(QDir::toNativeSeparators(m_folder)) });
    if (newFolder) // health data: a folder made for it is the researcher's alone
        QFile::setPermissions(m_folder, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // A part from an earlier try continues if we know which file it was of.
    QFile etag(etagPath(filePath()));
    if (etag.open(QIODevice::ReadOnly))
        m_etag = etag.readAll().trimmed();
    m_offset = m_etag.isEmpty() ? 0 : QFileInfo(partPath()).size();
    if (m_offset == 0)
        restartFromZero();
    request();
}

void ReleaseDownload::restartFromZero()
{
    QFile::remove(partPath());
    QFile::remove(etagPath(filePath()));
    m_etag.clear();
    m_offset = 0;
}

void ReleaseDownload::request()
{
    if (isFinished() || !m_api)
        return;
    ++m_attempt;
    m_headError.reset();
    HttpRequest r = m_api->request(QStringLiteral("releases/%1/file").arg(m_id));
    r.request.setRawHeader("Accept-Encoding", "identity");
    if (m_offset > 0) {
        r.request.setRawHeader("Range", "bytes=" + QByteArray::number(m_offset) + '-');
        r.request.setRawHeader("If-Range", m_etag);
    }
    r.maxAttempts = 1; // this job resumes, from wherever the cut left it
    r.timeout = m_options.idleTimeout;
    r.head = [this](int status, const QList<QPair<QByteArray, QByteArray>> &headers) {
        return onHead(status, headers);
    };
    r.sink = [this](const QByteArray &chunk) { return write(chunk); };
    m_requestOffsets << m_offset;
    qCInfo(lcResearcher, "release %lld: downloading from byte %lld", m_id, m_offset);
    m_call = HttpCall::start(m_api->network(), std::move(r), this,
                             [this](Result<HttpResponse> result) { onDone(std::move(result)); });
}

bool ReleaseDownload::onHead(int status, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    const QByteArray etag = headerOf(headers, "ETag");
    m_sha256 = sha256FromDigest(headerOf(headers, "Repr-Digest"));
    if (m_sha256.isEmpty()) {
        m_headError = makeError("bad-answer", QStringLiteral("The server sent no checksum for the release file."));
        return false;
    }
    QIODevice::OpenMode mode = QIODevice::WriteOnly | QIODevice::Append;
    if (status == 206) {
        const auto range = parseContentRange(headerOf(headers, "Content-Range"));
        if (!range || range->first != m_offset || QFileInfo(partPath()).size() != m_offset) {
            m_headError = makeError("bad-answer",
                                    QStringLiteral("The server sent another part of the file than "
                                                   "the one asked for."));
            return false;
        }
        m_total = range->second;
    } else {
        // The whole file: the first request, or the file changed since the
        // part on disk began (If-Range with a stale ETag).
        if (m_offset > 0) {
            ++m_restarts;
            qCInfo(lcResearcher, "release %lld: the file changed on the server, starting over", m_id);
        }
        restartFromZero();
        mode = QIODevice::WriteOnly | QIODevice::Truncate;
        bool known = false;
        m_total = headerOf(headers, "Content-Length").toLongLong(&known);
        if (!known)
            m_total = -1;
        m_etag = etag;
        QSaveFile etagFile(etagPath(filePath()));
        if (etag.isEmpty() || !etagFile.open(QIODevice::WriteOnly) || !etagFile.setPermissions(ownerOnly)
            || etagFile.write(etag) != etag.size() || !etagFile.commit())
            qCWarning(lcResearcher, "release %lld: no ETag kept, a cut download will start over", m_id);
    }
    m_part.setFileName(partPath());
    if (!m_part.open(mode) || !m_part.setPermissions(ownerOnly)) {
        m_headError = Error { QStringLiteral("disk"),
                              QStringLiteral("The file %1 could not be written: %2")
                                      .arg(QDir::toNativeSeparators(partPath()), m_part.errorString()) };
        return false;
    }
    emit progress();
    return true;
}

bool ReleaseDownload::write(const QByteArray &chunk)
{
    if (isFinished() || !m_part.isOpen() || m_part.write(chunk) != chunk.size()) {
        if (!m_headError)
            m_headError = Error { QStringLiteral("disk"),
                                  QStringLiteral("The file could not be written: %1").arg(m_part.errorString()) };
        return false;
    }
    m_offset += chunk.size();
    emit progress();
    return true;
}

void ReleaseDownload::onDone(Result<HttpResponse> result)
{
    m_call = nullptr;
    m_part.close(); // what arrived stays on disk
    if (isFinished())
        return;
    if (!result) {
        if (result.error().code == QLatin1String("sink-failed") && m_headError)
            return fail(*m_headError);
        return retryOrFail(result.error());
    }
    if (result->status == 416) {
        // The part is as long as the file or longer: whole already (the
        // program stopped before it was checked), or of another file.
        const auto range = parseContentRange(result->header("Content-Range"));
        const QByteArray etag = result->header("ETag");
        if (range && range->second == m_offset && etag == m_etag && etag.size() == 66) {
            m_total = m_offset;
            return verify(etag.mid(1, 64));
        }
        restartFromZero();
        return retryOrFail(makeError("truncated", QStringLiteral("The part on disk did not fit the file.")));
    }
    if (result->status < 200 || result->status >= 300) {
        const Error error = errorFromAnswer(*result);
        if (m_api)
            m_api->noteError(error);
        return fail(error);
    }
    if (m_total >= 0 && m_offset != m_total)
        return retryOrFail(makeError("truncated", QStringLiteral("The file ended early.")));
    verify(m_sha256);
}

void ReleaseDownload::retryOrFail(const Error &error)
{
    if (m_attempt >= m_options.attempts) {
        const QString where = m_total > 0 ? QStringLiteral("%1 of %2 MB").arg(megabytes(m_offset), megabytes(m_total))
                                          : QStringLiteral("%1 MB").arg(megabytes(m_offset));
        return fail(Error { QStringLiteral("interrupted"),
                            QStringLiteral("The download stopped at %1: %2 What arrived is kept: the next try "
                                           "continues from there.")
                                    .arg(where, error.message) });
    }
    const auto delay = std::min(m_options.firstRetryDelay * (1 << std::min(m_attempt - 1, 16)),
                                std::chrono::milliseconds(60000));
    qCInfo(lcResearcher, "release %lld: the download stopped at byte %lld (%s); again in %lld ms", m_id, m_offset,
           qPrintable(error.code), qint64(delay.count()));
    QTimer::singleShot(delay, this, &ReleaseDownload::request);
}

void ReleaseDownload::verify(const QByteArray &sha256)
{
    m_verifying = true;
    emit progress();
    QThreadPool::globalInstance()->start([this, path = partPath(), sha256, check = m_check] {
        auto contents = verifyRelease(path, sha256, &check->cancelled);
        std::lock_guard lock(check->mutex);
        if (!check->alive || check->cancelled)
            return;
        // Queued: runs on this object's thread, and not at all if it goes first.
        QMetaObject::invokeMethod(
                this, [this, contents = std::move(contents)]() mutable { onVerified(std::move(contents)); },
                Qt::QueuedConnection);
    });
}

void ReleaseDownload::onVerified(Result<ReleaseContents> contents)
{
    m_verifying = false;
    if (isFinished())
        return;
    if (!contents) {
        if (contents.error().code == QLatin1String("corrupt"))
            restartFromZero(); // the next try downloads it anew
        return fail(contents.error());
    }
    QFile::remove(filePath());
    if (!QFile::rename(partPath(), filePath()))
        return fail(
                Error { QStringLiteral("disk"),
                        QStringLiteral("The file could not be saved: %1").arg(QDir::toNativeSeparators(filePath())) });
    QFile::remove(etagPath(filePath()));
    m_contents = std::move(*contents);
    qCInfo(lcResearcher, "release %lld: downloaded and verified, %lld bytes, %lld files", m_id, m_offset,
           qint64(m_contents.files.size()));
    finish();
}

void ReleaseDownload::cancel()
{
    fail(Error { QStringLiteral("cancelled"), plainWords(QStringLiteral("cancelled")) });
}

void ReleaseDownload::fail(Error error)
{
    if (isFinished())
        return;
    m_check->cancelled = true;
    if (m_call) {
        m_call->abort();
        m_call = nullptr;
    }
    m_part.close();
    if (error.code != QLatin1String("cancelled"))
        qCWarning(lcResearcher, "release %lld: download failed: %s", m_id, qPrintable(error.code));
    m_error = std::move(error);
    finish();
}

void ReleaseDownload::finish()
{
    if (!markFinished())
        return;
    m_verifying = false;
    emit progress();
    emit finished();
}

} // namespace openaps::researcher
