#pragma once

#include "core/result.h"

#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace openaps::oh {

// One GET whose successful body goes to a sink chunk by chunk as it arrives.
// HttpCall keeps whole bodies in memory, which the ETL cannot afford for
// large files; this is the only place that streams. No retries: a body that
// was partly handed to the sink cannot be taken back.
class StreamingGet final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamingGet)

public:
    // Returns false to stop the download (the sink could not take the data).
    using Sink = std::function<bool(const QByteArray &chunk)>;

    struct Outcome
    {
        int status = 0;
        qint64 bytes = 0; // handed to the sink (2xx only)
        QByteArray errorBody; // start of a non-2xx body, for error details
    };
    using Callback = std::function<void(Result<Outcome>)>;

    // The callback runs exactly once unless `context` is destroyed first.
    // Errors: "timeout" (silence longer than `timeout`), "unreachable",
    // "truncated" (the connection ended before the whole body),
    // "sink-failed" (the sink returned false).
    static StreamingGet *start(QNetworkAccessManager *nam, const QNetworkRequest &request,
                               std::chrono::milliseconds timeout, Sink sink, QObject *context,
                               Callback callback);

    // Stops without calling back.
    void abort();

private:
    StreamingGet(QObject *context, Sink sink, Callback callback, std::chrono::milliseconds timeout);
    void onReadyRead();
    void onFinished();
    void deliver(Result<Outcome> result);

    QPointer<QObject> m_context;
    Sink m_sink;
    Callback m_callback;
    std::chrono::milliseconds m_timeoutLength;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timeout;
    Outcome m_outcome;
    bool m_timedOut = false;
    bool m_sinkFailed = false;
    bool m_done = false;
};

} // namespace openaps::oh
