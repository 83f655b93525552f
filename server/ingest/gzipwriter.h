#pragma once

#include "core/gzip.h"

#include <QByteArray>

#include <optional>

namespace openaps::ingest {

// Compresses bytes as they come into one gzip member held in memory, so a
// segment being built costs its compressed size, not its JSON size.
class GzipWriter
{
public:
    explicit GzipWriter(int level = 6) : m_level(level) { }

    void write(const QByteArray &bytes);
    // Ends the member and hands out the gzip data; the writer is then empty.
    QByteArray finish();

    qint64 inputBytes() const { return m_inputBytes; }
    // Compressed bytes so far (the last block is still in zlib until finish()).
    qint64 outputBytes() const { return m_output.size(); }

private:
    gzip::Deflater &deflater();

    std::optional<gzip::Deflater> m_deflater; // a new one for each member
    QByteArray m_output;
    qint64 m_inputBytes = 0;
    int m_level;
};

} // namespace openaps::ingest
