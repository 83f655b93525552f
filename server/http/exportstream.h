#pragma once

#include "core/result.h"
#include "http/chunkqueue.h"

#include <QHttpServerResponder>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

class QHttpServerResponse;
class QTcpSocket;

namespace openaps::http {

// Writes one export (the researcher API's, a participant's own download) to
// its client on the server's thread: the headers once
// the producer has counted the rows, then the producer's chunks with
// chunked transfer encoding, only while the socket has less than
// `socketBound` bytes unsent (its bytesWritten signal resumes the flow), so
// memory stays flat however large the export and however slow the client.
// Ends with the final zero-length chunk when the producer completed; a
// producer failure aborts the connection, so the client sees an incomplete
// body instead of a silently truncated "complete" file.
class ExportStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExportStream)

public:
    enum class Outcome { Complete, Aborted, Failed, Revoked };
    struct Result
    {
        Outcome outcome = Outcome::Failed;
        qint64 rows = 0; // rows sent (with gzip: rows handed to the compressor)
        qint64 bytes = 0; // body bytes sent, without chunk framing
    };

    // The answer when the producer fails before the first row.
    using ErrorResponse = std::function<QHttpServerResponse(const Error &)>;

    // `headers`: the 200 answer's headers besides Transfer-Encoding and
    // the estimate (X-Export-Rows-Estimate), which the stream adds.
    ExportStream(QHttpServerResponder &&responder, std::shared_ptr<ChunkQueue> queue,
                 QList<std::pair<QByteArray, QByteArray>> headers, ErrorResponse errorResponse,
                 QObject *parent = nullptr);
    ~ExportStream() override;

    // Unsent bytes the socket may hold before the stream waits.
    static constexpr qint64 socketBound = 256 * 1024;
    // A client that takes no bytes for this long while the socket is full
    // is dropped.
    static constexpr int idleTimeoutMs = 5 * 60 * 1000;

    // Stops the producer and drops the connection (server shutdown).
    void cancel();
    // The download's token was revoked or its researcher deactivated: the
    // producer stops; a client still waiting for the headers gets `error`,
    // one in the middle of the body a broken connection (never a clean end).
    void revoke(const Error &error);

Q_SIGNALS:
    // Once, when the export ended one way or the other.
    void finished(const openaps::http::ExportStream::Result &result);

private:
    void pump();
    void sendHeaders(qint64 estimate);
    void sendError(const Error &error);
    void end(Outcome outcome);
    bool socketOpen() const;

    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    std::shared_ptr<ChunkQueue> m_queue;
    QList<std::pair<QByteArray, QByteArray>> m_headers;
    ErrorResponse m_errorResponse;
    QTimer m_idle;
    bool m_headersSent = false;
    bool m_done = false;
    qint64 m_bytes = 0;
    qint64 m_rows = 0; // rows whose bytes went to the socket
};

// Writes a finished QHttpServerResponse (an error) through a responder, with
// the headers headersOf() finds; for routes that answer through a responder.
void writeResponse(QHttpServerResponder &responder, const QHttpServerResponse &response);
// The caching, security and Retry-After headers that `response` carries (the
// ones the researcher API and the site set).
QList<std::pair<QByteArray, QByteArray>> headersOf(const QHttpServerResponse &response);

} // namespace openaps::http
