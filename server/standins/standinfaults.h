#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>

#include <chrono>
#include <functional>
#include <memory>

class QHttpServer;
class QHttpServerResponder;
class QJsonObject;
class QUrl;

namespace openaps::standins {

// Fault switches for one endpoint group of a stand-in (Open Humans, Nightscout).
// ServerError, Hang and MalformedJson replace the endpoint without touching
// the stand-in's state (a request that failed and rolled back); a truncated
// body is the real answer cut short, so its work was done (a refresh token
// rotated, a file stored) and only the answer was lost.
struct StandInFaults
{
    enum class Failure {
        None,
        ServerError, // 500 with a JSON detail
        Hang, // never answers (the client's timeout must fire)
        MalformedJson, // 200 with a body that is not JSON
        TruncatedBody, // announces the full length, sends half, closes
    };
    std::chrono::milliseconds latency { 0 }; // before every answer of the group; the
                                             // work is skipped if the client left meanwhile
    Failure failure = Failure::None;
    int onlyRequest = 0; // fail only this request of the group (1 = first); 0 = every one
};

struct StandInReply
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    static StandInReply json(const QJsonObject &object, int status = 200);
    static StandInReply text(const QByteArray &body, int status, const QByteArray &contentType = "text/plain");
    static StandInReply redirect(const QUrl &location);
};

// Writes replies, or the fault that replaces them. Keeps hanging
// responders alive until it is destroyed.
class StandInReplySender final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StandInReplySender)

public:
    explicit StandInReplySender(QObject *parent = nullptr);
    ~StandInReplySender() override;

    using Producer = std::function<StandInReply()>;

    // Runs `produce` (the endpoint's work) unless a fault replaces it, and
    // writes the answer. `requestNumber` counts the group's requests from 1.
    void send(QHttpServerResponder &&responder, Producer produce, const StandInFaults &faults, int requestNumber);
    // The same for an answer computed already (its work is done whatever the fault).
    void send(QHttpServerResponder &&responder, const StandInReply &reply, const StandInFaults &faults,
              int requestNumber);

private:
    static void write(QHttpServerResponder &responder, const Producer &produce, StandInFaults::Failure failure);

    QList<std::shared_ptr<QHttpServerResponder>> m_hanging;
};

// Listens on 127.0.0.1 at `port` (0: a free one): the port, or an error
// naming `who` ("The Nightscout stand-in").
Result<quint16> listenOnLoopback(QHttpServer &server, quint16 port, const char *who);

} // namespace openaps::standins
