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
    qint64 maxResponseBytes = 256 * 1024 * 1024;
};

struct HttpResponse
{
    int status = 0;
    QByteArray body;
    QUrl url; // final URL after redirects
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray header(const QByteArray &name) const;
};

// One HTTP exchange with a timeout and retries with exponential backoff; the
// callback runs exactly once, on the thread of `nam`. Any HTTP answer
// (also 4xx/5xx, after retries of 5xx/429 ran out) arrives as an HttpResponse
// for the caller to interpret; only transport failures are Errors, with codes
// "timeout", "unreachable", "truncated" and "too-large". Messages never contain the URL
// (it may hold a participant's token).
class HttpCall final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpCall)

public:
    using Callback = std::function<void(Result<HttpResponse>)>;

    // Starts the call; it deletes itself after the callback. `context` going
    // away cancels the call without a callback.
    static HttpCall *start(QNetworkAccessManager *nam, HttpRequest request, QObject *context,
                           Callback callback);

    void abort();

private:
    HttpCall(QNetworkAccessManager *nam, HttpRequest request, QObject *context, Callback callback);
    void attempt();
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
    bool m_timedOut = false;
    bool m_done = false;
};

} // namespace openaps
