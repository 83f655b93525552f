#include "nightscout/addresspolicy.h"

#include <QHostInfo>

namespace openaps::ns {

namespace {

struct Range
{
    const char *subnet;
    const char *kind;
};

// IANA's special-purpose registries (RFC 6890 and successors): everything
// here is not a public Nightscout site. Cloud metadata services live at
// 169.254.169.254 (link-local), 100.100.100.200 (CGNAT) and fd00:ec2::254
// (unique local), so they are covered too.
const Range refusedRanges[] = {
    { "0.0.0.0/8", "unspecified" },
    { "10.0.0.0/8", "private" },
    { "100.64.0.0/10", "shared (CGNAT)" },
    { "127.0.0.0/8", "loopback" },
    { "169.254.0.0/16", "link-local" },
    { "172.16.0.0/12", "private" },
    { "192.0.0.0/24", "IETF protocol" },
    { "192.0.2.0/24", "documentation" },
    { "192.88.99.0/24", "6to4 relay" },
    { "192.168.0.0/16", "private" },
    { "198.18.0.0/15", "benchmarking" },
    { "198.51.100.0/24", "documentation" },
    { "203.0.113.0/24", "documentation" },
    { "224.0.0.0/4", "multicast" },
    { "240.0.0.0/4", "reserved" },
    { "::/128", "unspecified" },
    { "::1/128", "loopback" },
    { "::/96", "IPv4-compatible" }, // deprecated; would reach the IPv4 address on some stacks
    { "100::/64", "discard" },
    { "2001::/23", "IETF protocol" },
    { "2001:db8::/32", "documentation" },
    { "2002::/16", "6to4" },
    { "fc00::/7", "unique local" },
    { "fe80::/10", "link-local" },
    { "fec0::/10", "site-local" },
    { "ff00::/8", "multicast" },
};

} // namespace

QString refusedAddressKind(const QHostAddress &address, AddressScope scope)
{
    if (address.isNull())
        return QStringLiteral("invalid");
    // An IPv4 address inside IPv6 (::ffff:a.b.c.d, or NAT64's 64:ff9b::/96)
    // reaches that IPv4 address: judge that one.
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        bool isV4 = false;
        const quint32 v4 = address.toIPv4Address(&isV4);
        if (isV4)
            return refusedAddressKind(QHostAddress(v4), scope);
    }
    if (address.isInSubnet(QHostAddress::parseSubnet(QStringLiteral("64:ff9b::/96")))) {
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        const quint32 embedded = (quint32(bytes[12]) << 24) | (quint32(bytes[13]) << 16) | (quint32(bytes[14]) << 8)
                | quint32(bytes[15]);
        return refusedAddressKind(QHostAddress(embedded), scope);
    }
    for (const Range &range : refusedRanges) {
        if (address.isInSubnet(QHostAddress::parseSubnet(QLatin1String(range.subnet)))) {
            QString kind = QLatin1String(range.kind);
            if (scope == AddressScope::AllowLoopback && kind == QLatin1String("loopback"))
                return {};
            return kind;
        }
    }
    return {};
}

AddressScope addressScope(const Config &config)
{
    return config.value(QStringLiteral("NIGHTSCOUT_ALLOW_LOOPBACK")) == QLatin1String("1") ? AddressScope::AllowLoopback
                                                                                           : AddressScope::PublicOnly;
}

Resolver systemResolver()
{
    return [](const QString &host, QObject *context, std::function<void(const QList<QHostAddress> &)> done) {
        QHostInfo::lookupHost(host, context, [done = std::move(done)](const QHostInfo &info) {
            done(info.error() == QHostInfo::NoError ? info.addresses() : QList<QHostAddress>());
        });
    };
}

} // namespace openaps::ns
