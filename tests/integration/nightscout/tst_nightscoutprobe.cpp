// The probe a participant's address goes through when they submit it: it
// must tell apart unreachable, not Nightscout, needs credentials,
// credentials rejected and OK, in words they can act on.
#include "nstestsupport.h"

#include <QHttpServer>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QtTest>

using namespace openaps;
using namespace nstest;
using Outcome = ns::ProbeResult::Outcome;
using standins::NightscoutSite;

namespace {

const QString kToken = QStringLiteral("openaps-5d41402abc4b2a76");
const QString kSecret = QStringLiteral("my nightscout api secret");
const QString kUnreachable = QStringLiteral("We could not reach your Nightscout site. Check the address, and open it "
                                            "in your browser to see that the site is running.");
const QString kNotPublic = QStringLiteral("We could not reach your Nightscout site. Please enter the public address "
                                          "of your site: the one you open in your browser from anywhere, for "
                                          "example https://yourname.herokuapp.com");

// A resolver that knows only `names`; counts its lookups.
ns::Resolver fakeDns(QHash<QString, QList<QHostAddress>> names, int *lookups)
{
    return [names = std::move(names), lookups](const QString &host, QObject *,
                                               const std::function<void(const QList<QHostAddress> &)> &done) {
        ++*lookups;
        done(names.value(host));
    };
}

enum class Server { Closed, OtherWebSite, NothingThere, StandIn, OldNightscout };

// Nightscout before 14 answered verifyauth with a bare string and only
// vouched for the API secret.
void routeOldNightscout(QHttpServer &server)
{
    server.route(QStringLiteral("/api/v1/status.json"), [] {
        return QHttpServerResponse(QJsonObject { { QStringLiteral("status"), QStringLiteral("ok") },
                                                 { QStringLiteral("name"), QStringLiteral("nightscout") },
                                                 { QStringLiteral("version"), QStringLiteral("0.10.2") } });
    });
    server.route(QStringLiteral("/api/v1/verifyauth"), [] {
        return QHttpServerResponse(QJsonObject { { QStringLiteral("status"), 200 },
                                                 { QStringLiteral("message"), QStringLiteral("UNAUTHORIZED") } });
    });
    server.route(QStringLiteral("/api/v1/entries.json"), [](const QHttpServerRequest &request) {
        if (QUrlQuery(request.url()).queryItemValue(QStringLiteral("token")) != kToken)
            return QHttpServerResponse(QJsonObject { { QStringLiteral("status"), 401 } },
                                       QHttpServerResponse::StatusCode::Unauthorized);
        return QHttpServerResponse(QByteArray("application/json"), QByteArray("[]"));
    });
}

} // namespace

class TestNightscoutProbe : public QObject
{
    Q_OBJECT

private slots:
    void outcomes_data();
    void outcomes();
    void onlyPublicAddresses_data();
    void onlyPublicAddresses();
    void theCheckedAddressIsTheOneConnectedTo();
    void redirectsAreNotFollowed();
    void anUnknownNameReadsLikeAnyOtherFailure();
};

void TestNightscoutProbe::outcomes_data()
{
    QTest::addColumn<Server>("server");
    QTest::addColumn<NightscoutSite::Auth>("auth");
    QTest::addColumn<ns::Credentials>("credentials");
    QTest::addColumn<NightscoutSite::Faults::Failure>("failure");
    QTest::addColumn<Outcome>("outcome");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("messageHas");

    using A = NightscoutSite::Auth;
    using F = NightscoutSite::Faults::Failure;
    const ns::Credentials none;
    const auto token = ns::Credentials::accessToken(kToken);
    const auto wrongToken = ns::Credentials::accessToken(QStringLiteral("openaps-0000000000000000"));
    const auto secret = ns::Credentials::apiSecret(kSecret);
    const auto wrongSecret = ns::Credentials::apiSecret(QStringLiteral("not my api secret"));

    // Whatever kept us from the site, the participant reads the same words:
    // told apart, refused, timed out and failing would map a network.
    QTest::addRow("unreachable: closed port") << Server::Closed << A::Open << none << F::None << Outcome::Unreachable
                                              << QStringLiteral("unreachable") << kUnreachable;
    QTest::addRow("unreachable: never answers") << Server::StandIn << A::Open << none << F::Hang << Outcome::Unreachable
                                                << QStringLiteral("unreachable") << kUnreachable;
    QTest::addRow("unreachable: server error") << Server::StandIn << A::Open << none << F::ServerError
                                               << Outcome::Unreachable << QStringLiteral("unreachable") << kUnreachable;
    QTest::addRow("not Nightscout: another web site")
            << Server::OtherWebSite << A::Open << none << F::None << Outcome::NotNightscout
            << QStringLiteral("not-nightscout") << QStringLiteral("not a Nightscout");
    QTest::addRow("not Nightscout: nothing at the API paths")
            << Server::NothingThere << A::Open << none << F::None << Outcome::NotNightscout
            << QStringLiteral("not-nightscout") << QStringLiteral("not a Nightscout");
    QTest::addRow("not Nightscout: garbage instead of JSON")
            << Server::StandIn << A::Open << none << F::MalformedJson << Outcome::NotNightscout
            << QStringLiteral("not-nightscout") << QStringLiteral("Check the address");
    QTest::addRow("needs token") << Server::StandIn << A::Token << none << F::None << Outcome::NeedsCredentials
                                 << QStringLiteral("needs-credentials") << QStringLiteral("Admin Tools");
    QTest::addRow("needs secret or token")
            << Server::StandIn << A::ApiSecret << none << F::None << Outcome::NeedsCredentials
            << QStringLiteral("needs-credentials") << QStringLiteral("readable");
    QTest::addRow("wrong token") << Server::StandIn << A::Token << wrongToken << F::None << Outcome::CredentialsRejected
                                 << QStringLiteral("credentials-rejected")
                                 << QStringLiteral("did not accept the access token");
    QTest::addRow("wrong API secret") << Server::StandIn << A::ApiSecret << wrongSecret << F::None
                                      << Outcome::CredentialsRejected << QStringLiteral("credentials-rejected")
                                      << QStringLiteral("did not accept the API secret");
    QTest::addRow("token where a secret is needed")
            << Server::StandIn << A::ApiSecret << token << F::None << Outcome::CredentialsRejected
            << QStringLiteral("credentials-rejected") << QStringLiteral("access token");
    QTest::addRow("wrong token on an open site")
            << Server::StandIn << A::Open << wrongToken << F::None << Outcome::CredentialsRejected
            << QStringLiteral("credentials-rejected") << QStringLiteral("access token");
    QTest::addRow("OK: open site") << Server::StandIn << A::Open << none << F::None << Outcome::Ok
                                   << QStringLiteral("ok") << QStringLiteral("can be read");
    QTest::addRow("OK with token") << Server::StandIn << A::Token << token << F::None << Outcome::Ok
                                   << QStringLiteral("ok") << QStringLiteral("can be read");
    QTest::addRow("OK with API secret") << Server::StandIn << A::ApiSecret << secret << F::None << Outcome::Ok
                                        << QStringLiteral("ok") << QStringLiteral("read-only access token is enough");
    QTest::addRow("old Nightscout, read-only token")
            << Server::OldNightscout << A::Open << token << F::None << Outcome::Ok << QStringLiteral("ok")
            << QStringLiteral("can be read");
    QTest::addRow("old Nightscout, no token")
            << Server::OldNightscout << A::Open << none << F::None << Outcome::NeedsCredentials
            << QStringLiteral("needs-credentials") << QStringLiteral("Admin Tools");
}

void TestNightscoutProbe::outcomes()
{
    QFETCH(Server, server);
    QFETCH(NightscoutSite::Auth, auth);
    QFETCH(ns::Credentials, credentials);
    QFETCH(NightscoutSite::Faults::Failure, failure);
    QFETCH(Outcome, outcome);
    QFETCH(QString, code);
    QFETCH(QString, messageHas);

    standins::NightscoutStandIn standIn;
    QVERIFY(standIn.listen().ok());
    QHttpServer other;
    QUrl url = standIn.url();
    switch (server) {
    case Server::Closed: {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        url.setPort(closed.serverPort());
        closed.close();
        break;
    }
    case Server::OtherWebSite:
        other.route(QStringLiteral("/<arg>"), [](const QUrl &) {
            return QHttpServerResponse(QByteArray("text/html"), QByteArray("<html><body>My blog</body></html>"));
        });
        other.route(QStringLiteral("/api/v1/<arg>"), [](const QString &) {
            return QHttpServerResponse(QByteArray("text/html"), QByteArray("<html><body>My blog</body></html>"));
        });
        url.setPort(other.listen(QHostAddress::LocalHost));
        break;
    case Server::NothingThere:
        url.setPort(other.listen(QHostAddress::LocalHost));
        break;
    case Server::OldNightscout:
        routeOldNightscout(other);
        url.setPort(other.listen(QHostAddress::LocalHost));
        break;
    case Server::StandIn:
        break;
    }
    NightscoutSite &site = standIn.site();
    if (auth == NightscoutSite::Auth::Token)
        site.requireToken(kToken);
    if (auth == NightscoutSite::Auth::ApiSecret)
        site.requireApiSecret(kSecret);
    NightscoutSite::Faults faults;
    faults.failure = failure;
    site.setFaults(faults);

    QNetworkAccessManager nam;
    ns::ClientOptions options = fastOptions();
    options.timeout = std::chrono::milliseconds(500);
    options.maxAttempts = 2;
    ns::Client client(&nam, siteUrl(url), credentials, options);
    const auto result = probe(client);
    QVERIFY(result.has_value());
    QCOMPARE(result->outcome, outcome);
    QCOMPARE(result->code, code);
    QVERIFY2(result->message.contains(messageHas), qPrintable(result->message));
    if (outcome == Outcome::Unreachable)
        QCOMPARE(result->message, kUnreachable);
    QVERIFY(!result->message.contains(QLatin1String("127.0.0.1")));
    QVERIFY(!result->message.contains(kToken));
    if (outcome == Outcome::CredentialsRejected)
        QVERIFY(site.requestCount() <= 2); // status.json and verifyauth, never again
    QCOMPARE(result->canWrite, credentials.kind() == ns::Credentials::Kind::ApiSecret && outcome == Outcome::Ok);
}

void TestNightscoutProbe::onlyPublicAddresses_data()
{
    QTest::addColumn<QString>("host"); // the stand-in's port is added
    QTest::addColumn<QList<QHostAddress>>("dns"); // what the name resolves to (empty: not asked)
    const auto a = [](const char *text) { return QHostAddress(QLatin1String(text)); };
    QTest::addRow("loopback IPv4 literal") << QStringLiteral("127.0.0.1") << QList<QHostAddress> {};
    QTest::addRow("localhost") << QStringLiteral("localhost") << QList<QHostAddress> {};
    QTest::addRow("name resolving to loopback (DNS rebinding)")
            << QStringLiteral("rebind.example.org") << QList<QHostAddress> { a("127.0.0.1") };
    QTest::addRow("name resolving to a private address")
            << QStringLiteral("intranet.example.org") << QList<QHostAddress> { a("10.1.2.3") };
    QTest::addRow("name with a public and a private address")
            << QStringLiteral("mixed.example.org") << QList<QHostAddress> { a("93.184.216.34"), a("192.168.1.1") };
    QTest::addRow("cloud metadata") << QStringLiteral("metadata.example.org")
                                    << QList<QHostAddress> { a("169.254.169.254") };
    QTest::addRow("CGNAT") << QStringLiteral("cgnat.example.org") << QList<QHostAddress> { a("100.100.100.200") };
    QTest::addRow("IPv6 loopback") << QStringLiteral("v6.example.org") << QList<QHostAddress> { a("::1") };
    QTest::addRow("IPv6 unique local") << QStringLiteral("ula.example.org")
                                       << QList<QHostAddress> { a("fd00:ec2::254") };
    QTest::addRow("IPv4-mapped loopback")
            << QStringLiteral("mapped.example.org") << QList<QHostAddress> { a("::ffff:127.0.0.1") };
}

void TestNightscoutProbe::onlyPublicAddresses()
{
    QFETCH(QString, host);
    QFETCH(QList<QHostAddress>, dns);
    standins::NightscoutStandIn standIn;
    QVERIFY(standIn.listen().ok());
    standIn.site();
    QNetworkAccessManager nam;
    ns::ClientOptions options = fastOptions();
    options.addresses = ns::AddressScope::PublicOnly; // as `serve` runs by default
    int lookups = 0;
    if (!dns.isEmpty())
        options.resolver = fakeDns({ { host, dns } }, &lookups);
    QUrl url = standIn.url();
    url.setHost(host);
    ns::Client client(&nam, siteUrl(url), {}, options);
    const auto result = probe(client);
    QVERIFY(result.has_value());
    QCOMPARE(result->outcome, Outcome::Unreachable);
    QCOMPARE(result->message, kNotPublic);
    QCOMPARE(standIn.site().requestCount(), 0); // never connected
}

void TestNightscoutProbe::theCheckedAddressIsTheOneConnectedTo()
{
    // The name resolves once, to the address that was checked, and the
    // request goes there itself: a second DNS answer is never asked for, so
    // it cannot point elsewhere. The site still sees its own name.
    QHttpServer site;
    QList<QByteArray> hosts;
    site.setMissingHandler([&hosts](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        hosts.append(request.value("Host"));
        responder.write(QHttpServerResponder::StatusCode::NotFound);
    });
    const quint16 port = site.listen(QHostAddress::LocalHost);
    QVERIFY(port > 0);
    QNetworkAccessManager nam;
    ns::ClientOptions options = fastOptions();
    options.addresses = ns::AddressScope::AllowLoopback;
    int lookups = 0;
    options.resolver = fakeDns({ { QStringLiteral("nightscout.example.org"), { QHostAddress::LocalHost } } }, &lookups);
    ns::Client client(&nam, siteUrl(QUrl(QStringLiteral("http://nightscout.example.org:%1").arg(port))), {}, options);
    const auto result = probe(client);
    QVERIFY(result.has_value());
    QVERIFY(!hosts.isEmpty());
    for (const QByteArray &host : std::as_const(hosts))
        QCOMPARE(host, QByteArray("nightscout.example.org:") + QByteArray::number(port));
    QCOMPARE(lookups, hosts.size()); // one lookup per request, none by Qt behind our back
}

void TestNightscoutProbe::redirectsAreNotFollowed()
{
    standins::NightscoutStandIn standIn;
    QVERIFY(standIn.listen().ok());
    standIn.site();
    QHttpServer redirecting;
    const QUrl target = standIn.url();
    redirecting.setMissingHandler([target](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        QUrl to = target;
        to.setPath(target.path() + request.url().path());
        responder.write(QHttpServerResponder::HeaderList { { "Location", to.toEncoded() } },
                        QHttpServerResponder::StatusCode::Found);
    });
    const quint16 port = redirecting.listen(QHostAddress::LocalHost);
    QNetworkAccessManager nam;
    ns::ClientOptions options = fastOptions();
    options.addresses = ns::AddressScope::AllowLoopback;
    ns::Client client(&nam, siteUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port))), {}, options);
    const auto result = probe(client);
    QVERIFY(result.has_value());
    QCOMPARE(result->outcome, Outcome::Unreachable);
    QVERIFY2(result->message.startsWith(QLatin1String("We could not reach your Nightscout site")),
             qPrintable(result->message));
    QCOMPARE(standIn.site().requestCount(), 0); // where the redirect pointed, nothing arrived
}

void TestNightscoutProbe::anUnknownNameReadsLikeAnyOtherFailure()
{
    QNetworkAccessManager nam;
    ns::ClientOptions options = fastOptions();
    int lookups = 0;
    options.resolver = fakeDns({}, &lookups);
    ns::Client client(&nam, siteUrl(QUrl(QStringLiteral("https://no-such-site.example.org"))), {}, options);
    const auto result = probe(client);
    QVERIFY(result.has_value());
    QCOMPARE(result->outcome, Outcome::Unreachable);
    QCOMPARE(result->message, kUnreachable);
}

QTEST_GUILESS_MAIN(TestNightscoutProbe)
#include "tst_nightscoutprobe.moc"
