#include "core/csv.h"

#include <algorithm>
#include <cstring>

namespace openaps::csv {

qsizetype splitRecord(const char *data, qsizetype size, qsizetype pos, bool atEnd, Record &fields)
{
    fields.clear();
    Field field { pos, pos, false };
    qsizetype i = pos;
    while (true) {
        if (i < size && data[i] == '"') {
            // Quoted field: runs to the closing quote; "" is an escaped quote.
            field.quoted = true;
            field.begin = i + 1;
            qsizetype j = i + 1;
            while (true) {
                const void *q = j < size ? std::memchr(data + j, '"', size_t(size - j)) : nullptr;
                if (!q) {
                    if (!atEnd)
                        return -1;
                    field.end = size; // left open: the rest is this field
                    fields.push_back(field);
                    return size;
                }
                j = static_cast<const char *>(q) - data;
                if (j + 1 < size && data[j + 1] == '"') {
                    j += 2;
                    continue;
                }
                if (j + 1 >= size && !atEnd)
                    return -1;
                break;
            }
            field.end = j;
            i = j + 1;
            while (i < size && data[i] != ',' && data[i] != '\n')
                ++i; // text after the closing quote is not valid CSV; ignored
        } else {
            while (i < size && data[i] != ',' && data[i] != '\n')
                ++i;
            field.end = i;
        }
        if (i >= size && !atEnd)
            return -1;
        if (!field.quoted && field.end > field.begin && data[field.end - 1] == '\r')
            --field.end;
        fields.push_back(field);
        if (i >= size)
            return size;
        if (data[i] == '\n')
            return i + 1;
        ++i; // comma
        field = { i, i, false };
    }
}

QByteArray fieldText(const char *data, const Field &field)
{
    QByteArray text(data + field.begin, field.end - field.begin);
    if (field.quoted)
        text.replace("\"\"", "\"");
    return text;
}

qsizetype bomLength(const char *data, qsizetype size)
{
    return size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

void ChunkedReader::add(const QByteArray &piece)
{
    m_buffer.remove(0, std::min(m_pos, m_buffer.size()));
    m_pos = 0;
    m_start = 0;
    m_fields.clear();
    m_atEnd = piece.isEmpty();
    m_buffer += piece;
    if (m_atStart && (m_buffer.size() >= 3 || m_atEnd)) { // a byte-order mark may arrive split
        m_pos = bomLength(m_buffer.constData(), m_buffer.size());
        m_atStart = false;
    }
}

bool ChunkedReader::nextRecord()
{
    while (!m_atStart && m_pos < m_buffer.size()) {
        const qsizetype next = splitRecord(m_buffer.constData(), m_buffer.size(), m_pos, m_atEnd, m_fields);
        if (next < 0)
            return false;
        m_start = m_pos;
        m_pos = next;
        if (!isBlank(m_fields))
            return true;
    }
    return false;
}

QByteArray ChunkedReader::field(qsizetype i) const
{
    return i >= 0 && i < qsizetype(m_fields.size()) ? fieldText(m_buffer.constData(), m_fields[size_t(i)])
                                                    : QByteArray();
}

bool ChunkedReader::nextLine(QByteArrayView &line)
{
    while (!m_atStart && m_pos < m_buffer.size()) {
        qsizetype end = m_buffer.indexOf('\n', m_pos);
        if (end < 0 && !m_atEnd)
            return false;
        if (end < 0)
            end = m_buffer.size(); // the last line, without its line break
        line = QByteArrayView(m_buffer).sliced(m_pos, end - m_pos).trimmed();
        m_start = m_pos;
        m_pos = end + 1;
        if (!line.isEmpty())
            return true;
    }
    return false;
}

bool ChunkedReader::nextLine(QByteArray &line)
{
    QByteArrayView view;
    if (!nextLine(view))
        return false;
    line = view.toByteArray();
    return true;
}

QList<QStringList> parse(const QByteArray &data)
{
    QList<QStringList> rows;
    Record fields;
    const char *d = data.constData();
    qsizetype pos = bomLength(d, data.size());
    while (pos < data.size()) {
        pos = splitRecord(d, data.size(), pos, true, fields);
        if (isBlank(fields))
            continue;
        QStringList row;
        row.reserve(qsizetype(fields.size()));
        for (const Field &f : fields)
            row << QString::fromUtf8(fieldText(d, f));
        rows << row;
    }
    return rows;
}

} // namespace openaps::csv
