#pragma once

#include "core/result.h"

#include <QIODevice>
#include <QStringList>

struct archive;

namespace openaps::metrics {

// True if the file at `path` starts like a zip (a release).
bool isZipFile(const QString &path);

// The names of the files in a zip, in the order they are stored.
Result<QStringList> zipMemberNames(const QString &path);

// One file inside a zip, read as it is stored (libarchive, flat memory):
// a sequential device, so a zip's data sets read like files on disk.
class ZipMember final : public QIODevice
{
public:
    ZipMember() = default;
    ~ZipMember() override;
    ZipMember(const ZipMember &) = delete;
    ZipMember &operator=(const ZipMember &) = delete;

    // Opens `member` of the zip at `path` for reading; errors "unreadable"
    // (no such file, not a zip) and "not-export" (no such member).
    Status openMember(const QString &path, const QString &member);
    bool isSequential() const override { return true; }
    void close() override;
    // Bytes of the zip file read so far (for progress against its size).
    qint64 zipBytesRead() const;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    archive *m_archive = nullptr;
};

} // namespace openaps::metrics
