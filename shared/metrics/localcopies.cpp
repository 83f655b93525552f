#include "metrics/localcopies.h"

#include "core/gzip.h"
#include "metrics/exportfile.h"
#include "metrics/zipmember.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace openaps::metrics {

namespace {

const QString userColumn = QStringLiteral("user_id");

bool holdsParticipants(const ExportSource &source)
{
    if (!source.member.isEmpty() && !source.member.endsWith(QLatin1String(".csv"))
        && !source.member.endsWith(QLatin1String(".ndjson")))
        return false;
    const auto header = readExportHeader(source);
    return header && header->columns.contains(userColumn);
}

// The files in `path` that hold participants' rows.
Result<QList<ExportSource>> participantFiles(const QString &path)
{
    QList<ExportSource> out;
    if (!isZipFile(path)) {
        if (holdsParticipants(ExportSource(path)))
            out << ExportSource(path);
        return out;
    }
    auto names = zipMemberNames(path);
    if (!names)
        return names.error();
    for (const QString &name : std::as_const(*names)) {
        if (holdsParticipants(ExportSource(path, name)))
            out << ExportSource(path, name);
    }
    return out;
}

// Copies a file's records without those of `participants` to `write`.
Result<qint64> filterRecords(const ExportSource &source, const QSet<QString> &participants,
                             const std::function<bool(const QByteArray &)> &write)
{
    qint64 removed = 0;
    QByteArray pending;
    bool ok = true;
    const Status read = readExportRecords(
            source, { userColumn },
            [&](QByteArrayView text, const QList<QByteArray> *values) {
                if (values && participants.contains(QString::fromUtf8(values->at(0)))) {
                    ++removed;
                    return;
                }
                pending.append(text);
                if (pending.size() >= 1024 * 1024) {
                    ok = ok && write(pending);
                    pending.clear();
                }
            },
            [&](qint64) { return ok; });
    if (!ok || (read && !write(pending)))
        return makeError("disk", QStringLiteral("%1 could not be written.").arg(source.name()));
    if (!read)
        return read.error();
    return removed;
}

Error notWritten(const QString &path, const QString &why)
{
    return makeError("disk", QStringLiteral("%1 could not be written again: %2").arg(QFileInfo(path).fileName(), why));
}

Result<qint64> rewriteFile(const QString &path, const QSet<QString> &participants)
{
    const auto header = readExportHeader(ExportSource(path));
    if (!header)
        return header.error();
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return notWritten(path, out.errorString());
    std::unique_ptr<gzip::Deflater> deflater = header->gzip ? std::make_unique<gzip::Deflater>() : nullptr;
    QByteArray compressed;
    auto removed = filterRecords(ExportSource(path), participants, [&](const QByteArray &bytes) {
        if (!deflater)
            return out.write(bytes) == bytes.size();
        compressed.clear();
        deflater->write(bytes, compressed);
        return out.write(compressed) == compressed.size();
    });
    if (!removed)
        return removed.error();
    if (deflater) {
        compressed.clear();
        deflater->finish(compressed);
        if (out.write(compressed) != compressed.size())
            return notWritten(path, out.errorString());
    }
    if (*removed == 0) {
        out.cancelWriting();
        return 0;
    }
    if (!out.commit())
        return notWritten(path, out.errorString());
    return removed;
}

struct ReadFree
{
    void operator()(archive *a) const { archive_read_free(a); }
};
struct WriteFree
{
    void operator()(archive *a) const { archive_write_free(a); }
};

la_ssize_t writeToSaveFile(archive *, void *file, const void *data, size_t size)
{
    const qint64 n = static_cast<QSaveFile *>(file)->write(static_cast<const char *>(data), qint64(size));
    return n == qint64(size) ? la_ssize_t(n) : -1;
}

Result<qint64> rewriteZip(const QString &path, const QSet<QString> &participants)
{
    auto files = participantFiles(path);
    if (!files)
        return files.error();
    QSet<QString> filtered;
    for (const ExportSource &s : std::as_const(*files))
        filtered << s.member;
    std::unique_ptr<archive, ReadFree> in(archive_read_new());
    archive_read_support_format_zip(in.get());
    if (archive_read_open_filename(in.get(), QFile::encodeName(path).constData(), 256 * 1024) != ARCHIVE_OK)
        return notWritten(path, QString::fromUtf8(archive_error_string(in.get())));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return notWritten(path, file.errorString());
    std::unique_ptr<archive, WriteFree> out(archive_write_new());
    const auto failed = [&](archive *a) { return notWritten(path, QString::fromUtf8(archive_error_string(a))); };
    if (archive_write_set_format_zip(out.get()) != ARCHIVE_OK
        || archive_write_set_bytes_in_last_block(out.get(), 1) != ARCHIVE_OK
        || archive_write_open(out.get(), &file, nullptr, writeToSaveFile, nullptr) != ARCHIVE_OK)
        return failed(out.get());
    qint64 removed = 0;
    QByteArray buffer(256 * 1024, Qt::Uninitialized);
    archive_entry *entry = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(in.get(), &entry)) == ARCHIVE_OK) {
        const QString name = QString::fromUtf8(archive_entry_pathname_utf8(entry));
        // libarchive names each entry's method: "ZIP 2.0 (deflation)", "ZIP 1.0 (uncompressed)".
        const bool stored = QByteArray(archive_format_name(in.get())).contains("uncompressed");
        archive_entry *copy = archive_entry_new();
        archive_entry_set_pathname_utf8(copy, archive_entry_pathname_utf8(entry));
        archive_entry_set_filetype(copy, AE_IFREG);
        archive_entry_set_perm(copy, archive_entry_perm(entry) & 07777 ? archive_entry_perm(entry) & 07777 : 0644);
        archive_entry_set_mtime(copy, archive_entry_mtime(entry), 0);
        const bool headerOk = (stored ? archive_write_zip_set_compression_store(out.get())
                                      : archive_write_zip_set_compression_deflate(out.get()))
                        == ARCHIVE_OK
                && archive_write_header(out.get(), copy) == ARCHIVE_OK;
        archive_entry_free(copy);
        if (!headerOk)
            return failed(out.get());
        const auto write = [&](const char *data, qint64 size) {
            return size == 0 || archive_write_data(out.get(), data, size_t(size)) == la_ssize_t(size);
        };
        if (filtered.contains(name)) {
            const auto n = filterRecords(ExportSource(path, name), participants, [&](const QByteArray &bytes) {
                return write(bytes.constData(), bytes.size());
            });
            if (!n)
                return n.error();
            removed += *n;
        } else {
            la_ssize_t n = 0;
            while ((n = archive_read_data(in.get(), buffer.data(), size_t(buffer.size()))) > 0) {
                if (!write(buffer.constData(), n))
                    return failed(out.get());
            }
            if (n < 0)
                return failed(in.get());
        }
        if (archive_write_finish_entry(out.get()) != ARCHIVE_OK)
            return failed(out.get());
    }
    if (status != ARCHIVE_EOF)
        return failed(in.get());
    if (archive_write_close(out.get()) != ARCHIVE_OK)
        return failed(out.get());
    if (removed == 0) {
        file.cancelWriting();
        return 0;
    }
    if (!file.commit())
        return notWritten(path, file.errorString());
    return removed;
}

} // namespace

Result<QHash<QString, qint64>> countParticipantRows(const QString &path, const QSet<QString> &participants)
{
    auto files = participantFiles(path);
    if (!files)
        return files.error();
    QHash<QString, qint64> rows;
    for (const ExportSource &source : std::as_const(*files)) {
        const Status read = readExportRows(source, { userColumn }, [&](const QList<QByteArray> &values) {
            const QString id = QString::fromUtf8(values.at(0));
            if (participants.contains(id))
                ++rows[id];
        });
        if (!read)
            return read.error();
    }
    return rows;
}

Result<qint64> removeParticipantRows(const QString &path, const QSet<QString> &participants)
{
    return isZipFile(path) ? rewriteZip(path, participants) : rewriteFile(path, participants);
}

} // namespace openaps::metrics
