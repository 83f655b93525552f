#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QHash>
#include <QHttpServer>
#include <QObject>
#include <QStringList>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace openaps::standins {

// A loopback mail server for tests and `openaps-demo`: speaks enough
// SMTP for libcurl (EHLO/HELO, MAIL FROM, RCPT TO, DATA, RSET, NOOP, QUIT),
// keeps every message in memory, and shows them on a "mailbox" web page
// (HTML at /, JSON at /messages) so a demo user can read their codes.
class SmtpStandIn final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SmtpStandIn)

public:
    struct Message
    {
        QString from;
        QStringList to;
        QString subject;
        QString body; // text after the headers, dot-stuffing undone, LF lines
        QDateTime receivedAt;
    };

    explicit SmtpStandIn(QObject *parent = nullptr);
    ~SmtpStandIn() override;

    // SMTP on 127.0.0.1; port 0 picks a free one.
    Result<quint16> listen(quint16 port = 0);
    // The mailbox page on 127.0.0.1.
    Result<quint16> listenMailbox(quint16 port = 0);
    QUrl smtpUrl() const;
    QUrl mailboxUrl() const;

    QList<Message> messages() const { return m_messages; }
    // The messages sent to `address` (case-insensitive), oldest first.
    QList<Message> messagesTo(const QString &address) const;
    void clear() { m_messages.clear(); }
    // Fault switch: answer 554 to every MAIL FROM (the server refuses mail).
    void setRefuseMail(bool refuse) { m_refuseMail = refuse; }
    // AUTH commands received (it offers AUTH PLAIN, never STARTTLS, so any
    // login it sees came in cleartext).
    int authAttempts() const { return m_authAttempts; }

Q_SIGNALS:
    void messageReceived();

private:
    struct Session
    {
        QByteArray buffer;
        bool inData = false;
        QString from;
        QStringList to;
        QByteArray data;
    };

    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void handleCommand(QTcpSocket *socket, Session &session, const QByteArray &line);
    void finishMessage(Session &session);
    void installMailboxRoutes();

    QTcpServer m_smtp;
    QHttpServer m_http;
    quint16 m_httpPort = 0;
    QHash<QTcpSocket *, Session> m_sessions;
    QList<Message> m_messages;
    bool m_refuseMail = false;
    int m_authAttempts = 0;
};

} // namespace openaps::standins
