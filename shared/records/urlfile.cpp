#include "records/urlfile.h"

#include <QUrl>
#include <QUrlQuery>

namespace openaps::records {

QByteArray urlFileContent(const ns::SiteUrl &site, const ns::Credentials &credentials)
{
    QUrl url = site.baseUrl();
    QUrlQuery query;
    switch (credentials.kind()) {
    case ns::Credentials::Kind::AccessToken:
        query.addQueryItem(QStringLiteral("token"), QString::fromUtf8(credentials.wireValue()));
        break;
    case ns::Credentials::Kind::ApiSecret:
        query.addQueryItem(QStringLiteral("api_secret"), QString::fromUtf8(credentials.wireValue()));
        break;
    case ns::Credentials::Kind::None:
        break;
    }
    if (!query.isEmpty()) {
        if (!url.path().endsWith(QLatin1Char('/')))
            url.setPath(url.path() + QLatin1Char('/'));
        url.setQuery(query);
    }
    return url.toString(QUrl::FullyEncoded).toUtf8();
}

Result<NightscoutAccess> parseUrlFile(const QString &text)
{
    QString line;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString &l : lines) {
        if (!l.trimmed().isEmpty()) {
            line = l.trimmed();
            break;
        }
    }
    auto site = ns::SiteUrl::parse(line);
    if (!site)
        return Error { site.error().code,
                       QStringLiteral("The Nightscout address saved in your Open Humans account cannot "
                                      "be used: ")
                               + site.error().message };
    NightscoutAccess access { *site, {} };
    const QString withScheme = line.contains(QLatin1String("://")) ? line : QLatin1String("https://") + line;
    const QString secret = QUrlQuery(QUrl(withScheme)).queryItemValue(QStringLiteral("api_secret"), QUrl::FullyDecoded);
    if (!site->token().isEmpty())
        access.credentials = ns::Credentials::accessToken(site->token());
    else if (!secret.trimmed().isEmpty())
        access.credentials = ns::Credentials::apiSecret(secret.trimmed());
    return access;
}

} // namespace openaps::records
