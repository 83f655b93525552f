#include "records/ndjsonreader.h"

#include "core/gzip.h"

#include <QIODevice>

#include <cstring>

namespace openaps::records {

namespace {

constexpr qint64 readChunk = 256 * 1024;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

QString tooLong(qint64 max)
{
    if (max >= 1024 * 1024)
        return QStringLiteral("record longer than %1 MB").arg(max / (1024 * 1024));
    return QStringLiteral("record longer than %1 bytes").arg(max);
}

} // namespace

bool stripNul(QByteArray &record)
{
    const char *data = record.constData();
    const qsizetype size = record.size();
    if (!memchr(data, '\0', size) && !strstr(data, "\\u0000"))
        return false;
    QByteArray out;
    out.reserve(size);
    for (qsizetype i = 0; i < size; ++i) {
        const char c = data[i];
        if (c == '\0')
            continue;
        if (c == '\\' && i + 5 < size && memcmp(data + i + 1, "u0000", 5) == 0) {
            // Only an escape if the backslash itself is not escaped.
            qsizetype backslashes = 0;
            for (qsizetype j = out.size() - 1; j >= 0 && out[j] == '\\'; --j)
                ++backslashes;
            if (backslashes % 2 == 0) {
                i += 5;
                continue;
            }
        }
        out.append(c);
    }
    const bool changed = out.size() != size;
    record = std::move(out);
    return changed;
}

NdjsonReader::NdjsonReader(QIODevice *device, qint64 maxRecordBytes)
    : m_device(device),
      m_maxRecordBytes(maxRecordBytes)
{ }

NdjsonReader::~NdjsonReader() = default;

bool NdjsonReader::fill()
{
    if (m_eof)
        return false;
    // Drop what has been consumed before growing the buffer.
    if (m_pos > 0 && m_pos >= m_buffer.size() / 2) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    const qsizetype before = m_buffer.size();
    while (m_buffer.size() == before) {
        if (m_input.isEmpty()) {
            m_input.resize(readChunk);
            const qint64 n = m_device->read(m_input.data(), readChunk);
            if (n < 0) {
                m_error = QStringLiteral("the file could not be read");
                m_eof = true;
                return false;
            }
            m_input.resize(n);
            m_bytesRead += n;
            if (n == 0) {
                m_eof = true;
                if (m_inflater && !m_inflater->atMemberEnd())
                    m_error = QStringLiteral("the compressed data ends early (truncated file?)");
                return false;
            }
        }
        if (!m_started) {
            m_started = true;
            if (gzip::hasGzipMagic(m_input))
                m_inflater = std::make_unique<gzip::Inflater>();
        }
        if (!m_inflater) {
            m_buffer.append(m_input);
            m_input.clear();
            continue;
        }
        if (m_inflater->atMemberEnd() && !gzip::hasGzipMagic(m_input)) {
            // Concatenated gzip members are one stream; anything else after
            // the end is not ours to guess at.
            m_error = QStringLiteral("unexpected data after the compressed stream");
            m_eof = true;
            return false;
        }
        const qsizetype outStart = m_buffer.size();
        m_buffer.resize(outStart + 4 * readChunk);
        const auto step = m_inflater->inflate(m_input.constData(), m_input.size(), m_buffer.data() + outStart,
                                              4 * readChunk);
        m_buffer.resize(outStart + step.produced);
        m_input.remove(0, step.consumed);
        if (step.status == gzip::Inflater::Status::Corrupt) {
            m_error = QStringLiteral("the compressed data is corrupt");
            m_eof = true;
            return m_buffer.size() > before;
        }
    }
    return true;
}

std::optional<RawRecord> NdjsonReader::next()
{
    if (!m_sniffed) {
        m_sniffed = true;
        // Sniff: a UTF-8 BOM, then '[' for a JSON array file.
        while (m_buffer.size() - m_pos < 3 && fill()) { }
        if (m_buffer.size() - m_pos >= 3 && memcmp(m_buffer.constData() + m_pos, "\xEF\xBB\xBF", 3) == 0)
            m_pos += 3;
        for (;;) {
            while (m_pos < m_buffer.size() && isSpace(m_buffer[m_pos])) {
                if (m_buffer[m_pos] == '\n')
                    ++m_line;
                ++m_pos;
            }
            if (m_pos < m_buffer.size() || !fill())
                break;
        }
        if (m_pos < m_buffer.size() && m_buffer[m_pos] == '[') {
            m_arrayMode = true;
            ++m_pos;
        }
    }
    return m_arrayMode ? nextArrayElement() : nextLine();
}

std::optional<RawRecord> NdjsonReader::nextLine()
{
    for (;;) {
        qsizetype searched = 0;
        const char *newline = nullptr;
        for (;;) {
            const char *start = m_buffer.constData() + m_pos;
            const qsizetype available = m_buffer.size() - m_pos;
            newline = static_cast<const char *>(memchr(start + searched, '\n', available - searched));
            if (newline)
                break;
            searched = available;
            if (available > m_maxRecordBytes) {
                // Skip the rest of this record without keeping it.
                const qint64 line = m_line;
                m_pos = m_buffer.size();
                for (;;) {
                    if (!fill())
                        return RawRecord { line, {}, tooLong(m_maxRecordBytes) };
                    const char *nl = static_cast<const char *>(
                            memchr(m_buffer.constData() + m_pos, '\n', m_buffer.size() - m_pos));
                    if (nl) {
                        m_pos = nl - m_buffer.constData() + 1;
                        ++m_line;
                        return RawRecord { line, {}, tooLong(m_maxRecordBytes) };
                    }
                    m_pos = m_buffer.size();
                }
            }
            if (!fill())
                break;
        }
        const char *start = m_buffer.constData() + m_pos;
        qsizetype length = newline ? newline - start : m_buffer.size() - m_pos;
        if (!newline && length == 0)
            return std::nullopt; // end of data (or read error, see error())
        if (!newline && !m_error.isEmpty())
            return std::nullopt; // a truncated last record is not a record
        RawRecord record;
        record.line = m_line;
        m_pos += length + (newline ? 1 : 0);
        ++m_line;
        if (length > m_maxRecordBytes) {
            record.problem = tooLong(m_maxRecordBytes);
            return record;
        }
        // Trim surrounding whitespace (CR of CRLF files included).
        qsizetype from = 0;
        while (from < length && isSpace(start[from]))
            ++from;
        while (length > from && isSpace(start[length - 1]))
            --length;
        if (length == from)
            continue; // empty line
        record.bytes = QByteArray(start + from, length - from);
        stripNul(record.bytes);
        return record;
    }
}

std::optional<RawRecord> NdjsonReader::nextArrayElement()
{
    for (;;) {
        // Between elements: whitespace and commas.
        for (;;) {
            while (m_pos < m_buffer.size() && (isSpace(m_buffer[m_pos]) || m_buffer[m_pos] == ',')) {
                if (m_buffer[m_pos] == '\n')
                    ++m_line;
                ++m_pos;
            }
            if (m_pos < m_buffer.size())
                break;
            if (!fill())
                return std::nullopt;
        }
        if (m_buffer[m_pos] == ']')
            return std::nullopt; // end of the array; anything after is ignored

        // Scan one element, tracking strings and nesting, across refills.
        const qint64 startLine = m_line;
        qint64 lines = 0;
        qsizetype scan = 0;
        int depth = 0;
        bool inString = false;
        bool escape = false;
        qsizetype length = -1;
        while (length < 0) {
            if (m_pos + scan >= m_buffer.size()) {
                if (scan > m_maxRecordBytes) {
                    m_error = tooLong(m_maxRecordBytes) + QStringLiteral(" in a JSON array file");
                    return std::nullopt;
                }
                if (!fill()) {
                    if (scan == 0 || !m_error.isEmpty())
                        return std::nullopt;
                    length = scan; // unterminated array: take what is there
                    break;
                }
                continue;
            }
            const char c = m_buffer[m_pos + scan];
            if (c == '\n')
                ++lines;
            if (inString) {
                if (escape)
                    escape = false;
                else if (c == '\\')
                    escape = true;
                else if (c == '"')
                    inString = false;
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (depth == 0 && (c == ']' || c == ',')) {
                length = scan; // the array's closing bracket, or the end of an element
                break;
            } else if (c == '}' || c == ']') {
                // A stray '}' at the top level is part of a broken element,
                // never an end: taken as one, it ended an empty element again
                // and again, and the reader never returned (found by fuzzing).
                if (depth > 0 && --depth == 0)
                    length = scan + 1;
            }
            ++scan;
        }
        QByteArray bytes = m_buffer.mid(m_pos, length).trimmed();
        m_pos += length;
        m_line = startLine + lines;
        if (bytes.isEmpty())
            continue;
        stripNul(bytes);
        return RawRecord { startLine, bytes, {} };
    }
}

} // namespace openaps::records
