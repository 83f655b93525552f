#include "standins/smtpstandin.h"

#include "standins/standinfaults.h"

#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace openaps::standins {

namespace {

// A line longer than this (RFC 5321 allows 1000 octets) ends the session.
constexpr qsizetype maxLineBytes = 4096;
constexpr qsizetype maxMessageBytes = 1024 * 1024;

void reply(QTcpSocket *socket, const QByteArray &text)
{
    socket->write(text + "\r\n");
}

// "MAIL FROM:<a@b>" → "a@b".
QString pathArgument(const QByteArray &line)
{
    const qsizetype open = line.indexOf('<');
    const qsizetype close = line.indexOf('>', open + 1);
    if (open < 0 || close < 0)
        return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
    return QString::fromUtf8(line.mid(open + 1, close - open - 1));
}

// RFC 2047 "=?UTF-8?B?...?=" subjects as the mailer writes them.
QString decodeHeader(const QByteArray &value)
{
    const QByteArray prefix = "=?UTF-8?B?";
    if (value.startsWith(prefix) && value.endsWith("?="))
        return QString::fromUtf8(QByteArray::fromBase64(value.mid(prefix.size(), value.size() - prefix.size() - 2)));
    return QString::fromUtf8(value);
}

QString htmlEscaped(const QString &text)
{
    return text.toHtmlEscaped();
}

} // namespace

SmtpStandIn::SmtpStandIn(QObject *parent) : QObject(parent)
{
    connect(&m_smtp, &QTcpServer::newConnection, this, &SmtpStandIn::onNewConnection);
    installMailboxRoutes();
}

SmtpStandIn::~SmtpStandIn()
{
    // Open sessions' sockets would otherwise tell their `disconnected`
    // handlers, which use m_sessions, after it is gone.
    const auto sockets = m_sessions.keys();
    for (QTcpSocket *socket : sockets) {
        socket->disconnect(this);
        delete socket;
    }
}

Result<quint16> SmtpStandIn::listen(quint16 port)
{
    if (!m_smtp.listen(QHostAddress::LocalHost, port))
        return makeError("listen", QStringLiteral("The SMTP stand-in cannot listen on port %1.").arg(port));
    return m_smtp.serverPort();
}

Result<quint16> SmtpStandIn::listenMailbox(quint16 port)
{
    auto bound = listenOnLoopback(m_http, port, "The mailbox page");
    m_httpPort = bound ? *bound : 0;
    return bound;
}

QUrl SmtpStandIn::smtpUrl() const
{
    return QUrl(QStringLiteral("smtp://127.0.0.1:%1").arg(m_smtp.serverPort()));
}

QUrl SmtpStandIn::mailboxUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(m_httpPort));
}

QList<SmtpStandIn::Message> SmtpStandIn::messagesTo(const QString &address) const
{
    QList<Message> found;
    for (const Message &m : m_messages) {
        if (m.to.contains(address, Qt::CaseInsensitive))
            found.append(m);
    }
    return found;
}

void SmtpStandIn::onNewConnection()
{
    while (QTcpSocket *socket = m_smtp.nextPendingConnection()) {
        m_sessions.insert(socket, Session());
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_sessions.remove(socket);
            socket->deleteLater();
        });
        reply(socket, "220 127.0.0.1 OpenAPS SMTP stand-in ready");
    }
}

void SmtpStandIn::onReadyRead(QTcpSocket *socket)
{
    auto it = m_sessions.find(socket);
    if (it == m_sessions.end())
        return;
    Session &session = *it;
    session.buffer += socket->readAll();
    qsizetype end;
    while ((end = session.buffer.indexOf("\r\n")) >= 0) {
        const QByteArray line = session.buffer.left(end);
        session.buffer.remove(0, end + 2);
        if (session.inData) {
            if (line == ".") {
                session.inData = false;
                finishMessage(session);
                reply(socket, "250 2.0.0 Stored");
                continue;
            }
            // RFC 5321 4.5.2: a leading dot was doubled by the sender.
            session.data += (line.startsWith('.') ? line.mid(1) : line) + '\n';
            if (session.data.size() > maxMessageBytes) {
                reply(socket, "552 5.3.4 Message too big");
                socket->disconnectFromHost();
                return;
            }
        } else {
            handleCommand(socket, session, line);
            // QUIT may have closed the socket and dropped the session already.
            if (!m_sessions.contains(socket))
                return;
        }
    }
    if (session.buffer.size() > maxLineBytes) {
        reply(socket, "500 5.5.2 Line too long");
        socket->disconnectFromHost();
    }
}

void SmtpStandIn::handleCommand(QTcpSocket *socket, Session &session, const QByteArray &line)
{
    const QByteArray verb = line.left(4).toUpper();
    if (verb == "EHLO") {
        socket->write("250-127.0.0.1 greets you\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SIZE 1048576\r\n");
    } else if (verb == "AUTH") {
        ++m_authAttempts;
        reply(socket, "235 2.7.0 Authentication successful");
    } else if (verb == "HELO") {
        reply(socket, "250 127.0.0.1");
    } else if (verb == "MAIL") {
        if (m_refuseMail)
            return reply(socket, "554 5.7.1 Mail refused (stand-in fault)");
        session.from = pathArgument(line);
        session.to.clear();
        reply(socket, "250 2.1.0 OK");
    } else if (verb == "RCPT") {
        session.to.append(pathArgument(line));
        reply(socket, "250 2.1.5 OK");
    } else if (verb == "DATA") {
        if (session.to.isEmpty())
            return reply(socket, "503 5.5.1 RCPT first");
        session.inData = true;
        session.data.clear();
        reply(socket, "354 End data with <CR><LF>.<CR><LF>");
    } else if (verb == "RSET") {
        session.from.clear();
        session.to.clear();
        reply(socket, "250 2.0.0 OK");
    } else if (verb == "NOOP") {
        reply(socket, "250 2.0.0 OK");
    } else if (verb == "QUIT") {
        reply(socket, "221 2.0.0 Bye");
        socket->disconnectFromHost();
    } else {
        reply(socket, "502 5.5.2 Command not implemented");
    }
}

void SmtpStandIn::finishMessage(Session &session)
{
    Message message;
    message.from = session.from;
    message.to = session.to;
    message.receivedAt = QDateTime::currentDateTimeUtc();
    const qsizetype split = session.data.indexOf("\n\n");
    const QByteArray headers = split < 0 ? session.data : session.data.left(split);
    message.body = split < 0 ? QString() : QString::fromUtf8(session.data.mid(split + 2));
    for (const QByteArray &header : headers.split('\n')) {
        if (header.toLower().startsWith("subject:"))
            message.subject = decodeHeader(header.mid(8).trimmed());
    }
    session.to.clear();
    session.data.clear();
    m_messages.append(message);
    Q_EMIT messageReceived();
}

void SmtpStandIn::installMailboxRoutes()
{
    m_http.route(QStringLiteral("/messages"), [this] {
        QJsonArray list;
        for (const Message &m : std::as_const(m_messages))
            list.append(QJsonObject { { QStringLiteral("from"), m.from },
                                      { QStringLiteral("to"), QJsonArray::fromStringList(m.to) },
                                      { QStringLiteral("subject"), m.subject },
                                      { QStringLiteral("body"), m.body },
                                      { QStringLiteral("received_at"), m.receivedAt.toString(Qt::ISODate) } });
        return QHttpServerResponse(QJsonObject { { QStringLiteral("messages"), list } });
    });
    m_http.route(QStringLiteral("/"), [this] {
        QString html = QStringLiteral("<!doctype html><meta charset=\"utf-8\"><title>Mailbox (stand-in)</title>"
                                      "<h1>Mailbox</h1><p>Every email the demo sent, newest first "
                                      "(<a href=\"/messages\">JSON</a>).</p>");
        if (m_messages.isEmpty())
            html += QStringLiteral("<p>No messages yet.</p>");
        for (auto it = m_messages.crbegin(); it != m_messages.crend(); ++it) {
            html += QStringLiteral("<hr><p><b>To:</b> %1<br><b>Subject:</b> %2<br><b>Received:</b> %3</p><pre>%4</pre>")
                            .arg(htmlEscaped(it->to.join(QStringLiteral(", "))), htmlEscaped(it->subject),
                                 it->receivedAt.toString(Qt::ISODate), htmlEscaped(it->body));
        }
        return QHttpServerResponse(QByteArrayLiteral("text/html; charset=utf-8"), html.toUtf8());
    });
}

} // namespace openaps::standins
