#include "api/release/filerange.h"

#include "api/apilog.h"

namespace openaps::api {

namespace {

std::optional<qint64> number(const QByteArray &text)
{
    if (text.isEmpty())
        return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

} // namespace

FileRange FileRange::parse(const QByteArray &range, const QByteArray &ifRange, const QByteArray &etag, qint64 size)
{
    const FileRange whole { Kind::Whole, 0, size };
    const QByteArray spec = range.trimmed();
    // An If-Range that no longer names the file: send it all again.
    if (!spec.startsWith("bytes=") || (!ifRange.isEmpty() && ifRange.trimmed() != etag))
        return whole;
    const QByteArray set = spec.mid(6).trimmed();
    const qsizetype dash = set.indexOf('-');
    if (set.contains(',') || dash < 0)
        return whole;
    const auto first = number(set.left(dash).trimmed());
    const auto last = number(set.mid(dash + 1).trimmed());
    if (!first && !last)
        return whole; // malformed: ignored, as the RFC says
    if (!first) { // bytes=-N: the last N bytes
        if (*last == 0 || size == 0)
            return { Kind::Unsatisfiable, 0, 0 };
        const qint64 n = qMin(*last, size);
        return { Kind::Partial, size - n, n };
    }
    if (last && *last < *first)
        return whole;
    if (*first >= size)
        return { Kind::Unsatisfiable, 0, 0 };
    const qint64 end = last ? qMin(*last, size - 1) : size - 1;
    return { Kind::Partial, *first, end - *first + 1 };
}

QByteArray FileRange::contentRange(qint64 size) const
{
    if (kind == Kind::Unsatisfiable)
        return "bytes */" + QByteArray::number(size);
    return "bytes " + QByteArray::number(start) + '-' + QByteArray::number(start + length - 1) + '/'
            + QByteArray::number(size);
}

namespace {
constexpr qint64 pieceBytes = 256 * 1024;
constexpr qint64 socketBound = 1024 * 1024;
} // namespace

bool FileStream::start(QHttpServerResponder &&responder, const QString &path, qint64 start, qint64 length,
                       const QList<std::pair<QByteArray, QByteArray>> &headers, QHttpServerResponder::StatusCode status,
                       std::chrono::milliseconds idleTimeout, QObject *parent)
{
    QFile probe(path);
    if (!probe.open(QIODevice::ReadOnly) || !probe.seek(start) || !responder.socket())
        return false;
    auto *stream = new FileStream(std::move(responder), length, idleTimeout, parent);
    stream->m_file.setFileName(path);
    if (!stream->m_file.open(QIODevice::ReadOnly) || !stream->m_file.seek(start)) {
        stream->m_socket->abort(); // gone since the probe a moment ago
        stream->deleteLater();
        return true;
    }
    stream->m_responder.writeStatusLine(status);
    for (const auto &[name, value] : headers)
        stream->m_responder.writeHeader(name, value);
    stream->m_responder.writeHeader("Content-Length", QByteArray::number(length));
    stream->pump();
    return true;
}

FileStream::FileStream(QHttpServerResponder &&responder, qint64 length, std::chrono::milliseconds idleTimeout,
                       QObject *parent)
    : QObject(parent),
      m_responder(std::move(responder)),
      m_socket(m_responder.socket()),
      m_left(length),
      m_buffer(pieceBytes, Qt::Uninitialized)
{
    connect(m_socket, &QTcpSocket::bytesWritten, this, &FileStream::pump);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket, &QObject::destroyed, this, &QObject::deleteLater);
    m_idle.setSingleShot(true);
    m_idle.setInterval(idleTimeout);
    connect(&m_idle, &QTimer::timeout, this, &FileStream::onIdle);
}

// Called at the start and whenever the socket sent bytes: the client took some.
void FileStream::pump()
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        deleteLater();
        return;
    }
    if (m_idle.interval() > 0)
        m_idle.start();
    while (m_left > 0 && m_socket->bytesToWrite() < socketBound) {
        const qint64 n = m_file.read(m_buffer.data(), qMin<qint64>(pieceBytes, m_left));
        if (n <= 0) {
            m_socket->abort(); // the file went: an incomplete body, never a short "complete" one
            deleteLater();
            return;
        }
        m_responder.writeBody(m_buffer.constData(), n);
        m_wroteBody = true;
        m_left -= n;
    }
    if (m_left > 0)
        return;
    if (!m_wroteBody) {
        m_responder.writeBody("", 0); // headers alone (an empty window): the body is empty
        m_wroteBody = true;
    }
    m_buffer = QByteArray();
    if (m_socket->bytesToWrite() > 0)
        return; // the last bytes are still on their way, and the timeout still applies
    disconnect(m_socket, &QTcpSocket::bytesWritten, this, &FileStream::pump);
    m_idle.stop();
    deleteLater();
}

void FileStream::onIdle()
{
    qCInfo(lcApi, "a release download took no bytes for %lld s: dropped (the client may resume it)",
           qint64(m_idle.interval() / 1000));
    if (m_socket)
        m_socket->abort();
    deleteLater();
}

} // namespace openaps::api
