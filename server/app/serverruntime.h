#pragma once

#include "core/config.h"
#include "core/result.h"
#include "db/database.h"

#include <QNetworkAccessManager>
#include <QObject>

#include <memory>

namespace openaps::db {
class ReadReplica;
}
namespace openaps::etl {
class EtlService;
}
namespace openaps::ingest {
class IngestService;
}

namespace openaps::http {
class WebServer;
}
namespace openaps::api {
class CohortApi;
class ExportApi;
class ReleaseApi;
class ResearcherApi;
}
namespace openaps::mail {
class Mailer;
}
namespace openaps::site {
class ParticipantSite;
}

namespace openaps::app {

// Which parts of the server a process runs (`serve --roles web,api,ingest,etl`):
// several instances can share one PostgreSQL and split the work. `web` is the
// participant site, `api` the researcher API; both share one HTTP server.
struct Roles
{
    bool web = true;
    bool ingest = true;
    bool etl = true;
    bool api = true;

    static Result<Roles> parse(const QString &text);
    QString toString() const;
};

// The running server: the web site and health routes, the scheduled ingest
// and the scheduled ETL, all built from one configuration. `serve` and
// openaps-demo both run one.
class ServerRuntime final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerRuntime)

public:
    ServerRuntime(Config config, db::Database database, QObject *parent = nullptr);
    ~ServerRuntime() override;

    // Starts the roles; the web role listens on HTTP_ADDRESS:HTTP_PORT.
    Status start(const Roles &roles);
    quint16 webPort() const;
    // The api role's releases (nullptr without it): tests hold a release midway through it.
    api::ReleaseApi *releaseApi() const { return m_releaseApi.get(); }

private:
    // OPENAPS_DATABASE_READ_URL (README, "Read replica"); nullptr without one.
    Result<std::shared_ptr<db::ReadReplica>> readReplica() const;
    void addMetricsSources();

    Config m_config;
    db::Database m_database;
    QNetworkAccessManager m_nam;
    std::unique_ptr<http::WebServer> m_web;
    std::unique_ptr<site::ParticipantSite> m_site;
    // After m_web, so they go first; the mailer outlives the API that uses it.
    std::unique_ptr<mail::Mailer> m_mailer;
    std::unique_ptr<api::ResearcherApi> m_researcherApi;
    // After m_researcherApi, so it goes first: it uses its TokenAuth.
    std::unique_ptr<api::ExportApi> m_exportApi;
    std::unique_ptr<api::ReleaseApi> m_releaseApi;
    std::unique_ptr<api::CohortApi> m_cohortApi;
    ingest::IngestService *m_ingest = nullptr;
    etl::EtlService *m_etl = nullptr;
};

} // namespace openaps::app
