#include "testfiles.h"

#include "core/gzip.h"

#include <QFile>

#include <archive.h>
#include <archive_entry.h>

namespace openaps::test {

QString writeFile(const QDir &dir, const QString &name, const QByteArray &text)
{
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly))
        return {};
    const QByteArray bytes = name.endsWith(QLatin1String(".gz")) ? gzip::compress(text) : text;
    return file.write(bytes) == bytes.size() ? file.fileName() : QString();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString writeZip(const QString &path, const QList<std::pair<QString, QByteArray>> &members, bool deflate)
{
    archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    bool ok = archive_write_set_options(a, deflate ? "zip:compression=deflate" : "zip:compression=store") == ARCHIVE_OK
            && archive_write_open_filename(a, QFile::encodeName(path).constData()) == ARCHIVE_OK;
    for (const auto &[name, content] : members) {
        if (!ok)
            break;
        archive_entry *entry = archive_entry_new();
        archive_entry_set_pathname_utf8(entry, name.toUtf8().constData());
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        ok = archive_write_header(a, entry) == ARCHIVE_OK
                && archive_write_data(a, content.constData(), size_t(content.size())) == content.size();
        archive_entry_free(entry);
    }
    ok = archive_write_close(a) == ARCHIVE_OK && ok;
    archive_write_free(a);
    return ok ? path : QString();
}

QList<ZipMember> zipMembers(const QByteArray &zip)
{
    QList<ZipMember> out;
    archive *a = archive_read_new();
    archive_read_support_format_zip(a);
    if (archive_read_open_memory(a, zip.constData(), size_t(zip.size())) == ARCHIVE_OK) {
        archive_entry *entry = nullptr;
        while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
            ZipMember member;
            member.name = QString::fromUtf8(archive_entry_pathname_utf8(entry));
            // libarchive names the member's method in the format name: "ZIP 2.0 (uncompressed)".
            member.stored = QByteArray(archive_format_name(a)).contains("uncompressed");
            char buffer[65536];
            la_ssize_t n = 0;
            while ((n = archive_read_data(a, buffer, sizeof buffer)) > 0)
                member.content.append(buffer, n);
            out << member;
        }
    }
    archive_read_free(a);
    return out;
}

QMap<QString, ZipMember> readZip(const QString &path)
{
    QMap<QString, ZipMember> out;
    for (const ZipMember &member : zipMembers(readFile(path)))
        out.insert(member.name, member);
    return out;
}

} // namespace openaps::test
