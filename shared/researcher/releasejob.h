#pragma once

#include "core/result.h"
#include "core/step.h"
#include "researcher/releasedownload.h"
#include "researcher/releasetypes.h"

#include <QPointer>

#include <chrono>
#include <optional>

namespace openaps::researcher {

class ApiClient;

// A release from request to verified file: asks the server for it (or
// follows one asked for earlier), polls its state while the server builds
// it (rows so far), then downloads and verifies its zip (ReleaseDownload:
// resumable, checked against the manifest). One `finished` at the end;
// error() says why when it did not succeed.
class ReleaseJob final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReleaseJob)

public:
    enum class Phase { Asking, Building, Downloading, Verifying, Done };

    // A new release.
    ReleaseJob(ApiClient *api, ReleaseRequest request, QString folder, QObject *parent = nullptr);
    // One the server has already (queued, running or ready).
    ReleaseJob(ApiClient *api, qint64 releaseId, QString folder, QObject *parent = nullptr);
    ~ReleaseJob() override;

    void start();
    // Stops here (the server's release and a downloaded part stay): "cancelled".
    void cancel();
    void setPollInterval(std::chrono::milliseconds interval) { m_pollInterval = interval; }
    void setDownloadOptions(const ReleaseDownloadOptions &options) { m_downloadOptions = options; }

    Phase phase() const;
    qint64 releaseId() const { return m_release.id; }
    const ReleaseInfo &release() const { return m_release; } // as last polled
    const ReleaseDownload *download() const { return m_download; } // once downloading
    QString folder() const { return m_folder; }
    const std::optional<Error> &error() const { return m_error; }

signals:
    void progress();

private:
    void poll();
    void onRelease(const ReleaseInfo &release);
    void fail(Error error);
    void finish();

    QPointer<ApiClient> m_api;
    std::optional<ReleaseRequest> m_request;
    QString m_folder;
    ReleaseInfo m_release;
    ReleaseDownloadOptions m_downloadOptions;
    std::chrono::milliseconds m_pollInterval { 2000 };
    QPointer<ReleaseDownload> m_download;
    bool m_started = false;
    std::optional<Error> m_error;
};

} // namespace openaps::researcher
