#pragma once

#include "core/result.h"

#include <QByteArray>

#include <memory>

class QIODevice;

namespace openaps::metrics {

// Reads a gzip file (one or more members, as `gzip` and the export API
// write them) in bounded pieces, so a compressed download can be charted
// without unpacking it first.
class GzipReader
{
public:
    explicit GzipReader(QIODevice &device);
    ~GzipReader();
    GzipReader(const GzipReader &) = delete;
    GzipReader &operator=(const GzipReader &) = delete;

    // Up to `max` decompressed bytes; empty at the end. Errors: "corrupt"
    // (not gzip, or damaged), "truncated" (the file ends inside the data).
    Result<QByteArray> read(qint64 max);

private:
    struct State;
    QIODevice &m_device;
    std::unique_ptr<State> m_state;
};

} // namespace openaps::metrics
