#include "site/consenttexts.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace openaps::site {

Result<ConsentTexts> ConsentTexts::load(const QString &dir)
{
    const QString base = (dir.isEmpty() ? QStringLiteral(":/site") : dir) + QStringLiteral("/consent");
    static const QRegularExpression name(QStringLiteral("^v([1-9][0-9]{0,5})\\.html$"));
    ConsentTexts texts;
    int newest = 0;
    const QStringList files = QDir(base).entryList({ QStringLiteral("v*.html") }, QDir::Files);
    for (const QString &file : files) {
        const auto match = name.match(file);
        if (!match.hasMatch())
            continue;
        QFile f(base + QLatin1Char('/') + file);
        if (!f.open(QIODevice::ReadOnly))
            return makeError("site", QStringLiteral("Cannot read the consent text %1.").arg(f.fileName()));
        const QString version = file.chopped(5);
        texts.m_texts.insert(version, QString::fromUtf8(f.readAll()));
        if (match.captured(1).toInt() > newest) {
            newest = match.captured(1).toInt();
            texts.m_current = version;
        }
    }
    if (texts.m_texts.isEmpty())
        return makeError("site", QStringLiteral("The consent texts are missing: %1 holds no v1.html.").arg(base));
    return texts;
}

QString ConsentTexts::currentVersion() const
{
    return m_current;
}

} // namespace openaps::site
