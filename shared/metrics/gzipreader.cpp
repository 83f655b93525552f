#include "metrics/gzipreader.h"

#include <QIODevice>

#include <zlib.h>

namespace openaps::metrics {

namespace {
constexpr qint64 inputChunk = 256 * 1024;
}

struct GzipReader::State
{
    z_stream z {};
    QByteArray input;
    bool ok = false;
    bool memberEnded = false;
};

GzipReader::GzipReader(QIODevice &device) : m_device(device), m_state(std::make_unique<State>())
{
    m_state->ok = inflateInit2(&m_state->z, 16 + MAX_WBITS) == Z_OK; // 16: gzip wrapper
}

GzipReader::~GzipReader()
{
    inflateEnd(&m_state->z);
}

Result<QByteArray> GzipReader::read(qint64 max)
{
    State &s = *m_state;
    if (!s.ok)
        return makeError("corrupt", QStringLiteral("The compressed file is damaged."));
    QByteArray out(max, Qt::Uninitialized);
    s.z.next_out = reinterpret_cast<Bytef *>(out.data());
    s.z.avail_out = uInt(max);
    while (s.z.avail_out > 0) {
        if (s.z.avail_in == 0) {
            s.input = m_device.read(inputChunk);
            if (s.input.isEmpty()) {
                if (!s.memberEnded)
                    return makeError("truncated", QStringLiteral("The compressed file ends too early: it is incomplete."));
                break;
            }
            s.z.next_in = reinterpret_cast<Bytef *>(s.input.data());
            s.z.avail_in = uInt(s.input.size());
        }
        const int rc = inflate(&s.z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            s.memberEnded = true;
            inflateReset(&s.z); // another member may follow (concatenated gzip)
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            s.ok = false;
            return makeError("corrupt", QStringLiteral("The compressed file is damaged."));
        }
        s.memberEnded = false;
    }
    out.resize(max - s.z.avail_out);
    return out;
}

} // namespace openaps::metrics
