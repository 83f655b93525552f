#include "api/release/zipwriter.h"

#include <QDateTime>

#include <cerrno>

#include <archive.h>
#include <archive_entry.h>

namespace openaps::api {

ZipWriter::~ZipWriter()
{
    if (m_archive)
        archive_write_free(m_archive);
}

Error ZipWriter::failure(const char *what) const
{
    const char *detail = m_archive ? archive_error_string(m_archive) : nullptr;
    return makeError("release",
                     QStringLiteral("Writing the release zip failed (%1): %2")
                             .arg(QLatin1String(what), QString::fromUtf8(detail ? detail : "unknown")));
}

Status ZipWriter::open(const QString &path, bool deflate)
{
    m_archive = archive_write_new();
    if (!m_archive)
        return makeError("release", QStringLiteral("Could not start a zip file."));
    if (archive_write_set_format_zip(m_archive) != ARCHIVE_OK
        || archive_write_set_options(m_archive, deflate ? "zip:compression=deflate" : "zip:compression=store")
                != ARCHIVE_OK
        // A zip ends where its central directory does: no padding block.
        || archive_write_set_bytes_in_last_block(m_archive, 1) != ARCHIVE_OK)
        return failure("options");
    // Blocks of 256 KB to the file (libarchive's default is 10 KB).
    if (archive_write_set_bytes_per_block(m_archive, 256 * 1024) != ARCHIVE_OK)
        return failure("options");
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered))
        return makeError("release", QStringLiteral("Could not write %1: %2").arg(path, m_file.errorString()));
    if (archive_write_open2(m_archive, this, nullptr, &ZipWriter::writeBlock, &ZipWriter::closeFile, nullptr)
        != ARCHIVE_OK)
        return failure("open");
    return {};
}

ssize_t ZipWriter::writeBlock(struct archive *archive, void *self, const void *data, size_t length)
{
    auto *writer = static_cast<ZipWriter *>(self);
    const QByteArrayView block(static_cast<const char *>(data), qsizetype(length));
    if (writer->m_file.write(block.data(), block.size()) != block.size()) {
        archive_set_error(archive, EIO, "%s", qPrintable(writer->m_file.errorString()));
        return -1;
    }
    writer->m_hash.addData(block);
    return ssize_t(length);
}

int ZipWriter::closeFile(struct archive *archive, void *self)
{
    auto *writer = static_cast<ZipWriter *>(self);
    writer->m_file.close();
    if (writer->m_file.error() != QFileDevice::NoError) {
        archive_set_error(archive, EIO, "%s", qPrintable(writer->m_file.errorString()));
        return ARCHIVE_FATAL;
    }
    return ARCHIVE_OK;
}

Status ZipWriter::beginEntry(const QString &name)
{
    if (m_inEntry && archive_write_finish_entry(m_archive) != ARCHIVE_OK)
        return failure("entry");
    archive_entry *entry = archive_entry_new();
    archive_entry_set_pathname_utf8(entry, name.toUtf8().constData());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_mtime(entry, QDateTime::currentSecsSinceEpoch(), 0);
    // No size: libarchive writes the sizes after the data, as ZIP64.
    const int status = archive_write_header(m_archive, entry);
    archive_entry_free(entry);
    if (status != ARCHIVE_OK)
        return failure("header");
    m_inEntry = true;
    return {};
}

Status ZipWriter::write(const QByteArray &data)
{
    if (!data.isEmpty() && archive_write_data(m_archive, data.constData(), size_t(data.size())) < 0)
        return failure("data");
    return {};
}

Status ZipWriter::close()
{
    if (m_inEntry && archive_write_finish_entry(m_archive) != ARCHIVE_OK)
        return failure("entry");
    m_inEntry = false;
    if (archive_write_close(m_archive) != ARCHIVE_OK)
        return failure("close");
    return {};
}

qint64 ZipWriter::bytesWritten() const
{
    return m_archive ? archive_filter_bytes(m_archive, -1) : 0;
}

} // namespace openaps::api
