#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>

#include <chrono>
#include <functional>
#include <memory>

class QHttpServerResponder;
class QJsonObject;
class QUrl;

namespace openaps::standins {

// Fault switches for one endpoint group of the Open Humans stand-in.
// ServerError, Hang and MalformedJson replace the endpoint without touching
// the stand-in's state (a request that failed and rolled back); a truncated
// body is the real answer cut short, so its work was done (a refresh token
// rotated, a file stored) and only the answer was lost.
struct OpenHumansFaults
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

struct OpenHumansReply
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    static OpenHumansReply json(const QJsonObject &object, int status = 200);
    static OpenHumansReply text(const QByteArray &body, int status, const QByteArray &contentType = "text/plain");
    static OpenHumansReply redirect(const QUrl &location);
};

// Writes replies, or the fault that replaces them. Keeps hanging
// responders alive until it is destroyed.
class OpenHumansReplySender final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OpenHumansReplySender)

public:
    explicit OpenHumansReplySender(QObject *parent = nullptr);
    ~OpenHumansReplySender() override;

    using Producer = std::function<OpenHumansReply()>;

    // Runs `produce` (the endpoint's work) unless a fault replaces it, and
    // writes the answer. `requestNumber` counts the group's requests from 1.
    void send(QHttpServerResponder &&responder, Producer produce, const OpenHumansFaults &faults,
              int requestNumber);
    // The same for an answer computed already (its work is done whatever the fault).
    void send(QHttpServerResponder &&responder, const OpenHumansReply &reply, const OpenHumansFaults &faults,
              int requestNumber);

private:
    static void write(QHttpServerResponder &responder, const Producer &produce,
                      OpenHumansFaults::Failure failure);

    QList<std::shared_ptr<QHttpServerResponder>> m_hanging;
};

} // namespace openaps::standins
