#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QStringList>

#include <algorithm>
#include <vector>

// The one CSV reader (RFC 4180, as spreadsheets and the researcher API write
// it): comma-separated fields; a field that starts with a double quote may
// hold commas, line breaks and doubled quotes (""), and runs to its closing
// quote (text after it, up to the next comma, is not CSV and is ignored);
// a quote inside an unquoted field is text. Lines end in LF or CRLF. A quote
// left open at the end takes the rest of the data as its field.
namespace openaps::csv {

// One field of a record, as positions in the buffer: [begin, end), a quoted
// field without its quotes (its doubled quotes still doubled).
struct Field
{
    qsizetype begin = 0;
    qsizetype end = 0;
    bool quoted = false;
};
using Record = std::vector<Field>;

// Splits the record that starts at `pos` into `fields` without copying.
// Returns the position after its line end, or -1 when the buffer ends
// inside the record and more data may follow (`atEnd` false): call again
// from `pos` with more data. For readers of large files in pieces.
qsizetype splitRecord(const char *data, qsizetype size, qsizetype pos, bool atEnd, Record &fields);

// A field's text: a quoted field's doubled quotes made single.
QByteArray fieldText(const char *data, const Field &field);

// A line holding nothing at all, which is no record.
inline bool isBlank(const Record &fields)
{
    return fields.size() == 1 && fields.front().end == fields.front().begin;
}

// 3 when `data` starts with a UTF-8 byte-order mark (to be skipped), else 0.
qsizetype bomLength(const char *data, qsizetype size);

// The records of data read in pieces (a large or compressed file): the
// byte-order mark skipped, blank lines dropped, a record that runs across
// pieces joined. Add a piece, take the records it completes, add the next:
//   while (!reader.atEnd()) {
//       reader.add(nextPiece());              // empty at the end of the data
//       while (reader.nextRecord()) use(reader.field(0));
//   }
class ChunkedReader
{
public:
    // The data's next piece; an empty one marks its end (the last record
    // then needs no line break). Makes the current record invalid.
    void add(const QByteArray &piece);
    bool atEnd() const { return m_atEnd; }

    // Moves to the next record that is not blank. False when the pieces
    // added so far hold no further whole record: add the next one.
    bool nextRecord();
    // The current record: positions in data().
    const Record &fields() const { return m_fields; }
    const char *data() const { return m_buffer.constData(); }
    // The text of the current record's field `i`; empty if it has fewer.
    QByteArray field(qsizetype i) const;
    // The current record's bytes as the data holds them, line end included.
    QByteArrayView recordText() const
    {
        return QByteArrayView(m_buffer.constData() + m_start, std::min(m_pos, m_buffer.size()) - m_start);
    }

    // For NDJSON, whose records are lines (not CSV: no quoting): the next
    // line that is not blank, without white space around it; false as
    // nextRecord(). Use one of the two on a reader, not both. The view
    // points into the data (valid until the next add()); recordText() is
    // then the line as the data holds it, line end included.
    bool nextLine(QByteArrayView &line);
    bool nextLine(QByteArray &line);

private:
    QByteArray m_buffer;
    Record m_fields;
    qsizetype m_pos = 0;
    qsizetype m_start = 0; // of the current record
    bool m_atStart = true;
    bool m_atEnd = false;
};

// Every record of `data` as UTF-8 text: the byte-order mark skipped, blank
// lines dropped. Never fails.
QList<QStringList> parse(const QByteArray &data);

} // namespace openaps::csv
