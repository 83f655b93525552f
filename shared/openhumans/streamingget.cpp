#include "openhumans/streamingget.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace openaps::oh {

namespace {
constexpr qint64 errorBodyLimit = 64 * 1024;
constexpr qint64 readBufferSize = 256 * 1024; // bounds memory while the sink catches up
}

StreamingGet *StreamingGet::start(QNetworkAccessManager *nam, const QNetworkRequest &request,
                                  std::chrono::milliseconds timeout, Sink sink, QObject *context,
                                  Callback callback)
{
    auto *get = new StreamingGet(context, std::move(sink), std::move(callback), timeout);
    get->setParent(nam);
    QNetworkRequest req = request;
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    get->m_reply = nam->get(req);
    get->m_reply->setReadBufferSize(readBufferSize);
    connect(get->m_reply, &QNetworkReply::readyRead, get, &StreamingGet::onReadyRead);
    connect(get->m_reply, &QNetworkReply::finished, get, &StreamingGet::onFinished);
    get->m_timeout.start(timeout);
    return get;
}

StreamingGet::StreamingGet(QObject *context, Sink sink, Callback callback,
                           std::chrono::milliseconds timeout)
    : m_context(context), m_sink(std::move(sink)), m_callback(std::move(callback)),
      m_timeoutLength(timeout)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (!m_reply)
            return;
        m_timedOut = true;
        m_reply->abort();
    });
    if (context)
        connect(context, &QObject::destroyed, this, &StreamingGet::abort);
}

void StreamingGet::abort()
{
    m_done = true;
    m_timeout.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
    deleteLater();
}

void StreamingGet::onReadyRead()
{
    if (!m_reply || m_sinkFailed)
        return;
    m_timeout.start(m_timeoutLength); // silence, not total time
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray chunk = m_reply->readAll();
    m_outcome.status = status;
    if (status < 200 || status >= 300) {
        m_outcome.errorBody.append(chunk.left(errorBodyLimit - m_outcome.errorBody.size()));
        return;
    }
    if (chunk.isEmpty())
        return;
    if (!m_sink(chunk)) {
        m_sinkFailed = true;
        m_reply->abort();
        return;
    }
    m_outcome.bytes += chunk.size();
}

void StreamingGet::onFinished()
{
    m_timeout.stop();
    QNetworkReply *reply = m_reply;
    if (!reply || m_done)
        return;
    if (!m_timedOut && !m_sinkFailed)
        onReadyRead(); // whatever arrived with the end of the body
    reply->deleteLater();
    m_reply = nullptr;

    if (m_sinkFailed) {
        deliver(makeError("sink-failed", QStringLiteral("The downloaded data could not be stored.")));
        return;
    }
    if (m_timedOut) {
        deliver(makeError("timeout", QStringLiteral("The file server did not answer within %1 seconds.")
                                             .arg(m_timeoutLength.count() / 1000.0)));
        return;
    }
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid()) {
        deliver(makeError("unreachable",
                          QStringLiteral("The file server could not be reached (network error %1).")
                                  .arg(int(reply->error()))));
        return;
    }
    m_outcome.status = status.toInt();
    const bool success = m_outcome.status >= 200 && m_outcome.status < 300;
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    const bool incomplete = success && length.isValid() && m_outcome.bytes < length.toLongLong();
    if (success && (reply->error() != QNetworkReply::NoError || incomplete)) {
        deliver(makeError("truncated", QStringLiteral("The download stopped before the end of the file "
                                                      "(%1 bytes arrived).")
                                               .arg(m_outcome.bytes)));
        return;
    }
    deliver(m_outcome);
}

void StreamingGet::deliver(Result<Outcome> result)
{
    if (m_done)
        return;
    m_done = true;
    if (m_context && m_callback)
        m_callback(std::move(result));
    deleteLater();
}

} // namespace openaps::oh
