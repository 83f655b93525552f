#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace openaps {

struct HttpRequest
{
    QByteArray verb = "GET";
    QNetworkRequest request;
    QByteArray body;
    std::chrono::milliseconds timeout { 30000 }; // per attempt, restarted while data arrives
    int maxAttempts = 3; // retries only 5xx, 429, timeouts and connection failures
    std::chrono::milliseconds firstBackoff { 500 }; // doubles after each failed attempt
    qint64 maxResponseBytes = 256 * 1024 * 1024; // with a sink: for non-2xx bodies only
    // When set, a 2xx body goes here chunk by chunk as it arrives instead of
    // into HttpResponse::body, so memory stays flat for large downloads.
    // Returning false stops the call with "sink-failed". Once a chunk went
    // to the sink the call is never retried (the sink cannot take data
    // back), and a body cut short is an Error ("truncated"), with or
    // without Content-Length.
    std::function<bool(const QByteArray &chunk)> sink;
    // With a sink: called once per attempt with a 2xx status and the headers,
    // before the first chunk goes to the sink (a resumed download must know
    // whether it got a 206 or the whole file again). Returning false stops
    // the call with "sink-failed".
    std::function<bool(int status, const QList<QPair<QByteArray, QByteArray>> &headers)> head;
};

struct HttpResponse
{
    int status = 0;
    QByteArray body;
    QUrl url; // final URL after redirects
    QList<QPair<QByteArray, QByteArray>> headers;
    qint64 bytes = 0; // body bytes received (given to the sink, when there is one)
    QByteArray header(const QByteArray &name) const;
};

// One HTTP exchange with a timeout and retries with exponential backoff; the
// callback runs exactly once, on the thread of `nam`. Any HTTP answer
// (also 4xx/5xx, after retries of 5xx/429 ran out) arrives as an HttpResponse
// for the caller to interpret; only transport failures are Errors, with codes
// "timeout", "unreachable", "truncated", "too-large" and "sink-failed". Messages never contain the URL
// (it may hold a participant's token).
class HttpCall final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpCall)

public:
    using Callback = std::function<void(Result<HttpResponse>)>;

    // Starts the call; it deletes itself after the callback. `context` going
    // away cancels the call without a callback.
    static HttpCall *start(QNetworkAccessManager *nam, HttpRequest request, QObject *context, Callback callback);

    void abort();

private:
    HttpCall(QNetworkAccessManager *nam, HttpRequest request, QObject *context, Callback callback);
    void attempt();
    void onReadyRead();
    void onFinished();
    void onTimeout();
    void retryOrFail(Error error);
    void deliver(Result<HttpResponse> result);

    QNetworkAccessManager *m_nam;
    HttpRequest m_request;
    QPointer<QObject> m_context;
    Callback m_callback;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timeout;
    int m_attempt = 0;
    qint64 m_sunk = 0;
    bool m_sinkFailed = false;
    bool m_headSeen = false;
    bool m_timedOut = false;
    bool m_done = false;
};

} // namespace openaps
