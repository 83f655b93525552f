#pragma once

#include <QByteArray>
#include <QFile>
#include <QIODevice>

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

// A read-only window [start, start + length) of a file, as a random-access
// device of that size, so QHttpServerResponder streams it in pieces with
// its Content-Length.
class FileSlice final : public QIODevice
{
public:
    FileSlice(const QString &path, qint64 start, qint64 length);
    bool open(OpenMode mode) override;
    qint64 size() const override { return m_length; }
    bool isSequential() const override { return false; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QFile m_file;
    qint64 m_start;
    qint64 m_length;
};

} // namespace openaps::api
