#pragma once

#include <QByteArray>

#include <memory>

namespace openaps::ingest {

// Compresses bytes as they come into one gzip member held in memory, so a
// segment being built costs its compressed size, not its JSON size.
class GzipWriter
{
public:
    explicit GzipWriter(int level = 6);
    ~GzipWriter();
    GzipWriter(const GzipWriter &) = delete;
    GzipWriter &operator=(const GzipWriter &) = delete;
    GzipWriter(GzipWriter &&other) noexcept;
    GzipWriter &operator=(GzipWriter &&other) noexcept;

    void write(const QByteArray &bytes);
    // Ends the member and hands out the gzip data; the writer is then empty.
    QByteArray finish();

    qint64 inputBytes() const { return m_inputBytes; }
    // Compressed bytes so far (the last block is still in zlib until finish()).
    qint64 outputBytes() const { return m_output.size(); }

private:
    struct Stream;
    void deflateInto(const char *data, qsizetype size, int flush);

    std::unique_ptr<Stream> m_stream;
    QByteArray m_output;
    qint64 m_inputBytes = 0;
    int m_level;
};

} // namespace openaps::ingest
