#include "ingest/filelayout.h"

#include "records/datatype.h"

#include <QUrlQuery>

namespace openaps::ingest {

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

ns::Collection collectionOf(records::DataType type)
{
    switch (type) {
    case records::DataType::Entries:
        return ns::Collection::Entries;
    case records::DataType::Treatments:
        return ns::Collection::Treatments;
    case records::DataType::DeviceStatus:
        return ns::Collection::DeviceStatus;
    case records::DataType::Profile:
        return ns::Collection::Profiles;
    }
    return ns::Collection::Entries;
}

} // namespace openaps::ingest
