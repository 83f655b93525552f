#include "api/release/filerange.h"

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

FileSlice::FileSlice(const QString &path, qint64 start, qint64 length) : m_file(path), m_start(start), m_length(length)
{ }

bool FileSlice::open(OpenMode mode)
{
    if (mode != ReadOnly || !m_file.open(QIODevice::ReadOnly) || !m_file.seek(m_start))
        return false;
    return QIODevice::open(mode);
}

qint64 FileSlice::readData(char *data, qint64 maxSize)
{
    const qint64 left = m_length - pos();
    if (left <= 0)
        return -1;
    if (!m_file.seek(m_start + pos()))
        return -1;
    return m_file.read(data, qMin(maxSize, left));
}

} // namespace openaps::api
