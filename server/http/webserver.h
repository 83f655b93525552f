#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QObject>

namespace openaps::server {

// The one HTTP server of a process. Subsystems (site, researcher API) add
// their routes to router(); health routes are always there.
class WebServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebServer)

public:
    WebServer(db::Database database, QObject *parent = nullptr);

    QHttpServer &router() { return m_server; }

    // Listens on address:port (port 0 picks a free one). Returns the port.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_port; }

private:
    void addHealthRoutes();

    db::Database m_database;
    QHttpServer m_server;
    quint16 m_port = 0;
};

} // namespace openaps::server
