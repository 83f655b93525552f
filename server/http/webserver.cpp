#include "http/webserver.h"

#include "crypto/secrets.h"
#include "db/migrations.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonObject>

namespace openaps::server {

WebServer::WebServer(db::Database database, QObject *parent)
    : QObject(parent),
      m_database(std::move(database)),
      m_startedAtSecs(QDateTime::currentSecsSinceEpoch())
{
    addHealthRoutes();
    addMetricsRoute();
}

void WebServer::addMetricsSource(MetricsSource source)
{
    m_metricsSources.append(std::move(source));
}

Result<quint16> WebServer::listen(const QHostAddress &address, quint16 port)
{
    const quint16 bound = m_server.listen(address, port);
    if (bound == 0)
        return makeError("listen", QStringLiteral("Cannot listen on %1 port %2: the port is in use "
                                                  "or not allowed.")
                                           .arg(address.toString())
                                           .arg(port));
    m_port = bound;
    return bound;
}

void WebServer::addHealthRoutes()
{
    m_server.route(QStringLiteral("/healthz"), QHttpServerRequest::Method::Get, [this] {
        QJsonObject body {
            { QStringLiteral("service"), QStringLiteral("openaps-server") },
            { QStringLiteral("version"), QCoreApplication::applicationVersion() },
            { QStringLiteral("database"), m_database.url().backendName() },
        };
        const auto version = db::schemaVersion(m_database);
        if (!version) {
            body.insert(QStringLiteral("status"), QStringLiteral("error"));
            body.insert(QStringLiteral("error"), QStringLiteral("database unavailable"));
            return QHttpServerResponse(body, QHttpServerResponse::StatusCode::ServiceUnavailable);
        }
        body.insert(QStringLiteral("status"), QStringLiteral("ok"));
        body.insert(QStringLiteral("schemaVersion"), *version);
        return QHttpServerResponse(body);
    });
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

void WebServer::addMetricsRoute()
{
    m_server.route(QStringLiteral("/metrics"), QHttpServerRequest::Method::Get,
                   [this](const QHttpServerRequest &request) {
                       if (!mayReadMetrics(request))
                           return QHttpServerResponse("text/plain", "forbidden\n",
                                                      QHttpServerResponse::StatusCode::Forbidden);
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
                       out.family("openaps_process_start_time_seconds", "gauge",
                                  "Start of the process, seconds since the epoch.");
                       out.sample("openaps_process_start_time_seconds", double(m_startedAtSecs));
                       out.family("openaps_process_resident_memory_bytes", "gauge", "Resident memory.");
                       out.sample("openaps_process_resident_memory_bytes", residentBytes());
                       for (const MetricsSource &source : m_metricsSources)
                           source(out);
                       return QHttpServerResponse("text/plain; version=0.0.4; charset=utf-8",
                                                  out.text().toUtf8());
                   });
}

} // namespace openaps::server
