// The Nightscout address a participant pastes: normalised to a base URL and
// a token. The base never carries a query, fragment or login, and
// normalising it again changes nothing. IP literals go to the address
// policy as the client would judge them.

#include "nightscout/siteurl.h"
#include "fuzzsupport.h"
#include "nightscout/addresspolicy.h"

#include <QHostAddress>

using namespace openaps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto site = ns::SiteUrl::parse(QString::fromUtf8(fuzz::bytes(data, size)));
    if (!site)
        return 0;
    const QUrl base = site->baseUrl();
    if (!base.isValid() || base.host().isEmpty() || base.hasQuery() || base.hasFragment() || !base.userInfo().isEmpty())
        fuzz::fail("siteurl", QStringLiteral("base URL with more than scheme, host, port and path"));
    if (base.scheme() != QLatin1String("https") && base.scheme() != QLatin1String("http"))
        fuzz::fail("siteurl", QStringLiteral("scheme"));
    (void)site->toString();
    (void)site->logId();
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("count"), QStringLiteral("10"));
    if (!site->apiUrl(QStringLiteral("entries.json"), query).isValid())
        fuzz::fail("siteurl", QStringLiteral("API URL"));
    const auto again = ns::SiteUrl::parse(base.toString());
    if (!again || again->baseUrl() != base)
        fuzz::fail("siteurl", QStringLiteral("normalising the base again changed it"));
    const QHostAddress literal(base.host());
    if (!literal.isNull()) {
        (void)ns::refusedAddressKind(literal, ns::AddressScope::PublicOnly);
        (void)ns::refusedAddressKind(literal, ns::AddressScope::AllowLoopback);
    }
    return 0;
}
