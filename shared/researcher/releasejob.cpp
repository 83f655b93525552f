#include "researcher/releasejob.h"

#include "researcher/apiclient.h"
#include "researcher/apierrors.h"
#include "researcher/researcherlog.h"

#include <QTimer>

namespace openaps::researcher {

ReleaseJob::ReleaseJob(ApiClient *api, ReleaseRequest request, QString folder, QObject *parent)
    : Step(parent),
      m_api(api),
      m_request(std::move(request)),
      m_folder(std::move(folder))
{ }

ReleaseJob::ReleaseJob(ApiClient *api, qint64 releaseId, QString folder, QObject *parent)
    : Step(parent),
      m_api(api),
      m_folder(std::move(folder))
{
    m_release.id = releaseId;
}

ReleaseJob::~ReleaseJob() = default;

ReleaseJob::Phase ReleaseJob::phase() const
{
    if (isFinished())
        return Phase::Done;
    if (m_download)
        return m_download->isVerifying() ? Phase::Verifying : Phase::Downloading;
    return m_release.id > 0 ? Phase::Building : Phase::Asking;
}

void ReleaseJob::start()
{
    if (m_started || !m_api)
        return;
    m_started = true;
    if (!m_request)
        return poll();
    m_api->createRelease(*m_request, this, [this](Result<ReleaseInfo> created) {
        if (!created)
            return fail(created.error());
        qCInfo(lcResearcher, "release %lld asked for", created->id);
        onRelease(*created);
    });
}

void ReleaseJob::poll()
{
    if (isFinished() || !m_api)
        return;
    m_api->release(m_release.id, this, [this](Result<ReleaseInfo> release) {
        if (!release)
            return fail(release.error());
        onRelease(*release);
    });
}

void ReleaseJob::onRelease(const ReleaseInfo &release)
{
    if (isFinished())
        return;
    m_release = release;
    emit progress();
    if (release.isPending()) {
        QTimer::singleShot(m_pollInterval, this, &ReleaseJob::poll);
        return;
    }
    if (release.state != QLatin1String("ready")) {
        QString message = QStringLiteral("The release is %1 on the server.").arg(release.state);
        if (!release.error.isEmpty())
            message += QLatin1Char(' ') + release.error;
        return fail(Error { QStringLiteral("release-") + release.state, message });
    }
    m_download = new ReleaseDownload(m_api, release.id, m_folder, m_downloadOptions, this);
    connect(m_download, &ReleaseDownload::progress, this, &ReleaseJob::progress);
    connect(m_download, &ReleaseDownload::finished, this, [this] {
        if (m_download->error())
            return fail(*m_download->error());
        finish();
    });
    m_download->start();
}

void ReleaseJob::cancel()
{
    if (m_download && !m_download->isFinished())
        return m_download->cancel(); // fails this job through finished
    fail(Error { QStringLiteral("cancelled"), plainWords(QStringLiteral("cancelled")) });
}

void ReleaseJob::fail(Error error)
{
    if (isFinished())
        return;
    m_error = std::move(error);
    finish();
}

void ReleaseJob::finish()
{
    if (!markFinished())
        return;
    emit progress();
    emit finished();
}

} // namespace openaps::researcher
