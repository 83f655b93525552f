#include "core/gzip.h"

#include <zlib.h>

namespace openaps::gzip {

namespace {
// windowBits 15 + 16: a gzip header and trailer instead of zlib's.
constexpr int gzipWindowBits = 16 + MAX_WBITS;
constexpr qsizetype outputChunk = 64 * 1024;
} // namespace

struct Deflater::Stream
{
    z_stream z {};
    bool valid = false;
    explicit Stream(int level)
    {
        valid = deflateInit2(&z, level, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~Stream()
    {
        if (valid)
            deflateEnd(&z);
    }
};

Deflater::Deflater(int level) : m_stream(std::make_unique<Stream>(level)) { }
Deflater::~Deflater() = default;
Deflater::Deflater(Deflater &&other) noexcept = default;
Deflater &Deflater::operator=(Deflater &&other) noexcept = default;

bool Deflater::isValid() const
{
    return m_stream && m_stream->valid;
}

void Deflater::write(const char *data, qsizetype size, QByteArray &out)
{
    run(data, size, Z_NO_FLUSH, out);
}

void Deflater::finish(QByteArray &out)
{
    run(nullptr, 0, Z_FINISH, out);
}

void Deflater::run(const char *data, qsizetype size, int flush, QByteArray &out)
{
    if (!isValid())
        return;
    z_stream &z = m_stream->z;
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
    z.avail_in = uInt(size);
    char buffer[outputChunk];
    int rc = Z_OK;
    do {
        z.next_out = reinterpret_cast<Bytef *>(buffer);
        z.avail_out = uInt(sizeof buffer);
        rc = deflate(&z, flush);
        if (rc == Z_STREAM_ERROR)
            return; // only on misuse of the stream; nothing sensible left to do
        out.append(buffer, qsizetype(sizeof buffer - z.avail_out));
    } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

struct Inflater::Stream
{
    z_stream z {};
    bool valid = false;
    Stream() { valid = inflateInit2(&z, gzipWindowBits) == Z_OK; }
    ~Stream()
    {
        if (valid)
            inflateEnd(&z);
    }
};

Inflater::Inflater() : m_stream(std::make_unique<Stream>()) { }
Inflater::~Inflater() = default;

Inflater::Step Inflater::inflate(const char *input, qsizetype inputSize, char *output, qsizetype outputSize)
{
    Step step;
    if (!m_stream->valid) {
        step.status = Status::Corrupt;
        return step;
    }
    z_stream &z = m_stream->z;
    if (m_memberEnd) {
        if (inputSize == 0)
            return step;
        inflateReset(&z); // another member follows (concatenated gzip)
        m_memberEnd = false;
    }
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input));
    z.avail_in = uInt(inputSize);
    z.next_out = reinterpret_cast<Bytef *>(output);
    z.avail_out = uInt(outputSize);
    const int rc = ::inflate(&z, Z_NO_FLUSH);
    step.consumed = inputSize - qsizetype(z.avail_in);
    step.produced = outputSize - qsizetype(z.avail_out);
    if (rc == Z_STREAM_END) {
        m_memberEnd = true;
        step.status = Status::MemberEnd;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        step.status = Status::Corrupt;
    }
    return step;
}

QByteArray compress(const QByteArray &data, int level)
{
    Deflater deflater(level);
    QByteArray out;
    deflater.write(data, out);
    deflater.finish(out);
    return out;
}

std::optional<QByteArray> decompress(const QByteArray &data)
{
    Inflater inflater;
    QByteArray out;
    qsizetype at = 0;
    while (at < data.size()) {
        const qsizetype start = out.size();
        out.resize(start + outputChunk);
        const auto step = inflater.inflate(data.constData() + at, data.size() - at, out.data() + start, outputChunk);
        out.resize(start + step.produced);
        at += step.consumed;
        if (step.status == Inflater::Status::Corrupt)
            return std::nullopt;
    }
    if (!inflater.atMemberEnd())
        return std::nullopt;
    return out;
}

} // namespace openaps::gzip
