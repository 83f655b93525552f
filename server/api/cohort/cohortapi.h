#pragma once

#include "api/cohort/cohortviews.h"
#include "api/workeranswer.h"
#include "db/database.h"

#include <QCache>
#include <QMutex>
#include <QObject>
#include <QThreadPool>
#include <QUrlQuery>

#include <atomic>
#include <memory>

namespace openaps::db {
class ReadReplica;
}
namespace openaps::http {
class WebServer;
}

namespace openaps::api {

// GET /api/v1/cohort/{view}?from=..&to=.. (README, "Cohort views"): the
// views of cohortviews.h over the researcher's scope, small cells withheld
// with k = OPENAPS_COHORT_MIN_PARTICIPANTS. Computed on worker threads and
// kept per view, scope and window while the research data's generation
// (records/researchgeneration.h) stays the same, so a dashboard may ask on
// every refresh: a repeated question costs one read of that counter, and
// the first question after the ETL loaded or erased something computes the
// view again, on every server instance sharing the database.
class CohortApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CohortApi)

public:
    CohortApi(db::Database database, Authenticate authenticate, int minParticipants = 5, QObject *parent = nullptr);
    ~CohortApi() override; // waits for its workers

    // The views read `replica` (db/readreplica.h) when there is one.
    void setReadReplica(std::shared_ptr<db::ReadReplica> replica) { m_replica = std::move(replica); }
    void install(http::WebServer &web);
    // How many answers were computed rather than taken from the cache.
    qint64 computedViews() const { return m_computed; }

private:
    QHttpServerResponse answer(const QString &view, const QUrlQuery &params, const Researcher &researcher);

    struct Cached
    {
        qint64 generation = 0;
        QJsonObject view;
    };

    db::Database m_database;
    std::shared_ptr<db::ReadReplica> m_replica;
    Authenticate m_authenticate;
    int m_minParticipants;
    QThreadPool m_workers;
    QMutex m_cacheMutex;
    QCache<QString, Cached> m_cache; // by view, scope and window
    std::atomic<qint64> m_computed { 0 };
};

} // namespace openaps::api
