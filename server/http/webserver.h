#pragma once

#include "core/result.h"
#include "db/database.h"
#include "http/prometheus.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

namespace openaps::db {
class ReadReplica;
struct ReplicaState;
}

namespace openaps::http {

class HealthCheck;
struct HealthOutcome;

// The one HTTP server of a process. Subsystems (site, researcher API) add
// their routes to router(); health and metrics routes are always there:
// /livez (the process runs) and /healthz (it can serve: the database answers).
class WebServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebServer)

public:
    using MetricsSource = std::function<void(PrometheusText &)>;
    using ResponseFilter = std::function<void(QHttpServerResponse &)>;

    // /healthz answers 503 when the database has not answered within `healthBudget`.
    WebServer(db::Database database, QObject *parent = nullptr,
              std::chrono::milliseconds healthBudget = std::chrono::seconds(3));
    ~WebServer() override;

    QHttpServer &router() { return m_server; }

    // Listens on address:port (port 0 picks a free one). Returns the port.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_port; }

    // Adds metric families to /metrics; sources run on every scrape, in the
    // order they were added, after the process-wide ones.
    void addMetricsSource(MetricsSource source);
    // With a token, /metrics needs "Authorization: Bearer <token>"; without
    // one it answers only local requests that did not come through a proxy.
    void setMetricsToken(const QByteArray &token) { m_metricsToken = token; }

    // The read replica of the heavy reads (db/readreplica.h): /healthz and
    // /metrics show its state and lag.
    void setReadReplica(const std::shared_ptr<db::ReadReplica> &replica);

    // Runs on every response routes return, and on /healthz's, which is
    // written later (security headers).
    void addResponseFilter(ResponseFilter filter);

private:
    void addHealthRoutes();
    QHttpServerResponse healthResponse(const HealthOutcome &outcome) const;
    QJsonObject replicaJson(const db::ReplicaState &state) const;
    void addReplicaMetrics(PrometheusText &out) const;
    void applyFilters(QHttpServerResponse &response) const;
    void addMetricsRoute();
    bool mayReadMetrics(const QHttpServerRequest &request) const;

    db::Database m_database;
    QList<ResponseFilter> m_responseFilters;
    QHttpServer m_server;
    // After m_server, so it goes first: answers still waiting for a check
    // are dropped while their sockets exist.
    std::unique_ptr<HealthCheck> m_health;
    quint16 m_port = 0;
    QList<MetricsSource> m_metricsSources;
    std::shared_ptr<db::ReadReplica> m_replica;
    QByteArray m_metricsToken;
    qint64 m_startedAtSecs;
};

} // namespace openaps::http
