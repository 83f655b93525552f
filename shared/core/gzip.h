#pragma once

#include <QByteArray>

#include <memory>
#include <optional>

// Streaming gzip (RFC 1952) over zlib: the one deflater and the one inflater
// every part of the project uses (segments, exports, ETL and chart input).
namespace openaps::gzip {

// Compresses bytes as they come into one gzip member, so `zcat` and every
// gzip library read the result.
class Deflater
{
public:
    // Level 6 is zlib's default; memLevel 8 keeps the state at ~256 KB.
    explicit Deflater(int level = 6);
    ~Deflater();
    Deflater(Deflater &&other) noexcept;
    Deflater &operator=(Deflater &&other) noexcept;
    Deflater(const Deflater &) = delete;
    Deflater &operator=(const Deflater &) = delete;

    bool isValid() const;
    // Compresses `size` bytes at `data` and appends what deflate emits to `out`.
    void write(const char *data, qsizetype size, QByteArray &out);
    void write(const QByteArray &data, QByteArray &out) { write(data.constData(), data.size(), out); }
    // Ends the member: the rest and the trailer go to `out`. Nothing may be
    // written after it.
    void finish(QByteArray &out);

private:
    void run(const char *data, qsizetype size, int flush, QByteArray &out);

    struct Stream;
    std::unique_ptr<Stream> m_stream;
};

// Decompresses gzip data pushed in pieces, one or more concatenated members
// (as `gzip` and the export API write them), into caller-owned memory.
class Inflater
{
public:
    enum class Status {
        Ok, // progress made, or more input needed
        MemberEnd, // a member ended; more input starts the next one
        Corrupt, // not gzip, or damaged
    };
    struct Step
    {
        qsizetype consumed = 0; // input bytes used
        qsizetype produced = 0; // output bytes written
        Status status = Status::Ok;
    };

    Inflater();
    ~Inflater();
    Inflater(const Inflater &) = delete;
    Inflater &operator=(const Inflater &) = delete;

    // Inflates from `input` into `output` (at most `outputSize` bytes).
    Step inflate(const char *input, qsizetype inputSize, char *output, qsizetype outputSize);
    // True after a member's last byte until more input arrives: data that
    // ends here is complete; data that ends anywhere else is truncated.
    bool atMemberEnd() const { return m_memberEnd; }

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
    bool m_memberEnd = false;
};

// All of `data` as one gzip member.
QByteArray compress(const QByteArray &data, int level = 6);
// All members of gzip `data`; nullopt if it is corrupt or truncated.
std::optional<QByteArray> decompress(const QByteArray &data);

// True if `data` starts with the gzip magic bytes.
inline bool hasGzipMagic(const QByteArray &data)
{
    return data.size() >= 2 && uchar(data[0]) == 0x1f && uchar(data[1]) == 0x8b;
}

} // namespace openaps::gzip
