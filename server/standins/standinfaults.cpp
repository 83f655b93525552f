#include "standins/openhumansfaults.h"

#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

namespace openaps::standins {

OpenHumansReply OpenHumansReply::json(const QJsonObject &object, int status)
{
    return { status, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact), {} };
}

OpenHumansReply OpenHumansReply::text(const QByteArray &body, int status, const QByteArray &contentType)
{
    return { status, contentType, body, {} };
}

OpenHumansReply OpenHumansReply::redirect(const QUrl &location)
{
    return { 302, "text/plain", QByteArray(), { { "Location", location.toEncoded() } } };
}

OpenHumansReplySender::OpenHumansReplySender(QObject *parent) : QObject(parent) { }

OpenHumansReplySender::~OpenHumansReplySender() = default;

void OpenHumansReplySender::send(QHttpServerResponder &&responder, Producer produce,
                                 const OpenHumansFaults &faults, int requestNumber)
{
    const bool failThis = faults.onlyRequest == 0 || faults.onlyRequest == requestNumber;
    const auto failure = failThis ? faults.failure : OpenHumansFaults::Failure::None;
    auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
    if (failure == OpenHumansFaults::Failure::Hang) {
        m_hanging.append(held);
        return;
    }
    if (faults.latency.count() <= 0) {
        write(*held, produce, failure);
        return;
    }
    // The client may give up and close the connection while we wait.
    QPointer<QTcpSocket> socket = held->socket();
    QTimer::singleShot(faults.latency, this, [held, socket, produce, failure] {
        if (socket && socket->state() == QAbstractSocket::ConnectedState)
            write(*held, produce, failure);
    });
}

void OpenHumansReplySender::send(QHttpServerResponder &&responder, const OpenHumansReply &reply,
                                 const OpenHumansFaults &faults, int requestNumber)
{
    send(std::move(responder), Producer([reply] { return reply; }), faults, requestNumber);
}

void OpenHumansReplySender::write(QHttpServerResponder &responder, const Producer &produce,
                                  OpenHumansFaults::Failure failure)
{
    OpenHumansReply out;
    switch (failure) {
    case OpenHumansFaults::Failure::ServerError:
        out = OpenHumansReply::json(QJsonObject { { QStringLiteral("detail"),
                                                    QStringLiteral("A server error occurred.") } },
                                    500);
        break;
    case OpenHumansFaults::Failure::MalformedJson:
        out = OpenHumansReply::text("{\"project_member_id\": \"1234\", \"data\": [{\"id\": ", 200,
                                    "application/json");
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
    if (failure == OpenHumansFaults::Failure::TruncatedBody) {
        responder.writeBody(out.body.left(out.body.size() / 2));
        responder.socket()->flush();
        responder.socket()->disconnectFromHost();
        return;
    }
    responder.writeBody(out.body);
}

} // namespace openaps::standins
