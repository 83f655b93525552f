#pragma once

#include "api/workeranswer.h"
#include "core/clock.h"
#include "db/database.h"

#include <QHash>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

class QHttpServerRequest;
class QHttpServerResponder;

namespace openaps::db {
class ReadReplica;
}
namespace openaps::http {
class WebServer;
}

namespace openaps::api {

struct ReleaseSettings
{
    QString directory; // OPENAPS_RELEASE_DIR: where the zips are written
    qint64 expirySeconds = 7 * 24 * 3600; // OPENAPS_RELEASE_EXPIRY_HOURS
    qint64 quotaBytes = 0; // OPENAPS_RELEASE_QUOTA_MB per researcher; 0: none
    int releasesPerResearcher = 2; // queued or running at once (OPENAPS_API_EXPORTS_PER_RESEARCHER)
    // How long a release stays this instance's without a renewal
    // (OPENAPS_RELEASE_LEASE); renewed every third of it. Another instance
    // takes over a release whose lease ran out (its instance stopped).
    std::chrono::seconds lease { 120 };
    // A download whose client takes no bytes for this long is dropped
    // (OPENAPS_RELEASE_IDLE_TIMEOUT; 0: never; filerange.h).
    std::chrono::milliseconds idleTimeout { 60000 };
};

// Releases (contract v1, "Releases"; README "Releases"):
//   POST   /api/v1/releases                 {"datasets":[...],"format","from","to","participants","compression"}
//                                           → 202 {"id","state":"queued"}
//   GET    /api/v1/releases                 the researcher's releases, newest first
//   GET    /api/v1/releases/{id}            state, rows so far and rows_estimate, bytes, sha256, expires_at
//   DELETE /api/v1/releases/{id}            (or POST .../cancel) cancels a queued or running one,
//                                           removes a ready one's file
//   GET    /api/v1/releases/{id}/file       the zip: ETag, Range/If-Range, Repr-Digest
// One job at a time on a worker of its own, each from one snapshot
// (releasejob.h). Finished files expire after `expirySeconds` (checked
// every minute and at start). Several instances may share the database and
// the release directory: each holds the releases it builds with a lease
// (keepLeases), so a starting instance leaves the others' jobs alone, a
// release cancelled on another instance stops here, and the releases of an
// instance that stopped are built again by another.
class ReleaseApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReleaseApi)

public:
    ReleaseApi(db::Database database, Authenticate authenticate, ReleaseSettings settings, Clock clock = systemClock(),
               QObject *parent = nullptr);
    // Cancels the running job and waits for it.
    ~ReleaseApi() override;

    // The routes, then start().
    void install(http::WebServer &web);
    // The work without routes: expiry and leases, now and periodically.
    void start();

    // Removes the files of ready releases whose time ran out (state
    // expired); how many, or -1 if the database failed. On the calling thread.
    int expireReleases();
    // Renews this instance's leases, stops its jobs that were cancelled or
    // taken over elsewhere, and takes over (queues again) the releases whose
    // lease ran out; how many it took over, or -1 if the database failed.
    int keepLeases();
    const QString &instance() const { return m_instance; }
    // Blocks until no release is queued or running.
    void waitForJobs() { m_jobs.waitForDone(); }
    // Blocks until the lookups, start()'s sweep among them, are done.
    void waitForLookups() { m_lookups.waitForDone(); }
    // Jobs read the datasets from `replica` (db/readreplica.h) when there is one.
    void setReadReplica(std::shared_ptr<db::ReadReplica> replica) { m_replica = std::move(replica); }
    // Tests: called on the job's thread before each dataset is read.
    void setBeforeDataset(std::function<void(const QString &dataset)> hook) { m_beforeDataset = std::move(hook); }

private:
    QHttpServerResponse create(const Researcher &researcher, const QByteArray &body);
    QHttpServerResponse cancel(const Researcher &researcher, qint64 id);
    QJsonObject releaseJson(const QVariantList &row);
    void runJob(qint64 id);
    void serveFile(const QHttpServerRequest &request, QHttpServerResponder &&responder, qint64 id);

    db::Database m_database;
    std::shared_ptr<db::ReadReplica> m_replica;
    Authenticate m_authenticate;
    ReleaseSettings m_settings;
    Clock m_clock;
    QString m_instance; // "host:pid:random": this process, the owner of its releases
    QThreadPool m_jobs; // one release at a time
    QThreadPool m_lookups;
    QTimer m_expiry;
    QTimer m_leases;
    std::atomic<bool> m_stopping { false };
    std::function<void(const QString &)> m_beforeDataset;

    // Running jobs: rows so far, the rows they will hold (-1 until
    // counted) and whether they were cancelled.
    struct Job
    {
        std::atomic<qint64> rows { 0 };
        std::atomic<qint64> estimate { -1 };
        std::atomic<bool> cancelled { false };
    };
    std::mutex m_mutex;
    QHash<qint64, std::shared_ptr<Job>> m_running;
};

} // namespace openaps::api
