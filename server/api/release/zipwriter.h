#pragma once

#include "core/result.h"
#include "crypto/sha256.h"

#include <QByteArray>
#include <QFile>
#include <QString>

#include <sys/types.h>

struct archive;

namespace openaps::api {

// A zip file written entry by entry as the data comes, through libarchive:
// nothing is held in memory beyond its block buffer. Entries have no size
// up front, so each carries ZIP64 sizes (after its data), and files over
// 4 GB are fine. The zip's SHA-256 is taken on the way to the file, so
// nothing reads the file back for it.
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
    // The hex SHA-256 of the whole file, once closed (once).
    QByteArray sha256() { return m_hash.hexResult(); }

private:
    Error failure(const char *what) const;
    static ssize_t writeBlock(struct archive *archive, void *self, const void *data, size_t length);
    static int closeFile(struct archive *archive, void *self);

    struct archive *m_archive = nullptr;
    bool m_inEntry = false;
    QFile m_file;
    crypto::Sha256 m_hash;
};

} // namespace openaps::api
