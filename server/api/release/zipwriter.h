#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

struct archive;

namespace openaps::api {

// A zip file written entry by entry as the data comes, through libarchive:
// nothing is held in memory beyond its block buffer. Entries have no size
// up front, so each carries ZIP64 sizes (after its data), and files over
// 4 GB are fine.
class ZipWriter
{
public:
    ZipWriter() = default;
    ~ZipWriter();
    ZipWriter(const ZipWriter &) = delete;
    ZipWriter &operator=(const ZipWriter &) = delete;

    // `deflate` false: entries stored as they are.
    Status open(const QString &path, bool deflate);
    Status beginEntry(const QString &name);
    Status write(const QByteArray &data);
    // Ends the last entry and writes the central directory.
    Status close();
    // Bytes written to the file so far.
    qint64 bytesWritten() const;

private:
    Error failure(const char *what) const;

    struct archive *m_archive = nullptr;
    bool m_inEntry = false;
};

} // namespace openaps::api
