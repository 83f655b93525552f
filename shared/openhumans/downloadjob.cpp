#include "openhumans/downloadjob.h"

#include "core/httpcall.h"
#include "openhumans/api.h"
#include "openhumans/memberjob.h"
#include "openhumans/openhumanslog.h"

#include <QIODevice>
#include <QTimer>

namespace openaps::oh {

namespace {
constexpr qint64 errorBodyLimit = 64 * 1024; // enough for an error's details
}

DownloadJob::DownloadJob(ClientContext context, QString accessToken, MemberFile file, ChunkHandler handler,
                         QObject *parent)
    : ValueJob(parent),
      m_context(std::move(context)),
      m_accessToken(std::move(accessToken)),
      m_file(std::move(file)),
      m_handler(std::move(handler))
{ }

DownloadJob::DownloadJob(ClientContext context, QString accessToken, MemberFile file, QIODevice *device,
                         QObject *parent)
    : ValueJob(parent),
      m_context(std::move(context)),
      m_accessToken(std::move(accessToken)),
      m_file(std::move(file)),
      m_device(device)
{ }

DownloadJob::DownloadJob(ClientContext context, QString accessToken, MemberFile file, qint64 maxBytes, QObject *parent)
    : ValueJob(parent),
      m_context(std::move(context)),
      m_accessToken(std::move(accessToken)),
      m_file(std::move(file)),
      m_keepBody(true),
      m_maxBytes(maxBytes)
{ }

void DownloadJob::run()
{
    if (!m_file.downloadUrl.isValid() || m_file.downloadUrl.isRelative())
        return refreshUrl(makeError("not-found", QStringLiteral("The file has no download address.")));
    fetch();
}

void DownloadJob::fetch()
{
    ++m_attempt;
    HttpRequest request;
    request.request = QNetworkRequest(m_file.downloadUrl);
    request.timeout = m_context.settings.requestTimeout;
    request.maxAttempts = 1; // retries below, where an expired URL can be refreshed
    request.maxResponseBytes = errorBodyLimit;
    request.sink = [this](const QByteArray &chunk) { return takeChunk(chunk); };
    m_get = HttpCall::start(m_context.nam, std::move(request), this,
                            [this](Result<HttpResponse> response) { onFetched(std::move(response)); });
}

bool DownloadJob::takeChunk(const QByteArray &chunk)
{
    if (m_keepBody) {
        if (m_result.body.size() + chunk.size() > m_maxBytes) {
            m_sinkError = makeError("too-large",
                                    QStringLiteral("The file is larger than the %1 bytes "
                                                   "expected for it.")
                                            .arg(m_maxBytes));
            return false;
        }
        m_result.body.append(chunk);
    } else if (m_handler) {
        if (!m_handler(chunk)) {
            m_sinkError = makeError("write-failed",
                                    QStringLiteral("The downloaded data could not be "
                                                   "stored."));
            return false;
        }
    } else if (!m_device || m_device->write(chunk) != chunk.size()) {
        m_sinkError = makeError(
                "write-failed",
                QStringLiteral("The downloaded data could not be written: %1")
                        .arg(m_device ? m_device->errorString() : QStringLiteral("the file was closed")));
        return false;
    }
    m_result.bytes += chunk.size();
    return true;
}

void DownloadJob::onFetched(Result<HttpResponse> response)
{
    if (!response) {
        const Error &error = response.error();
        if (error.code == QLatin1String("sink-failed") && m_sinkError)
            return finish(*m_sinkError);
        const bool transient = error.code == QLatin1String("timeout") || error.code == QLatin1String("unreachable");
        if (transient && m_result.bytes == 0)
            return retryLater(error);
        return finish(error);
    }
    const int status = response->status;
    if (status >= 200 && status < 300)
        return finish(m_result);

    const Error error = api::errorFor(*response);
    // Signed storage URLs answer 403 (S3) or 404/410 once they have expired.
    if (status == 403 || status == 404 || status == 410)
        return refreshUrl(error);
    if (status >= 500 || status == 429)
        return retryLater(error);
    finish(error);
}

void DownloadJob::retryLater(const Error &error)
{
    if (m_attempt >= m_context.settings.maxAttempts)
        return finish(error);
    const auto delay = m_context.settings.firstBackoff * (1 << (m_attempt - 1));
    QTimer::singleShot(delay, this, [this] {
        if (!isFinished())
            fetch();
    });
}

void DownloadJob::refreshUrl(const Error &error)
{
    if (m_result.urlRefreshed || m_file.id.isEmpty())
        return finish(error);
    qCInfo(lcOpenHumans) << "download address of file" << m_file.id
                         << "no longer works; asking Open Humans for a fresh one";
    m_memberJob = new MemberJob(m_context, m_accessToken, this);
    connect(m_memberJob, &Job::finished, this, [this, job = m_memberJob.data()] {
        const Result<Member> &member = job->result();
        if (!member)
            return finish(member.error());
        const auto fresh = member->file(m_file.id);
        if (!fresh)
            return finish(makeError("not-found",
                                    QStringLiteral("The file is no longer in the "
                                                   "participant's Open Humans account.")));
        m_file.downloadUrl = fresh->downloadUrl;
        m_result.urlRefreshed = true;
        m_attempt = 0;
        fetch();
    });
    m_memberJob->start();
}

void DownloadJob::cancelNetwork()
{
    if (m_get)
        m_get->abort();
    delete m_memberJob.data();
}

} // namespace openaps::oh
