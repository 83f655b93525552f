#include "http/exportstream.h"

#include <QHttpServerResponse>
#include <QLoggingCategory>
#include <QTcpSocket>

namespace openaps::http {

Q_LOGGING_CATEGORY(lcExport, "openaps.server.export", QtInfoMsg)

QList<std::pair<QByteArray, QByteArray>> headersOf(const QHttpServerResponse &response)
{
    // QHttpServerResponse cannot list its headers in Qt 6.4: ask for the
    // ones the API and the site set (api/apierror.cpp, site/httphelpers.cpp).
    static const QByteArray names[] = { "Cache-Control",   "X-Content-Type-Options",  "X-Frame-Options",
                                        "Referrer-Policy", "Content-Security-Policy", "Retry-After" };
    QList<std::pair<QByteArray, QByteArray>> headers;
    for (const QByteArray &name : names) {
        for (const QByteArray &value : response.headers(name))
            headers.append({ name, value });
    }
    return headers;
}

void writeResponse(QHttpServerResponder &responder, const QHttpServerResponse &response)
{
    if (!responder.socket() || !responder.socket()->isOpen())
        return;
    responder.writeStatusLine(QHttpServerResponder::StatusCode(int(response.statusCode())));
    responder.writeHeader("Content-Type", response.mimeType());
    for (const auto &[name, value] : headersOf(response))
        responder.writeHeader(name, value);
    responder.writeHeader("Content-Length", QByteArray::number(response.data().size()));
    responder.writeBody(response.data());
}

ExportStream::ExportStream(QHttpServerResponder &&responder, std::shared_ptr<ChunkQueue> queue,
                           QList<std::pair<QByteArray, QByteArray>> headers, ErrorResponse errorResponse,
                           QObject *parent)
    : QObject(parent),
      m_responder(std::move(responder)),
      m_socket(m_responder.socket()),
      m_queue(std::move(queue)),
      m_headers(std::move(headers)),
      m_errorResponse(std::move(errorResponse))
{
    m_idle.setSingleShot(true);
    m_idle.setInterval(idleTimeoutMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        qCInfo(lcExport, "export client read nothing for %d s: dropped", idleTimeoutMs / 1000);
        cancel();
    });
    if (m_socket) {
        connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
            m_idle.stop();
            pump();
        });
        connect(m_socket, &QTcpSocket::disconnected, this, [this] { end(Outcome::Aborted); });
        connect(m_socket, &QObject::destroyed, this, [this] { end(Outcome::Aborted); });
    }
    // Called on the producer's thread: only post.
    m_queue->setNotify([this] { QMetaObject::invokeMethod(this, &ExportStream::pump, Qt::QueuedConnection); });
}

ExportStream::~ExportStream()
{
    m_queue->cancel();
}

bool ExportStream::socketOpen() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void ExportStream::cancel()
{
    if (m_done)
        return;
    end(Outcome::Aborted);
    if (m_socket)
        m_socket->abort();
}

void ExportStream::revoke(const Error &error)
{
    if (m_done)
        return;
    if (!m_headersSent && socketOpen()) {
        sendError(error);
        end(Outcome::Revoked);
        return;
    }
    end(Outcome::Revoked); // before abort(): its disconnected() would say aborted
    if (m_socket)
        m_socket->abort();
}

void ExportStream::pump()
{
    while (!m_done) {
        if (!socketOpen()) {
            end(Outcome::Aborted);
            return;
        }
        if (m_socket->bytesToWrite() >= socketBound) {
            // bytesWritten calls again; only a client that takes nothing
            // for idleTimeoutMs is dropped (a slow query is not its fault).
            if (!m_idle.isActive())
                m_idle.start();
            return;
        }
        ChunkQueue::Next next = m_queue->next();
        const ChunkQueue::State &state = next.state;
        if (!m_headersSent) {
            if (state.estimate) {
                sendHeaders(*state.estimate);
            } else if (state.finished) {
                sendError(state.error.value_or(makeError("internal", QStringLiteral("The export ended early."))));
                end(Outcome::Failed);
                return;
            } else {
                return;
            }
        }
        if (next.chunk) {
            const QByteArray &chunk = *next.chunk;
            m_responder.writeBody(QByteArray::number(chunk.size(), 16) + "\r\n");
            m_responder.writeBody(chunk);
            m_responder.writeBody("\r\n", 2);
            m_bytes += chunk.size();
            m_rows = next.chunkRows;
        } else if (state.finished) {
            if (state.error) {
                // Never a clean end after a failure: the client must see
                // an incomplete body, not a short "complete" file.
                end(Outcome::Failed); // before abort(): its disconnected() would say aborted
                m_socket->abort();
            } else {
                m_responder.writeBody("0\r\n\r\n", 5);
                end(Outcome::Complete);
            }
            return;
        } else {
            return; // the producer posts pump() when it has more
        }
    }
}

void ExportStream::sendHeaders(qint64 estimate)
{
    m_headersSent = true;
    m_responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    for (const auto &[name, value] : std::as_const(m_headers))
        m_responder.writeHeader(name, value);
    m_responder.writeHeader("X-Export-Rows-Estimate", QByteArray::number(estimate));
    m_responder.writeHeader("Transfer-Encoding", "chunked");
}

void ExportStream::sendError(const Error &error)
{
    m_headersSent = true;
    writeResponse(m_responder, m_errorResponse(error));
}

void ExportStream::end(Outcome outcome)
{
    if (m_done)
        return;
    m_done = true;
    m_idle.stop();
    m_queue->cancel(); // wakes a producer waiting for room; no-op when it finished
    Q_EMIT finished(Result { outcome, m_rows, m_bytes });
}

} // namespace openaps::http
