#pragma once

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

class QIODevice;

namespace openaps::gzip {
class Inflater;
}

namespace openaps::records {

// One record as found in the file: its bytes and where it starts.
struct RawRecord
{
    qint64 line = 0; // 1-based line number where the record starts
    QByteArray bytes; // NUL characters already removed
    QString problem; // non-empty: the record is unusable (e.g. too long)
};

// Reads newline-delimited JSON one record at a time, plain or gzip (sniffed
// from the content, concatenated gzip members included), from any QIODevice,
// with memory bounded by the longest record, never by the file. A file that
// holds one JSON array ("[{...},{...}]", as some old exports do) is split
// into its elements the same way. Empty lines are skipped.
//
// Raw NUL bytes and the JSON escape \u0000 are removed from every record:
// Nightscout devices write them into `device`, and PostgreSQL rejects both in
// text and jsonb.
class NdjsonReader
{
public:
    // `device` must be open for reading and outlive the reader.
    explicit NdjsonReader(QIODevice *device, qint64 maxRecordBytes = 64 * 1024 * 1024);
    ~NdjsonReader();
    NdjsonReader(const NdjsonReader &) = delete;
    NdjsonReader &operator=(const NdjsonReader &) = delete;

    // The next record, or nullopt at the end of the data or on a read error
    // (see error()).
    std::optional<RawRecord> next();

    // Non-empty when reading stopped early: corrupt or truncated gzip data,
    // or a read error. Records returned before stay valid.
    QString error() const { return m_error; }
    // Compressed or plain bytes consumed from the device so far.
    qint64 bytesRead() const { return m_bytesRead; }

private:
    bool fill(); // appends decoded bytes to m_buffer; false at end/error
    std::optional<RawRecord> nextLine();
    std::optional<RawRecord> nextArrayElement();

    QIODevice *m_device;
    qint64 m_maxRecordBytes;
    std::unique_ptr<gzip::Inflater> m_inflater;
    QByteArray m_input;
    QByteArray m_buffer; // decoded bytes not yet consumed
    qsizetype m_pos = 0; // read position in m_buffer
    qint64 m_line = 1; // line number at m_pos
    qint64 m_bytesRead = 0;
    bool m_started = false; // first bytes read (gzip sniffed)
    bool m_sniffed = false; // BOM and array bracket checked
    bool m_arrayMode = false;
    bool m_eof = false;
    QString m_error;
};

// Removes raw NUL bytes and \u0000 escapes (not \\u0000, an escaped
// backslash followed by text) in place. Returns true if anything was removed.
bool stripNul(QByteArray &record);

} // namespace openaps::records
