#include "http/webserver.h"

#include "db/migrations.h"

#include <QCoreApplication>
#include <QJsonObject>

namespace openaps::server {

WebServer::WebServer(db::Database database, QObject *parent)
    : QObject(parent), m_database(std::move(database))
{
    addHealthRoutes();
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

} // namespace openaps::server
