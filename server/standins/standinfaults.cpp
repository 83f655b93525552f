#include "standins/standinfaults.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

namespace openaps::standins {

StandInReply StandInReply::json(const QJsonObject &object, int status)
{
    return { status, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact), {} };
}

StandInReply StandInReply::text(const QByteArray &body, int status, const QByteArray &contentType)
{
    return { status, contentType, body, {} };
}

StandInReply StandInReply::redirect(const QUrl &location)
{
    return { 302, "text/plain", QByteArray(), { { "Location", location.toEncoded() } } };
}

StandInReplySender::StandInReplySender(QObject *parent) : QObject(parent) { }

StandInReplySender::~StandInReplySender() = default;

void StandInReplySender::send(QHttpServerResponder &&responder, Producer produce, const StandInFaults &faults,
                              int requestNumber)
{
    const bool failThis = faults.onlyRequest == 0 || faults.onlyRequest == requestNumber;
    const auto failure = failThis ? faults.failure : StandInFaults::Failure::None;
    auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
    if (failure == StandInFaults::Failure::Hang) {
        m_hanging.append(held);
        return;
    }
    if (faults.latency.count() <= 0) {
        write(*held, produce, failure);
        return;
    }
    // The client may give up and close the connection while we wait.
    QPointer<QTcpSocket> socket = held->socket();
    QTimer::singleShot(faults.latency, this, [held, socket, produce = std::move(produce), failure] {
        if (socket && socket->state() == QAbstractSocket::ConnectedState)
            write(*held, produce, failure);
    });
}

void StandInReplySender::send(QHttpServerResponder &&responder, const StandInReply &reply, const StandInFaults &faults,
                              int requestNumber)
{
    send(std::move(responder), Producer([reply] { return reply; }), faults, requestNumber);
}

void StandInReplySender::write(QHttpServerResponder &responder, const Producer &produce, StandInFaults::Failure failure)
{
    StandInReply out;
    switch (failure) {
    case StandInFaults::Failure::ServerError:
        out = StandInReply::json(
                QJsonObject { { QStringLiteral("detail"), QStringLiteral("A server error occurred.") } }, 500);
        break;
    case StandInFaults::Failure::MalformedJson:
        out = StandInReply::text("{\"project_member_id\": \"1234\", \"data\": [{\"id\": ", 200, "application/json");
        break;
    default:
        out = produce();
        break;
    }
    responder.writeStatusLine(QHttpServerResponder::StatusCode(out.status));
    for (const auto &header : std::as_const(out.headers))
        responder.writeHeader(header.first, header.second);
    if (!out.contentType.isEmpty())
        responder.writeHeader("Content-Type", out.contentType);
    responder.writeHeader("Content-Length", QByteArray::number(out.body.size()));
    if (failure == StandInFaults::Failure::TruncatedBody) {
        responder.writeBody(out.body.left(out.body.size() / 2));
        responder.socket()->flush();
        responder.socket()->disconnectFromHost();
        return;
    }
    responder.writeBody(out.body);
}

Result<quint16> listenOnLoopback(QHttpServer &server, quint16 port, const char *who)
{
    const quint16 bound = server.listen(QHostAddress::LocalHost, port);
    if (bound == 0)
        return makeError("listen",
                         QStringLiteral("%1 cannot listen on port %2.").arg(QLatin1StringView(who)).arg(port));
    return bound;
}

} // namespace openaps::standins
