#include "http/webserver.h"

#include "crypto/secrets.h"
#include "db/migrations.h"
#include "db/readreplica.h"
#include "http/healthcheck.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>

namespace openaps::http {

WebServer::WebServer(db::Database database, QObject *parent, std::chrono::milliseconds healthBudget)
    : QObject(parent),
      m_database(database),
      m_health(std::make_unique<HealthCheck>(std::move(database), healthBudget)),
      m_startedAtSecs(QDateTime::currentSecsSinceEpoch())
{
    m_server.afterRequest([this](QHttpServerResponse &&response) {
        applyFilters(response);
        return std::move(response);
    });
    addHealthRoutes();
    addMetricsRoute();
}

WebServer::~WebServer() = default;

void WebServer::addResponseFilter(ResponseFilter filter)
{
    m_responseFilters.append(std::move(filter));
}

void WebServer::applyFilters(QHttpServerResponse &response) const
{
    for (const ResponseFilter &filter : m_responseFilters)
        filter(response);
}

void WebServer::setReadReplica(const std::shared_ptr<db::ReadReplica> &replica)
{
    m_replica = replica;
    m_health->setReadReplica(replica);
}

void WebServer::addMetricsSource(MetricsSource source)
{
    m_metricsSources.append(std::move(source));
}

Result<quint16> WebServer::listen(const QHostAddress &address, quint16 port)
{
    const quint16 bound = m_server.listen(address, port);
    if (bound == 0)
        return makeError("listen",
                         QStringLiteral("Cannot listen on %1 port %2: the port is in use "
                                        "or not allowed.")
                                 .arg(address.toString())
                                 .arg(port));
    m_port = bound;
    return bound;
}

void WebServer::addHealthRoutes()
{
    // Liveness: the process runs and its event loop turns. Nothing else is
    // asked, so an outage of the database never gets the process restarted.
    m_server.route(QStringLiteral("/livez"), QHttpServerRequest::Method::Get, [] {
        return QHttpServerResponse(QJsonObject { { QStringLiteral("status"), QStringLiteral("ok") } });
    });
    // Readiness: the process can serve, which needs the database. Asked on
    // the health check's thread; the answer is written when it comes.
    m_server.route(QStringLiteral("/healthz"), QHttpServerRequest::Method::Get,
                   [this](const QHttpServerRequest &, QHttpServerResponder &&responder) {
                       QPointer<QTcpSocket> socket = responder.socket();
                       auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
                       m_health->check([this, socket, held](const HealthOutcome &outcome) {
                           if (!socket)
                               return; // the client has gone away
                           QHttpServerResponse response = healthResponse(outcome);
                           applyFilters(response);
                           response.write(std::move(*held));
                       });
                   });
}

QJsonObject WebServer::replicaJson(const db::ReplicaState &state) const
{
    const db::ReplicaPolicy &policy = m_replica->policy();
    QJsonObject json {
        { QStringLiteral("state"), state.healthName() },
        { QStringLiteral("maxLagSeconds"), qint64(policy.maxLag.count()) },
        { QStringLiteral("fallback"),
          policy.fallback == db::ReplicaFallback::Primary ? QStringLiteral("primary") : QStringLiteral("error") },
    };
    json.insert(QStringLiteral("lagSeconds"), state.lagSeconds ? QJsonValue(*state.lagSeconds) : QJsonValue());
    return json;
}

QHttpServerResponse WebServer::healthResponse(const HealthOutcome &outcome) const
{
    QJsonObject body {
        { QStringLiteral("service"), QStringLiteral("openaps-server") },
        { QStringLiteral("version"), QCoreApplication::applicationVersion() },
        { QStringLiteral("database"), m_database.url().backendName() },
    };
    if (!outcome.databaseUp) {
        // Which dependency fails, not why: the reason may name internal
        // hosts, and the log has it.
        body.insert(QStringLiteral("status"), QStringLiteral("unavailable"));
        body.insert(QStringLiteral("failing"), QJsonArray { QStringLiteral("database") });
        return QHttpServerResponse(body, QHttpServerResponse::StatusCode::ServiceUnavailable);
    }
    body.insert(QStringLiteral("status"), QStringLiteral("ok"));
    body.insert(QStringLiteral("schemaVersion"), outcome.schemaVersion);
    QJsonArray warnings;
    // Still ready (the site and API serve), but an operator must act: members
    // who never logged in here are not loaded until the token is replaced.
    if (!outcome.masterToken.isEmpty()) {
        body.insert(QStringLiteral("openHumansMasterToken"), outcome.masterToken);
        if (outcome.masterToken != QLatin1String("ok"))
            warnings.append(QString(QStringLiteral("open-humans-master-token-") + outcome.masterToken));
    }
    // Also still ready: heavy reads fall back to the primary or answer 503 by themselves.
    if (outcome.replica) {
        body.insert(QStringLiteral("readReplica"), replicaJson(*outcome.replica));
        if (outcome.replica->health != db::ReplicaState::Health::Ok)
            warnings.append(QString(QStringLiteral("read-replica-") + outcome.replica->healthName()));
    }
    if (!warnings.isEmpty())
        body.insert(QStringLiteral("warnings"), warnings);
    return QHttpServerResponse(body);
}

namespace {

// Resident memory from /proc (Linux); 0 where there is none.
double residentBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (QByteArray line = status.readLine(); !line.isEmpty(); line = status.readLine()) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() * 1024;
    }
    return 0;
}

} // namespace

bool WebServer::mayReadMetrics(const QHttpServerRequest &request) const
{
    const auto headers = request.headers();
    if (!m_metricsToken.isEmpty()) {
        for (const auto &[name, value] : headers) {
            if (name.compare("authorization", Qt::CaseInsensitive) == 0)
                return crypto::constantTimeEquals(value, "Bearer " + m_metricsToken);
        }
        return false;
    }
    // A proxy on the same host makes every request look local: requests that
    // came through one carry X-Forwarded-For and are refused.
    for (const auto &header : headers) {
        if (header.first.compare("x-forwarded-for", Qt::CaseInsensitive) == 0)
            return false;
    }
    return request.remoteAddress().isLoopback();
}

// The replica's state as last found: a replica host that does not answer
// must not hold up the scrape (nor the event loop); the health check looks
// at it again in the background. Before the first look nothing is said of it.
void WebServer::addReplicaMetrics(PrometheusText &out) const
{
    db::ReadReplica &replica = *m_replica;
    const std::optional<db::ReplicaState> found = m_health->replicaState();
    if (found && found->health != db::ReplicaState::Health::Unknown) {
        const db::ReplicaState &state = *found;
        out.family("openaps_database_read_replica_up", "gauge",
                   "1 when the read replica (OPENAPS_DATABASE_READ_URL) answers.");
        out.sample("openaps_database_read_replica_up", state.health == db::ReplicaState::Health::Down ? 0 : 1);
        out.family("openaps_database_read_replica_serving", "gauge",
                   "1 when the read replica answers within OPENAPS_DATABASE_READ_MAX_LAG and takes the heavy "
                   "reads.");
        out.sample("openaps_database_read_replica_serving", state.health == db::ReplicaState::Health::Ok ? 1 : 0);
        if (state.lagSeconds) {
            out.family("openaps_database_read_replica_lag_seconds", "gauge",
                       "How far the read replica's replay is behind the primary.");
            out.sample("openaps_database_read_replica_lag_seconds", *state.lagSeconds);
        }
    }
    const db::ReplicaReads reads = replica.reads();
    out.family("openaps_database_reads_total", "counter",
               "Heavy reads (exports, counts, cohort views, participants, releases) by where they went: the "
               "replica, the primary (the replica was down or lagging), or refused with 503.");
    using Labels = PrometheusText::Labels;
    out.sample("openaps_database_reads_total", double(reads.replica),
               Labels { { QStringLiteral("target"), QStringLiteral("replica") } });
    out.sample("openaps_database_reads_total", double(reads.primary),
               Labels { { QStringLiteral("target"), QStringLiteral("primary") } });
    out.sample("openaps_database_reads_total", double(reads.refused),
               Labels { { QStringLiteral("target"), QStringLiteral("refused") } });
}

void WebServer::addMetricsRoute()
{
    m_server.route(
            QStringLiteral("/metrics"), QHttpServerRequest::Method::Get, [this](const QHttpServerRequest &request) {
                if (!mayReadMetrics(request))
                    return QHttpServerResponse("text/plain", "forbidden\n", QHttpServerResponse::StatusCode::Forbidden);
                PrometheusText out;
                out.family("openaps_build_info", "gauge", "Version and database backend.");
                out.sample("openaps_build_info", 1,
                           { { QStringLiteral("version"), QCoreApplication::applicationVersion() },
                             { QStringLiteral("backend"), m_database.url().backendName() } });
                const auto version = db::schemaVersion(m_database);
                out.family("openaps_database_up", "gauge", "1 when the database answers.");
                out.sample("openaps_database_up", version ? 1 : 0);
                if (version) {
                    out.family("openaps_schema_version", "gauge", "Latest applied migration.");
                    out.sample("openaps_schema_version", *version);
                }
                if (m_replica)
                    addReplicaMetrics(out);
                out.family("openaps_process_start_time_seconds", "gauge",
                           "Start of the process, seconds since the epoch.");
                out.sample("openaps_process_start_time_seconds", double(m_startedAtSecs));
                out.family("openaps_process_resident_memory_bytes", "gauge", "Resident memory.");
                out.sample("openaps_process_resident_memory_bytes", residentBytes());
                for (const MetricsSource &source : m_metricsSources)
                    source(out);
                return QHttpServerResponse("text/plain; version=0.0.4; charset=utf-8", out.text().toUtf8());
            });
}

} // namespace openaps::http
