#include "researcher/releaseverify.h"

#include "crypto/sha256.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace openaps::researcher {

namespace {

constexpr qint64 blockSize = 256 * 1024;
constexpr qint64 maxManifestBytes = 64 * 1024 * 1024; // thousands of withdrawn pseudonyms at most

Error cancelledError()
{
    return makeError("cancelled", QStringLiteral("The check was cancelled."));
}

Error corrupt(const QString &what)
{
    return makeError("corrupt", QStringLiteral("The release is damaged: %1 Please download it again.").arg(what));
}

bool isCancelled(const std::atomic<bool> *cancelled)
{
    return cancelled && cancelled->load();
}

struct ArchiveFree
{
    void operator()(archive *a) const { archive_read_free(a); }
};

// An entry's content: hashed, counted, and kept whole only for manifest.json.
struct EntryRead
{
    qint64 bytes = 0;
    QByteArray sha256;
    QByteArray content;
};

Result<EntryRead> readEntry(archive *a, bool keep, const std::atomic<bool> *cancelled)
{
    EntryRead read;
    crypto::Sha256 hash;
    QByteArray buffer(blockSize, Qt::Uninitialized);
    for (;;) {
        if (isCancelled(cancelled))
            return cancelledError();
        const la_ssize_t n = archive_read_data(a, buffer.data(), size_t(buffer.size()));
        if (n < 0)
            return makeError("corrupt", QString::fromUtf8(archive_error_string(a)));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        read.bytes += n;
        if (keep) {
            if (read.bytes > maxManifestBytes)
                return makeError("corrupt", QStringLiteral("it is implausibly large"));
            read.content.append(buffer.constData(), n);
        }
    }
    read.sha256 = hash.hexResult();
    return read;
}

Result<QList<ReleaseFile>> listedFiles(const QJsonObject &manifest)
{
    const QJsonValue files = manifest.value(QLatin1String("files"));
    if (!files.isArray())
        return corrupt(QStringLiteral("manifest.json lists no files."));
    QList<ReleaseFile> out;
    for (const QJsonValue v : files.toArray()) {
        const QJsonObject o = v.toObject();
        ReleaseFile f { o.value(QLatin1String("name")).toString(), o.value(QLatin1String("rows")).toInteger(),
                        o.value(QLatin1String("bytes")).toInteger(-1),
                        o.value(QLatin1String("sha256")).toString().toLatin1() };
        if (f.name.isEmpty() || f.sha256.size() != 64 || f.bytes < 0)
            return corrupt(QStringLiteral("manifest.json has an entry without name, size or SHA-256."));
        out << f;
    }
    return out;
}

} // namespace

Result<ReleaseContents> verifyReleaseZip(const QString &path, const std::atomic<bool> *cancelled)
{
    std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
    archive_read_support_format_zip(a.get());
    if (archive_read_open_filename(a.get(), QFile::encodeName(path).constData(), size_t(blockSize)) != ARCHIVE_OK)
        return corrupt(QStringLiteral("it is not a zip file that can be read (%1).")
                               .arg(QString::fromUtf8(archive_error_string(a.get()))));
    QHash<QString, EntryRead> entries;
    QByteArray manifestJson;
    for (;;) {
        archive_entry *entry = nullptr;
        const int status = archive_read_next_header(a.get(), &entry);
        if (status == ARCHIVE_EOF)
            break;
        if (status != ARCHIVE_OK)
            return corrupt(QStringLiteral("its table of contents could not be read (%1).")
                                   .arg(QString::fromUtf8(archive_error_string(a.get()))));
        const QString name = QString::fromUtf8(archive_entry_pathname_utf8(entry));
        if (entries.contains(name))
            return corrupt(QStringLiteral("it holds %1 twice.").arg(name));
        const bool isManifest = name == QLatin1String("manifest.json");
        auto read = readEntry(a.get(), isManifest, cancelled);
        if (!read) {
            if (read.error().code == QLatin1String("corrupt"))
                return corrupt(QStringLiteral("%1 could not be read (%2).").arg(name, read.error().message));
            return read.error();
        }
        if (isManifest)
            manifestJson = std::move(read->content);
        entries.insert(name, *read);
    }
    QJsonParseError parseError;
    const QJsonDocument manifest = QJsonDocument::fromJson(manifestJson, &parseError);
    if (!manifest.isObject())
        return corrupt(entries.contains(QStringLiteral("manifest.json"))
                               ? QStringLiteral("manifest.json is not a JSON object.")
                               : QStringLiteral("it holds no manifest.json."));
    auto files = listedFiles(manifest.object());
    if (!files)
        return files.error();
    for (const ReleaseFile &f : *files) {
        const auto it = entries.constFind(f.name);
        if (it == entries.constEnd())
            return corrupt(QStringLiteral("%1 is missing.").arg(f.name));
        if (it->bytes != f.bytes || it->sha256 != f.sha256)
            return corrupt(QStringLiteral("%1 does not match its SHA-256 in manifest.json.").arg(f.name));
        entries.remove(f.name);
    }
    entries.remove(QStringLiteral("manifest.json"));
    if (!entries.isEmpty())
        return corrupt(QStringLiteral("%1 is not in manifest.json.").arg(entries.keys().constFirst()));
    return ReleaseContents { manifest.object(), *files };
}

Result<ReleaseContents> verifyRelease(const QString &path, const QByteArray &sha256, const std::atomic<bool> *cancelled)
{
    const auto actual = crypto::fileSha256(path, cancelled);
    if (!actual)
        return actual.error();
    if (*actual != sha256.toLower())
        return corrupt(QStringLiteral("the zip's SHA-256 is not the one the server gave (%1 instead of %2).")
                               .arg(QString::fromLatin1(actual->left(12)), QString::fromLatin1(sha256.left(12))));
    return verifyReleaseZip(path, cancelled);
}

} // namespace openaps::researcher
