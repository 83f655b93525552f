#include "site/staticfiles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>

namespace openaps::site {

namespace {

QByteArray mimeTypeFor(const QString &name)
{
    static const QHash<QString, QByteArray> types {
        { QStringLiteral("css"), QByteArrayLiteral("text/css; charset=utf-8") },
        { QStringLiteral("js"), QByteArrayLiteral("text/javascript; charset=utf-8") },
        { QStringLiteral("svg"), QByteArrayLiteral("image/svg+xml") },
        { QStringLiteral("png"), QByteArrayLiteral("image/png") },
        { QStringLiteral("txt"), QByteArrayLiteral("text/plain; charset=utf-8") },
    };
    return types.value(name.section(QLatin1Char('.'), -1).toLower(), QByteArrayLiteral("application/octet-stream"));
}

} // namespace

StaticFiles::StaticFiles(const QString &dir)
{
    const QString base = (dir.isEmpty() ? QStringLiteral(":/site") : dir) + QStringLiteral("/static");
    const QStringList names = QDir(base).entryList(QDir::Files);
    for (const QString &name : names) {
        QFile f(base + QLatin1Char('/') + name);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        File file { mimeTypeFor(name), f.readAll(), {} };
        file.etag = '"' + QCryptographicHash::hash(file.content, QCryptographicHash::Sha256).toHex().left(20) + '"';
        m_files.insert(name, file);
    }
}

const StaticFiles::File *StaticFiles::find(const QString &name) const
{
    const auto it = m_files.constFind(name);
    return it == m_files.cend() ? nullptr : &it.value();
}

} // namespace openaps::site
