#pragma once

#include "core/result.h"
#include "db/database.h"
#include "http/prometheus.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QObject>

#include <functional>

namespace openaps::server {

// The one HTTP server of a process. Subsystems (site, researcher API) add
// their routes to router(); health and metrics routes are always there.
class WebServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebServer)

public:
    using MetricsSource = std::function<void(PrometheusText &)>;

    WebServer(db::Database database, QObject *parent = nullptr);

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

private:
    void addHealthRoutes();
    void addMetricsRoute();
    bool mayReadMetrics(const QHttpServerRequest &request) const;

    db::Database m_database;
    QHttpServer m_server;
    quint16 m_port = 0;
    QList<MetricsSource> m_metricsSources;
    QByteArray m_metricsToken;
    qint64 m_startedAtSecs;
};

} // namespace openaps::server
