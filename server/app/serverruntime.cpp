#include "app/serverruntime.h"

#include "api/cohort/cohortapi.h"
#include "api/export/exportapi.h"
#include "api/release/releaseapi.h"
#include "api/researcherapi.h"
#include "app/runtimemetrics.h"
#include "db/readreplica.h"
#include "etl/etlservice.h"
#include "http/webserver.h"
#include "ingest/ingestservice.h"
#include "mail/mailer.h"
#include "nightscout/addresspolicy.h"
#include "openhumans/client.h"
#include "site/participantsite.h"
#include "site/sitesettings.h"

#include <QDir>
#include <QHostAddress>
#include <QLoggingCategory>

namespace openaps::app {

Q_LOGGING_CATEGORY(lcRuntime, "openaps.server.runtime", QtInfoMsg)

Result<Roles> Roles::parse(const QString &text)
{
    Roles roles { false, false, false, false };
    const QStringList names = text.split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &raw : names) {
        const QString name = raw.trimmed().toLower();
        if (name == QLatin1String("web"))
            roles.web = true;
        else if (name == QLatin1String("ingest"))
            roles.ingest = true;
        else if (name == QLatin1String("etl"))
            roles.etl = true;
        else if (name == QLatin1String("api"))
            roles.api = true;
        else
            return makeError("usage",
                             QStringLiteral("Unknown role '%1': the roles are web, api, ingest and etl.").arg(name));
    }
    if (!roles.web && !roles.api && !roles.ingest && !roles.etl)
        return makeError("usage", QStringLiteral("--roles needs at least one of web, api, ingest, etl."));
    return roles;
}

QString Roles::toString() const
{
    QStringList names;
    if (web)
        names << QStringLiteral("web");
    if (ingest)
        names << QStringLiteral("ingest");
    if (etl)
        names << QStringLiteral("etl");
    if (api)
        names << QStringLiteral("api");
    return names.join(QLatin1Char(','));
}

ServerRuntime::ServerRuntime(Config config, db::Database database, QObject *parent)
    : QObject(parent),
      m_config(std::move(config)),
      m_database(std::move(database))
{ }

ServerRuntime::~ServerRuntime() = default;

Status ServerRuntime::start(const Roles &roles)
{
    const QUrl redirectUri = site::SiteSettings::fromConfig(m_config).redirectUri();
    if ((roles.web || roles.ingest) && ns::addressScope(m_config) == ns::AddressScope::AllowLoopback)
        qCWarning(lcRuntime,
                  "OPENAPS_NIGHTSCOUT_ALLOW_LOOPBACK=1: participants' Nightscout addresses may lead to this "
                  "machine itself (127.0.0.0/8, ::1); this is for the demo and tests, never for a public server");
    auto replica = readReplica();
    if (!replica)
        return replica.error();
    if (roles.web || roles.api) {
        m_web = std::make_unique<http::WebServer>(m_database);
        if (*replica)
            m_web->setReadReplica(*replica);
    }
    if (roles.web) {
        auto participantSite = site::ParticipantSite::create(m_database, &m_nam,
                                                             site::ParticipantSite::optionsFromConfig(m_config));
        if (!participantSite)
            return participantSite.error();
        m_site = std::move(*participantSite);
        m_site->install(*m_web);
    }
    if (roles.api) {
        auto smtp = mail::SmtpSettings::fromConfig(m_config);
        if (!smtp)
            return smtp.error();
        auto apiOptions = api::ResearcherApi::Options::fromConfig(m_config);
        if (!apiOptions)
            return apiOptions.error();
        m_mailer = std::make_unique<mail::Mailer>(*smtp);
        m_researcherApi = std::make_unique<api::ResearcherApi>(m_database, m_mailer.get(), *apiOptions);
        m_researcherApi->install(*m_web);
        const api::TokenAuth &auth = m_researcherApi->tokenAuth();
        m_exportApi = std::make_unique<api::ExportApi>(
                m_database, [&auth](const QString &token) { return auth.authenticateToken(token); },
                qMax(1, m_config.integer(QStringLiteral("API_EXPORTS_PER_RESEARCHER"))));
        m_exportApi->setReadReplica(*replica);
        m_exportApi->install(*m_web);
        m_cohortApi = std::make_unique<api::CohortApi>(
                m_database, [&auth](const QString &token) { return auth.authenticateToken(token); },
                m_config.integer(QStringLiteral("COHORT_MIN_PARTICIPANTS")));
        m_cohortApi->setReadReplica(*replica);
        m_cohortApi->install(*m_web);
        api::ReleaseSettings releases;
        releases.directory = m_config.value(QStringLiteral("RELEASE_DIR"));
        if (releases.directory.isEmpty())
            releases.directory = QDir(m_config.dataDir()).absoluteFilePath(QStringLiteral("releases"));
        releases.expirySeconds = qint64(m_config.integer(QStringLiteral("RELEASE_EXPIRY_HOURS"))) * 3600;
        releases.quotaBytes = qint64(m_config.integer(QStringLiteral("RELEASE_QUOTA_MB"))) * 1024 * 1024;
        releases.releasesPerResearcher = qMax(1, m_config.integer(QStringLiteral("API_EXPORTS_PER_RESEARCHER")));
        releases.lease = m_config.duration(QStringLiteral("RELEASE_LEASE"));
        releases.idleTimeout = m_config.duration(QStringLiteral("RELEASE_IDLE_TIMEOUT"));
        m_releaseApi = std::make_unique<api::ReleaseApi>(
                m_database, [&auth](const QString &token) { return auth.authenticateToken(token); }, releases);
        m_releaseApi->setReadReplica(*replica);
        m_releaseApi->install(*m_web);
    }
    if (m_web) {
        addMetricsSources();
        const auto port = m_web->listen(QHostAddress(m_config.httpAddress()), m_config.httpPort());
        if (!port)
            return port.error();
    }
    const oh::Settings ohSettings = oh::Client::settingsFromConfig(m_config, redirectUri);
    if (roles.ingest) {
        m_ingest = new ingest::IngestService(m_database, &m_nam, ohSettings,
                                             ingest::IngestService::optionsFromConfig(m_config), this);
        m_ingest->start();
    }
    if (roles.etl) {
        m_etl = new etl::EtlService(m_database, &m_nam, m_config, etl::EtlService::optionsFromConfig(m_config), this);
        m_etl->start();
    }
    qCInfo(lcRuntime, "running roles %s with the %s database", qPrintable(roles.toString()),
           qPrintable(m_database.url().backendName()));
    return {};
}

Result<std::shared_ptr<db::ReadReplica>> ServerRuntime::readReplica() const
{
    auto replica = db::ReadReplica::fromConfig(m_config);
    if (!replica || !*replica)
        return replica;
    const db::ReplicaPolicy &policy = (*replica)->policy();
    qCInfo(lcRuntime,
           "exports, counts, cohort views, the participants list and releases read the replica %s while it is at "
           "most %lld s behind; otherwise they %s",
           qPrintable((*replica)->database().url().display()), qint64(policy.maxLag.count()),
           policy.fallback == db::ReplicaFallback::Primary ? "read the primary" : "answer 503");
    // A replica that is down at the start is no reason not to start: its
    // policy decides per read. This logs how it is found.
    (void)(*replica)->check();
    return replica;
}

void ServerRuntime::addMetricsSources()
{
    m_web->setMetricsToken(m_config.value(QStringLiteral("METRICS_TOKEN")).toUtf8());
    m_web->addMetricsSource([this](http::PrometheusText &out) { addDatabaseMetrics(m_database, out); });
    // The jobs start after the web server; the sources look them up per scrape.
    m_web->addMetricsSource([this](http::PrometheusText &out) {
        if (m_ingest)
            m_ingest->metrics().addTo(out);
        if (m_etl)
            addPassMetrics("openaps_etl_last_pass_participants", "Participants in the last ETL pass, by outcome.",
                           m_etl->lastPass(), out);
    });
}

quint16 ServerRuntime::webPort() const
{
    return m_web ? m_web->port() : 0;
}

} // namespace openaps::app
