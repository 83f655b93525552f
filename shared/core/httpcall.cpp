#include "core/httpcall.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>

namespace openaps {

namespace {
constexpr qint64 sinkReadBuffer = 256 * 1024; // bounds memory while the sink catches up

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

int statusOf(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}
} // namespace

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

HttpCall *HttpCall::start(QNetworkAccessManager *nam, HttpRequest request, QObject *context, Callback callback)
{
    auto *call = new HttpCall(nam, std::move(request), context, std::move(callback));
    call->attempt();
    return call;
}

HttpCall::HttpCall(QNetworkAccessManager *nam, HttpRequest request, QObject *context, Callback callback)
    : QObject(nam),
      m_nam(nam),
      m_request(std::move(request)),
      m_context(context),
      m_callback(std::move(callback))
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &HttpCall::onTimeout);
    if (context)
        connect(context, &QObject::destroyed, this, &HttpCall::abort);
}

void HttpCall::abort()
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

void HttpCall::attempt()
{
    ++m_attempt;
    m_timedOut = false;
    m_headSeen = false;
    QNetworkRequest request = m_request.request;
    request.setAttribute(
            QNetworkRequest::RedirectPolicyAttribute,
            request.attribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy));
    m_reply = m_nam->sendCustomRequest(request, m_request.verb, m_request.body);
    connect(m_reply, &QNetworkReply::finished, this, &HttpCall::onFinished);
    if (m_request.sink) {
        m_reply->setReadBufferSize(sinkReadBuffer);
        connect(m_reply, &QNetworkReply::readyRead, this, &HttpCall::onReadyRead);
    }
    // The timeout measures silence, not total time: a large body may stream for long.
    connect(m_reply, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64) {
        const bool sunk = m_request.sink && isSuccess(statusOf(m_reply));
        if (!sunk && received > m_request.maxResponseBytes) {
            m_reply->disconnect(this);
            m_reply->abort();
            m_reply->deleteLater();
            deliver(makeError("too-large",
                              QStringLiteral("The answer was larger than %1 MB.")
                                      .arg(m_request.maxResponseBytes / (1024 * 1024))));
            return;
        }
        m_timeout.start(m_request.timeout);
    });
    m_timeout.start(m_request.timeout);
}

void HttpCall::onReadyRead()
{
    if (!m_reply || m_sinkFailed || !isSuccess(statusOf(m_reply)))
        return; // an error body stays in the reply for onFinished
    if (!m_headSeen) {
        m_headSeen = true;
        if (m_request.head && !m_request.head(statusOf(m_reply), m_reply->rawHeaderPairs())) {
            m_sinkFailed = true;
            m_reply->abort();
            return;
        }
    }
    const QByteArray chunk = m_reply->readAll();
    if (chunk.isEmpty())
        return;
    if (!m_request.sink(chunk)) {
        m_sinkFailed = true;
        m_reply->abort();
        return;
    }
    m_sunk += chunk.size();
}

void HttpCall::onTimeout()
{
    if (!m_reply)
        return;
    m_timedOut = true;
    m_reply->abort(); // emits finished, handled below
}

void HttpCall::onFinished()
{
    m_timeout.stop();
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    if (m_request.sink && !m_timedOut && !m_sinkFailed)
        onReadyRead(); // whatever arrived with the end of the body
    reply->deleteLater();
    m_reply = nullptr;

    if (m_sinkFailed) {
        deliver(makeError("sink-failed", QStringLiteral("The downloaded data could not be stored.")));
        return;
    }
    if (m_timedOut) {
        Error timeout = makeError("timeout",
                                  QStringLiteral("The server did not answer within %1 seconds.")
                                          .arg(double(m_request.timeout.count()) / 1000.0));
        if (m_sunk > 0)
            deliver(std::move(timeout));
        else
            retryOrFail(std::move(timeout));
        return;
    }
    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttr.isValid()) {
        // No HTTP answer at all: DNS, refused connection, TLS, reset.
        const auto e = reply->error();
        QString message;
        switch (e) {
        case QNetworkReply::HostNotFoundError:
            message = QStringLiteral("The server name could not be found.");
            break;
        case QNetworkReply::ConnectionRefusedError:
            message = QStringLiteral("The server refused the connection.");
            break;
        case QNetworkReply::RemoteHostClosedError:
            message = QStringLiteral("The server closed the connection without answering.");
            break;
        case QNetworkReply::SslHandshakeFailedError:
            message = QStringLiteral("The server's secure connection (TLS) failed.");
            break;
        default:
            message = QStringLiteral("The server could not be reached (network error %1).").arg(int(e));
        }
        retryOrFail(Error { QStringLiteral("unreachable"), message });
        return;
    }
    // A status line arrived but the body was cut short (the connection
    // closed before Content-Length was reached). Reads are safe to repeat;
    // for anything else the server may have acted already, so the partial
    // answer goes to the caller, whose parsing rejects it.
    const QByteArray body = reply->readAll();
    const int status = statusAttr.toInt();
    const bool sunk = m_request.sink && isSuccess(status);
    const qint64 received = sunk ? m_sunk : body.size();
    const QVariant announced = reply->header(QNetworkRequest::ContentLengthHeader);
    // Qt does not always report the close as an error: when its HTTP/1
    // channel finds the socket closed before it saw the close as an error
    // (a matter of timing), it ends the reply as if the close marked the end
    // of a body without length. So the length is checked here. Qt decodes a
    // compressed body, and Content-Length counts the encoded bytes: there,
    // as for a streamed body without length (chunked), only the error tells
    // (and a chunked body cut short can still pass for complete: a known gap).
    const bool hasBody = m_request.verb != "HEAD" && status != 204 && status != 304;
    const bool encoded = !reply->rawHeader("Content-Encoding").isEmpty();
    const bool shortOfLength = hasBody && announced.isValid() && !encoded && received < announced.toLongLong();
    const bool cutOff = shortOfLength
            || (reply->error() != QNetworkReply::NoError && (sunk || (encoded && announced.isValid())));
    const bool idempotent = m_request.verb == "GET" || m_request.verb == "HEAD";
    if (cutOff && (idempotent || sunk)) {
        Error truncated = makeError("truncated",
                                    QStringLiteral("The server's answer was cut off before it was complete."));
        if (m_sunk > 0)
            deliver(std::move(truncated));
        else
            retryOrFail(std::move(truncated));
        return;
    }
    HttpResponse response;
    response.status = status;
    response.body = body;
    response.bytes = received;
    response.url = reply->url();
    response.headers = reply->rawHeaderPairs();
    if ((response.status >= 500 || response.status == 429) && m_attempt < m_request.maxAttempts) {
        retryOrFail(makeError("http", QStringLiteral("The server answered with error %1.").arg(response.status)));
        return;
    }
    deliver(std::move(response));
}

void HttpCall::retryOrFail(Error error)
{
    if (m_attempt >= m_request.maxAttempts) {
        deliver(std::move(error));
        return;
    }
    // Exponential backoff with jitter so many clients do not retry in step.
    const auto base = m_request.firstBackoff.count() << (m_attempt - 1);
    const auto jitter = QRandomGenerator::global()->bounded(qMax<qint64>(1, base / 2 + 1));
    QTimer::singleShot(std::chrono::milliseconds(base + jitter), this, [this] {
        if (!m_done)
            attempt();
    });
}

void HttpCall::deliver(Result<HttpResponse> result)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    if (m_context && m_callback)
        m_callback(std::move(result));
    deleteLater();
}

} // namespace openaps
