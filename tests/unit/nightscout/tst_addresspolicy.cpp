// Which addresses a participant's Nightscout address may lead the server to:
// public unicast only; loopback only when explicitly allowed.
#include "nightscout/addresspolicy.h"

#include <QtTest>

using namespace openaps;

class TestAddressPolicy final : public QObject
{
    Q_OBJECT

private slots:
    void kinds_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("kind"); // empty: allowed
        QTest::addColumn<QString>("withLoopback"); // the kind when loopback is allowed
        const auto row = [](const char *address, const char *kind, const char *withLoopback) {
            QTest::addRow("%s", address) << QString::fromLatin1(address) << QString::fromLatin1(kind)
                                         << QString::fromLatin1(withLoopback);
        };
        row("93.184.216.34", "", "");
        row("8.8.8.8", "", "");
        row("2606:4700:4700::1111", "", "");
        row("64:ff9b::808:808", "", ""); // NAT64 of a public IPv4 address
        row("127.0.0.1", "loopback", "");
        row("127.255.0.9", "loopback", "");
        row("::1", "loopback", "");
        row("::ffff:127.0.0.1", "loopback", "");
        row("::7f00:1", "IPv4-compatible", "IPv4-compatible");
        row("0.0.0.0", "unspecified", "unspecified");
        row("::", "unspecified", "unspecified");
        row("10.0.0.1", "private", "private");
        row("172.16.5.4", "private", "private");
        row("172.31.255.255", "private", "private");
        row("192.168.1.1", "private", "private");
        row("::ffff:192.168.1.1", "private", "private");
        row("64:ff9b::a00:1", "private", "private"); // NAT64 of 10.0.0.1
        row("100.64.0.1", "shared (CGNAT)", "shared (CGNAT)");
        row("100.100.100.200", "shared (CGNAT)", "shared (CGNAT)"); // a cloud metadata service
        row("169.254.169.254", "link-local", "link-local"); // the usual cloud metadata service
        row("fe80::1", "link-local", "link-local");
        row("fd00:ec2::254", "unique local", "unique local"); // AWS metadata over IPv6
        row("fc00::1", "unique local", "unique local");
        row("224.0.0.1", "multicast", "multicast");
        row("ff02::1", "multicast", "multicast");
        row("255.255.255.255", "reserved", "reserved");
        row("192.0.2.10", "documentation", "documentation");
        row("198.18.0.1", "benchmarking", "benchmarking");
    }
    void kinds()
    {
        QFETCH(QString, address);
        QFETCH(QString, kind);
        QFETCH(QString, withLoopback);
        const QHostAddress a(address);
        QVERIFY(!a.isNull());
        QCOMPARE(ns::refusedAddressKind(a, ns::AddressScope::PublicOnly), kind);
        QCOMPARE(ns::refusedAddressKind(a, ns::AddressScope::AllowLoopback), withLoopback);
    }

    void theSettingIsExplicit()
    {
        QCOMPARE(ns::addressScope(Config::fromValues({})), ns::AddressScope::PublicOnly);
        QCOMPARE(ns::addressScope(
                         Config::fromValues({ { QStringLiteral("NIGHTSCOUT_ALLOW_LOOPBACK"), QStringLiteral("1") } })),
                 ns::AddressScope::AllowLoopback);
    }
};

QTEST_GUILESS_MAIN(TestAddressPolicy)
#include "tst_addresspolicy.moc"
