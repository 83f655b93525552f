#pragma once

#include <QByteArray>
#include <QFile>
#include <QHttpServerResponder>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <chrono>
#include <optional>

namespace openaps::api {

// The part of a file a GET asks for (RFC 9110 §14): the whole file, one
// byte range (206), or none that fits (416). Several ranges are answered
// with the whole file, as the RFC allows.
struct FileRange
{
    enum class Kind { Whole, Partial, Unsatisfiable };
    Kind kind = Kind::Whole;
    qint64 start = 0;
    qint64 length = 0;

    // `range`: the Range header; `ifRange`: the If-Range header (a range
    // only counts when it names `etag`, the file's current strong ETag).
    static FileRange parse(const QByteArray &range, const QByteArray &ifRange, const QByteArray &etag, qint64 size);
    // "bytes start-end/size" for Content-Range.
    QByteArray contentRange(qint64 size) const;
};

// Sends the window [start, start + length) of a file as the body of one
// answer with its Content-Length, read in 256 KB pieces and written only
// while the socket holds less than 1 MB unsent (its bytesWritten resumes),
// so memory stays flat and a fast client gets the file at disk speed.
// (QHttpServerResponder's own QIODevice answer moves 512 bytes at a time.)
// A client that takes no bytes for `idleTimeout` (0: never) is dropped: a
// stalled reader would otherwise hold its connection and up to 1 MB here
// for ever (it resumes with Range). A slow one that keeps taking bytes is
// not. Deletes itself once the socket has sent the last byte, or when the
// client leaves or is dropped.
class FileStream final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileStream)

public:
    // False (and nothing sent) if the file cannot be read there; otherwise
    // the answer is under way.
    static bool start(QHttpServerResponder &&responder, const QString &path, qint64 start, qint64 length,
                      const QList<std::pair<QByteArray, QByteArray>> &headers, QHttpServerResponder::StatusCode status,
                      std::chrono::milliseconds idleTimeout, QObject *parent);

private:
    FileStream(QHttpServerResponder &&responder, qint64 length, std::chrono::milliseconds idleTimeout, QObject *parent);
    void pump();
    void onIdle();

    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    QFile m_file;
    qint64 m_left;
    QByteArray m_buffer;
    bool m_wroteBody = false;
    QTimer m_idle;
};

} // namespace openaps::api
