#pragma once

#include "core/httpcall.h"
#include "openhumans/job.h"
#include "openhumans/types.h"

#include <QPointer>

class QIODevice;

namespace openaps::oh {

class MemberJob;

// Downloads one member file: GET its download_url, follow the 302 to the
// signed storage URL, and stream the body to a sink (one streamed request,
// so a download_url that serves the file itself works too). Transient
// failures before the first byte are retried. Download URLs expire
// (about an hour after listing); when storage answers 403/404/410 the job
// fetches a fresh download_url for the same file id through exchange-member
// and tries once more. Errors: "token-expired"/"unauthorized" (from the
// re-fetch), "not-found" (file gone), "forbidden", "too-large",
// "write-failed", "truncated", transport errors.
class DownloadJob final : public ValueJob<DownloadResult>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadJob)

public:
    // Returns false when the data cannot be taken (the job then fails).
    using ChunkHandler = std::function<bool(const QByteArray &chunk)>;

    DownloadJob(ClientContext context, QString accessToken, MemberFile file, ChunkHandler handler, QObject *parent);
    DownloadJob(ClientContext context, QString accessToken, MemberFile file, QIODevice *device, QObject *parent);
    // Whole body in DownloadResult::body, failing with "too-large" past maxBytes.
    DownloadJob(ClientContext context, QString accessToken, MemberFile file, qint64 maxBytes, QObject *parent);

private:
    void run() override;
    void cancelNetwork() override;
    void fetch();
    void onFetched(Result<HttpResponse> response);
    void retryLater(const Error &error);
    // The URL expired: list the member again for a fresh one, or give up.
    void refreshUrl(const Error &error);
    bool takeChunk(const QByteArray &chunk);

    ClientContext m_context;
    QString m_accessToken;
    MemberFile m_file;
    ChunkHandler m_handler;
    QPointer<QIODevice> m_device;
    bool m_keepBody = false;
    qint64 m_maxBytes = 0;
    DownloadResult m_result;
    std::optional<Error> m_sinkError;
    int m_attempt = 0;
    QPointer<HttpCall> m_get;
    QPointer<MemberJob> m_memberJob;
};

} // namespace openaps::oh
