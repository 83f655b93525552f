#pragma once

#include <QByteArray>

#include <memory>

typedef struct z_stream_s z_stream;

namespace openaps::server::api {

// Streaming deflate with a gzip header and trailer (RFC 1952), so an export
// is compressed as it is produced, in flat memory.
class GzipStream
{
public:
    GzipStream();
    ~GzipStream();
    GzipStream(const GzipStream &) = delete;
    GzipStream &operator=(const GzipStream &) = delete;

    bool isValid() const { return m_valid; }
    // Compresses `in` and appends what deflate emits to `out`.
    void write(const QByteArray &in, QByteArray &out);
    // Flushes the rest and the trailer into `out`; write() after it is an error.
    void finish(QByteArray &out);

private:
    void run(const char *data, qsizetype size, int flush, QByteArray &out);

    std::unique_ptr<z_stream> m_stream;
    bool m_valid = false;
};

} // namespace openaps::server::api
