#pragma once

#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QPointer>
#include <QTcpSocket>

#include <optional>

namespace openaps::http {

// A responder kept until an asynchronous step (argon2, mail, a slow
// Nightscout site or Open Humans) is done, shared by the callbacks of that
// step. Sends at most once; nothing is written if the client has gone away
// meanwhile.
class PendingReply
{
public:
    explicit PendingReply(QHttpServerResponder &&responder)
        : m_socket(responder.socket()),
          m_responder(std::move(responder))
    { }

    void send(QHttpServerResponse &&response)
    {
        if (m_sent || !m_socket)
            return;
        m_sent = true;
        response.write(std::move(m_responder));
    }
    // The responder itself, for an answer written piece by piece; nullopt
    // when the client has gone or an answer was sent.
    std::optional<QHttpServerResponder> take()
    {
        if (m_sent || !m_socket)
            return std::nullopt;
        m_sent = true;
        return std::move(m_responder);
    }

private:
    QPointer<QTcpSocket> m_socket;
    QHttpServerResponder m_responder;
    bool m_sent = false;
};

} // namespace openaps::http
