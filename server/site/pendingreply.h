#pragma once

#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QPointer>
#include <QTcpSocket>

namespace openaps::site {

// Writes `response` once the socket is still there (the browser may have
// gone away while a slow Nightscout site or Open Humans was being asked).
class PendingReply
{
public:
    explicit PendingReply(QHttpServerResponder &&responder)
        : m_socket(responder.socket()),
          m_responder(std::move(responder))
    { }
    void send(QHttpServerResponse &&response)
    {
        if (m_socket)
            response.write(std::move(m_responder));
    }

private:
    QPointer<QTcpSocket> m_socket;
    QHttpServerResponder m_responder;
};

} // namespace openaps::site
