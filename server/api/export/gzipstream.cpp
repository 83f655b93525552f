#include "api/export/gzipstream.h"

#include <zlib.h>

namespace openaps::server::api {

GzipStream::GzipStream() : m_stream(std::make_unique<z_stream>())
{
    *m_stream = {};
    // windowBits 15 + 16: a gzip wrapper instead of zlib's. Level 6 is
    // zlib's default; memLevel 8 keeps the state at ~256 KB.
    m_valid = deflateInit2(m_stream.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                           Z_DEFAULT_STRATEGY)
            == Z_OK;
}

GzipStream::~GzipStream()
{
    if (m_valid)
        deflateEnd(m_stream.get());
}

void GzipStream::write(const QByteArray &in, QByteArray &out)
{
    run(in.constData(), in.size(), Z_NO_FLUSH, out);
}

void GzipStream::finish(QByteArray &out)
{
    run(nullptr, 0, Z_FINISH, out);
}

void GzipStream::run(const char *data, qsizetype size, int flush, QByteArray &out)
{
    if (!m_valid)
        return;
    m_stream->next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    m_stream->avail_in = uInt(size);
    char buffer[64 * 1024];
    int result = Z_OK;
    do {
        m_stream->next_out = reinterpret_cast<Bytef *>(buffer);
        m_stream->avail_out = sizeof buffer;
        result = deflate(m_stream.get(), flush);
        out.append(buffer, qsizetype(sizeof buffer - m_stream->avail_out));
    } while (m_stream->avail_out == 0 || (flush == Z_FINISH && result == Z_OK));
}

} // namespace openaps::server::api
