#include "nightscout/siteurl.h"

#include <QCryptographicHash>
#include <QHostAddress>
#include <QRegularExpression>

namespace openaps::ns {

namespace {

// Nightscout pages and API paths people copy from their browser. Everything
// from one of these segments on is dropped; what comes before it is kept
// because Nightscout can be hosted below a path prefix.
const QStringList &pageSegments()
{
    static const QStringList segments {
        QStringLiteral("api"),     QStringLiteral("admin"),      QStringLiteral("report"),
        QStringLiteral("reports"), QStringLiteral("profile"),    QStringLiteral("food"),
        QStringLiteral("clock"),   QStringLiteral("index.html"), QStringLiteral("pebble"),
    };
    return segments;
}

QString cleanPath(const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    QStringList kept;
    for (const QString &raw : parts) {
        // Spaces around a segment would not survive the input's trimming
        // when the saved base is read again.
        const QString part = raw.trimmed();
        if (part.isEmpty())
            continue;
        if (pageSegments().contains(part, Qt::CaseInsensitive) || part.startsWith(QLatin1Char('#')))
            break;
        kept.append(part);
    }
    return kept.isEmpty() ? QString() : QLatin1Char('/') + kept.join(QLatin1Char('/'));
}

bool plausibleHost(const QString &host)
{
    if (host.isEmpty())
        return false;
    if (host == QLatin1String("localhost") || !QHostAddress(host).isNull())
        return true;
    // A public name has a dot and labels of letters, digits and hyphens.
    static const QRegularExpression label(QStringLiteral(R"(^[a-z0-9]([a-z0-9-]*[a-z0-9])?$)"));
    const QStringList labels = host.split(QLatin1Char('.'));
    if (labels.size() < 2)
        return false;
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch())
            return false;
    }
    return true;
}

Error notAnAddress()
{
    return makeError("invalid-url",
                     QStringLiteral("That does not look like a web address. Copy the address of your "
                                    "Nightscout site from your browser, for example "
                                    "https://yourname.herokuapp.com"));
}

} // namespace

Result<SiteUrl> SiteUrl::parse(const QString &input)
{
    QString text = input.trimmed();
    // People paste with quotes or angle brackets from e-mails and chats.
    while (text.size() >= 2 && QStringLiteral("\"'<").contains(text.front())
           && QStringLiteral("\"'>").contains(text.back()))
        text = text.mid(1, text.size() - 2).trimmed();
    if (text.isEmpty())
        return makeError("empty", QStringLiteral("Please enter the address of your Nightscout site."));
    // The saved base is QUrl::toString(), which shows an encoded space in
    // the path as a space; strict parsing refuses spaces, so a site whose
    // path has one could not be read back (found by fuzzing). A space in a
    // host stays an invalid address.
    text.replace(QLatin1Char(' '), QLatin1String("%20"));

    static const QRegularExpression schemePrefix(QStringLiteral(R"(^([a-zA-Z][a-zA-Z0-9+.-]*)://)"));
    const auto scheme = schemePrefix.match(text);
    if (!scheme.hasMatch())
        text = QLatin1String("https://") + text;
    else if (scheme.captured(1).compare(QLatin1String("http"), Qt::CaseInsensitive) != 0
             && scheme.captured(1).compare(QLatin1String("https"), Qt::CaseInsensitive) != 0)
        return makeError("unsupported-scheme", QStringLiteral("The address must start with https:// (or http://)."));

    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return notAnAddress();
    if (!url.userInfo().isEmpty())
        return makeError("invalid-url",
                         QStringLiteral("Remove the user name and password from the "
                                        "address; enter a token or API secret "
                                        "in its own field instead."));
    const QString host = url.host(); // QUrl lower-cases the host
    if (!plausibleHost(host))
        return makeError("invalid-host",
                         QStringLiteral("That is not a complete web address: the name of a "
                                        "Nightscout site usually ends in something like "
                                        ".herokuapp.com or .ns.10be.de."));

    SiteUrl site;
    site.m_base.setScheme(url.scheme().toLower());
    site.m_base.setHost(host);
    site.m_base.setPort(url.port());
    site.m_base.setPath(cleanPath(url.path()));
    site.m_token = QUrlQuery(url).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).trimmed();
    // Some people copy a URL whose fragment carries the token: "/#?token=x".
    if (site.m_token.isEmpty() && url.fragment().contains(QLatin1String("token="))) {
        const QString fragment = url.fragment();
        site.m_token = QUrlQuery(fragment.mid(fragment.indexOf(QLatin1Char('?')) + 1))
                               .queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded)
                               .trimmed();
    }
    return site;
}

QString SiteUrl::toString() const
{
    const int port = m_base.port();
    if (port < 0)
        return m_base.host();
    return m_base.host() + QLatin1Char(':') + QString::number(port);
}

QString SiteUrl::logId() const
{
    const QByteArray digest = QCryptographicHash::hash(m_base.toString().toUtf8(), QCryptographicHash::Sha256);
    return QString::fromLatin1(digest.toHex().left(12));
}

QUrl SiteUrl::apiUrl(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_base;
    url.setPath(m_base.path() + QLatin1String("/api/v1/") + path);
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

} // namespace openaps::ns
