#include "ingest/gzipwriter.h"

#include <zlib.h>

#include <utility>

namespace openaps::ingest {

struct GzipWriter::Stream
{
    z_stream z {};
    explicit Stream(int level)
    {
        // 16 + MAX_WBITS: a gzip header and trailer, so `zcat` and every
        // gzip library read the result.
        deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    }
    ~Stream() { deflateEnd(&z); }
};

GzipWriter::GzipWriter(int level) : m_stream(std::make_unique<Stream>(level)), m_level(level) { }

GzipWriter::~GzipWriter() = default;
GzipWriter::GzipWriter(GzipWriter &&other) noexcept = default;
GzipWriter &GzipWriter::operator=(GzipWriter &&other) noexcept = default;

void GzipWriter::write(const QByteArray &bytes)
{
    if (!m_stream)
        m_stream = std::make_unique<Stream>(m_level);
    m_inputBytes += bytes.size();
    deflateInto(bytes.constData(), bytes.size(), Z_NO_FLUSH);
}

QByteArray GzipWriter::finish()
{
    if (!m_stream)
        m_stream = std::make_unique<Stream>(m_level);
    deflateInto(nullptr, 0, Z_FINISH);
    m_stream.reset();
    m_inputBytes = 0;
    return std::exchange(m_output, QByteArray());
}

void GzipWriter::deflateInto(const char *data, qsizetype size, int flush)
{
    z_stream &z = m_stream->z;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    z.avail_in = uInt(size);
    constexpr qsizetype chunk = 64 * 1024;
    int rc = Z_OK;
    do {
        const qsizetype start = m_output.size();
        m_output.resize(start + chunk);
        z.next_out = reinterpret_cast<Bytef *>(m_output.data() + start);
        z.avail_out = uInt(chunk);
        rc = deflate(&z, flush);
        m_output.resize(start + chunk - qsizetype(z.avail_out));
        if (rc == Z_STREAM_ERROR)
            return; // only on misuse of the stream; nothing sensible left to do
    } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

} // namespace openaps::ingest
