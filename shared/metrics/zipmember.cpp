#include "metrics/zipmember.h"

#include <QFile>
#include <QFileInfo>

#include <archive.h>
#include <archive_entry.h>

namespace openaps::metrics {

namespace {

constexpr size_t blockSize = 256 * 1024;

archive *openZip(const QString &path, Error *error)
{
    archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    if (archive_read_open_filename(a, QFile::encodeName(path).constData(), blockSize) != ARCHIVE_OK) {
        *error = makeError("unreadable",
                           QStringLiteral("%1 is not a zip file that can be read (%2).")
                                   .arg(QFileInfo(path).fileName(), QString::fromUtf8(archive_error_string(a))));
        archive_read_free(a);
        return nullptr;
    }
    return a;
}

} // namespace

bool isZipFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(4) == QByteArray("PK\x03\x04", 4);
}

Result<QStringList> zipMemberNames(const QString &path)
{
    Error error;
    archive *a = openZip(path, &error);
    if (!a)
        return error;
    QStringList names;
    archive_entry *entry = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(a, &entry)) == ARCHIVE_OK)
        names << QString::fromUtf8(archive_entry_pathname_utf8(entry));
    if (status != ARCHIVE_EOF)
        error = makeError("unreadable",
                          QStringLiteral("%1 could not be read as a zip (%2).")
                                  .arg(QFileInfo(path).fileName(), QString::fromUtf8(archive_error_string(a))));
    archive_read_free(a);
    if (status != ARCHIVE_EOF)
        return error;
    return names;
}

ZipMember::~ZipMember()
{
    ZipMember::close();
}

Status ZipMember::openMember(const QString &path, const QString &member)
{
    close();
    Error error;
    m_archive = openZip(path, &error);
    if (!m_archive)
        return error;
    archive_entry *entry = nullptr;
    while (archive_read_next_header(m_archive, &entry) == ARCHIVE_OK) {
        if (QString::fromUtf8(archive_entry_pathname_utf8(entry)) == member) {
            QIODevice::open(QIODevice::ReadOnly);
            return {};
        }
    }
    close();
    return makeError("not-export", QStringLiteral("%1 holds no %2.").arg(QFileInfo(path).fileName(), member));
}

void ZipMember::close()
{
    if (m_archive)
        archive_read_free(m_archive);
    m_archive = nullptr;
    if (isOpen())
        QIODevice::close();
}

qint64 ZipMember::zipBytesRead() const
{
    return m_archive ? archive_filter_bytes(m_archive, -1) : 0;
}

qint64 ZipMember::readData(char *data, qint64 maxSize)
{
    if (!m_archive)
        return -1;
    const la_ssize_t n = archive_read_data(m_archive, data, size_t(maxSize));
    if (n < 0)
        setErrorString(QString::fromUtf8(archive_error_string(m_archive)));
    return n;
}

} // namespace openaps::metrics
