// The participant site's defences, on SQLite and PostgreSQL, over real HTTP:
// security headers, CSRF, OAuth state, session handling, limits.

#include "siteharness.h"

#include <QSqlQuery>
#include <QTest>

using namespace openaps;
using namespace openaps::test;

class TestSiteSecurity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { addBackendRows(); }

    void securityHeaders_data();
    void securityHeaders();
    void httpsAddsHstsAndSecureCookie();
    void csrf_data();
    void csrf();
    void oauthState_data();
    void oauthState();
    void loginStartsNewSessionAndSealsTokens();
    void sessionSurvivesRestart();
    void oversizedBodyIsRefused();
    void postsAreRateLimited();
    void ipv6ClientsCountByTheir64();
    void preLoginSessionsLiveMinutes();
    void loginIsRateLimited();
    void notFoundPageLeaksNothing();
};

// A site on this row's backend, optionally with changed options.
#define HARNESS_WITH(tweak)                                                                                            \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    SiteHarness site(backend, tweak);                                                                                  \
    QVERIFY2(site.isValid(), "the site did not start")
#define HARNESS() HARNESS_WITH(SiteHarness::Tweak())

void TestSiteSecurity::securityHeaders_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addRow("landing") << "/" << 200;
    QTest::addRow("logged-in page without session") << "/me" << 303;
    QTest::addRow("login start") << "/login" << 303;
    QTest::addRow("static file") << "/static/site.css" << 200;
    QTest::addRow("missing page") << "/no/such/page" << 404;
    QTest::addRow("health, another subsystem") << "/healthz" << 200;
}

void TestSiteSecurity::securityHeaders()
{
    QFETCH(QString, path);
    QFETCH(int, status);
    HARNESS();
    const HttpReply reply = site.get(path);
    QCOMPARE(reply.status, status);
    const QByteArray csp = reply.header("Content-Security-Policy");
    QVERIFY2(csp.contains("script-src 'self'"), csp.constData());
    QVERIFY(!csp.contains("unsafe-inline"));
    QVERIFY(csp.contains("frame-ancestors 'none'"));
    QCOMPARE(reply.header("X-Frame-Options"), QByteArray("DENY"));
    QCOMPARE(reply.header("Referrer-Policy"), QByteArray("same-origin"));
    QCOMPARE(reply.header("X-Content-Type-Options"), QByteArray("nosniff"));
    QVERIFY2(reply.header("Strict-Transport-Security").isEmpty(), "no HSTS over plain HTTP");
}

void TestSiteSecurity::httpsAddsHstsAndSecureCookie()
{
    HARNESS_WITH([](site::ParticipantSite::Options &o) {
        o.settings.publicUrl = QUrl(QStringLiteral("https://datacommons.example"));
        o.settings.https = true;
        o.settings.hstsSeconds = 31536000;
    });
    const HttpReply reply = site.get(QStringLiteral("/login"));
    QCOMPARE(reply.status, 303);
    QCOMPARE(reply.header("Strict-Transport-Security"), QByteArray("max-age=31536000"));
    const QByteArray cookie = reply.header("Set-Cookie");
    QVERIFY2(cookie.startsWith("__Host-openaps_session="), cookie.constData());
    QVERIFY(cookie.contains("; Secure"));
    QVERIFY(cookie.contains("; HttpOnly"));
    QVERIFY(cookie.contains("; SameSite=Lax"));
    QVERIFY(cookie.contains("; Path=/"));
}

void TestSiteSecurity::csrf_data()
{
    QTest::addColumn<QString>("token"); // "good", "none", "wrong", "other-session"
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<int>("status");
    QTest::addRow("right token") << "good" << QByteArray() << 303;
    QTest::addRow("right token, own origin") << "good" << QByteArray("self") << 303;
    QTest::addRow("no token") << "none" << QByteArray() << 403;
    QTest::addRow("wrong token") << "wrong" << QByteArray() << 403;
    QTest::addRow("another session's token") << "other-session" << QByteArray() << 403;
    QTest::addRow("right token from another site") << "good" << QByteArray("https://evil.example") << 403;
}

void TestSiteSecurity::csrf()
{
    QFETCH(QString, token);
    QFETCH(QByteArray, origin);
    QFETCH(int, status);
    HARNESS();
    const QString cookie = site.login();
    QVERIFY(!cookie.isEmpty());
    const QString other = site.login();
    QVERIFY(!other.isEmpty());

    QString csrf;
    if (token == QLatin1String("good"))
        csrf = SiteHarness::csrfToken(site.get(QStringLiteral("/me"), cookie).body);
    else if (token == QLatin1String("wrong"))
        csrf = QStringLiteral("not-the-token");
    else if (token == QLatin1String("other-session"))
        csrf = SiteHarness::csrfToken(site.get(QStringLiteral("/me"), other).body);
    QUrlQuery form;
    if (!csrf.isEmpty())
        form.addQueryItem(QStringLiteral("csrf"), csrf);
    QList<QPair<QByteArray, QByteArray>> headers;
    if (origin == "self")
        headers.append({ "Origin", site.options().settings.origin() });
    else if (!origin.isEmpty())
        headers.append({ "Origin", origin });

    const HttpReply reply = site.post(QStringLiteral("/logout"), form.toString(QUrl::FullyEncoded).toUtf8(), cookie,
                                      headers);
    QCOMPARE(reply.status, status);
    const int stillLoggedIn = site.get(QStringLiteral("/me"), cookie).status;
    if (status == 403) {
        QVERIFY(reply.body.contains("This form has expired"));
        QCOMPARE(stillLoggedIn, 200); // a refused logout changes nothing
    } else {
        QCOMPARE(stillLoggedIn, 303); // logged out: back to the start page
    }
}

void TestSiteSecurity::oauthState_data()
{
    QTest::addColumn<QString>("variant");
    QTest::addRow("no pre-login session") << "no-session";
    QTest::addRow("state of another login") << "other-state";
    QTest::addRow("no state") << "no-state";
    QTest::addRow("state used twice") << "replay";
}

void TestSiteSecurity::oauthState()
{
    QFETCH(QString, variant);
    HARNESS();
    using Endpoint = standins::OpenHumansStandIn::Endpoint;
    const QString member = site.openHumans().addMember();
    const HttpReply start = site.get(QStringLiteral("/login"));
    QCOMPARE(start.status, 303);
    const QString preLogin = start.sessionCookie();
    QString state = QUrlQuery(QUrl(QString::fromLatin1(start.header("Location"))))
                            .queryItemValue(QStringLiteral("state"));
    QVERIFY(!state.isEmpty());
    QString cookie = preLogin;
    if (variant == QLatin1String("no-session")) {
        cookie.clear();
    } else if (variant == QLatin1String("other-state")) {
        const HttpReply second = site.get(QStringLiteral("/login"));
        state = QUrlQuery(QUrl(QString::fromLatin1(second.header("Location")))).queryItemValue(QStringLiteral("state"));
    } else if (variant == QLatin1String("no-state")) {
        state.clear();
    }
    auto callback = [&](const QString &withState) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("code"),
                           site.openHumans().approve(member, site.options().settings.redirectUri()));
        if (!withState.isEmpty())
            query.addQueryItem(QStringLiteral("state"), withState);
        return site.get(QStringLiteral("/oauth/callback?") + query.toString(QUrl::FullyEncoded), cookie);
    };
    if (variant == QLatin1String("replay")) {
        QCOMPARE(callback(state).status, 303); // the first use logs in
        site.openHumans().resetCounts();
    }
    const HttpReply reply = callback(state);
    QCOMPARE(reply.status, 400);
    QVERIFY(reply.body.contains("This login link does not belong to this browser"));
    QVERIFY(reply.sessionCookie().isEmpty());
    QCOMPARE(site.openHumans().requestCount(Endpoint::Token), 0); // the code was never exchanged
}

void TestSiteSecurity::loginStartsNewSessionAndSealsTokens()
{
    HARNESS();
    const QString member = site.openHumans().addMember();
    const HttpReply start = site.get(QStringLiteral("/login"));
    const QString preLogin = start.sessionCookie();
    const QString state = QUrlQuery(QUrl(QString::fromLatin1(start.header("Location"))))
                                  .queryItemValue(QStringLiteral("state"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("code"),
                       site.openHumans().approve(member, site.options().settings.redirectUri()));
    query.addQueryItem(QStringLiteral("state"), state);
    const HttpReply done = site.get(QStringLiteral("/oauth/callback?") + query.toString(QUrl::FullyEncoded), preLogin);
    QCOMPARE(done.status, 303);
    QCOMPARE(done.header("Location"), QByteArray("/me"));
    const QString session = done.sessionCookie();
    QVERIFY(!session.isEmpty());
    QVERIFY(session != preLogin);
    QCOMPARE(site.get(QStringLiteral("/me"), preLogin).status, 303); // the old id is worth nothing
    const HttpReply me = site.get(QStringLiteral("/me"), session);
    QCOMPARE(me.status, 200);
    QVERIFY(me.body.contains(member.toUtf8()));

    auto db = site.database().connection();
    QVERIFY(db.ok());
    QSqlQuery q(*db);
    QVERIFY(q.exec(QStringLiteral("SELECT access_token_enc, refresh_token_enc FROM participants")));
    QVERIFY(q.next());
    // Sealed and bound to their row (v2: participant and purpose as associated data).
    QVERIFY2(q.value(0).toString().startsWith(QLatin1String("v2:")), "tokens are sealed");
    QVERIFY(q.value(1).toString().startsWith(QLatin1String("v2:")));
    QSqlQuery sessions(*db);
    QVERIFY(sessions.exec(QStringLiteral("SELECT id_hash FROM site_sessions")));
    while (sessions.next())
        QVERIFY2(sessions.value(0).toString() != session, "the cookie value itself is never stored");
}

void TestSiteSecurity::sessionSurvivesRestart()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    QVERIFY(!cookie.isEmpty());
    site.restart();
    QVERIFY(site.isValid());
    const HttpReply me = site.get(QStringLiteral("/me"), cookie);
    QCOMPARE(me.status, 200);
    QVERIFY(me.body.contains(member.toUtf8()));
}

void TestSiteSecurity::oversizedBodyIsRefused()
{
    HARNESS();
    const QString cookie = site.login();
    const QString csrf = SiteHarness::csrfToken(site.get(QStringLiteral("/me"), cookie).body);
    const QByteArray body = "csrf=" + csrf.toLatin1() + "&url=" + QByteArray(200 * 1024, 'a');
    const HttpReply reply = site.post(QStringLiteral("/me/nightscout"), body, cookie);
    QCOMPARE(reply.status, 413);
    QVERIFY(reply.body.contains("more than we can take"));
}

void TestSiteSecurity::postsAreRateLimited()
{
    HARNESS_WITH([](site::ParticipantSite::Options &o) { o.settings.postLimit = 3; });
    for (int i = 0; i < 3; ++i)
        QCOMPARE(site.post(QStringLiteral("/logout"), "csrf=x").status, 403);
    const HttpReply limited = site.post(QStringLiteral("/logout"), "csrf=x");
    QCOMPARE(limited.status, 429);
    QVERIFY(limited.body.contains("Too many tries in a short time"));
    QVERIFY(limited.header("Retry-After").toInt() > 0);
    QVERIFY(!limited.header("Content-Security-Policy").isEmpty());
    QCOMPARE(site.get(QStringLiteral("/")).status, 200); // reading stays possible
}

void TestSiteSecurity::ipv6ClientsCountByTheir64()
{
    // One IPv6 household or server has a whole /64: counted per address,
    // it would have 2^64 buckets.
    HARNESS_WITH(([](site::ParticipantSite::Options &o) {
        o.settings.postLimit = 3;
        o.settings.trustedProxies = { { QHostAddress::LocalHost, -1 } };
    }));
    const auto from = [&site](const char *address) {
        return site.post(QStringLiteral("/logout"), "csrf=x", {}, { { "X-Forwarded-For", address } }).status;
    };
    QCOMPARE(from("2001:db8:1:2::a"), 403);
    QCOMPARE(from("2001:db8:1:2:ffff::b"), 403);
    QCOMPARE(from("2001:db8:1:2:1234:5678:9abc:def0"), 403);
    QCOMPARE(from("2001:db8:1:2::c"), 429); // the fourth from the same /64
    QCOMPARE(from("2001:db8:1:3::a"), 403); // the next /64 is another client
    QCOMPARE(from("192.0.2.1"), 403); // IPv4 stays per address
    QCOMPARE(from("192.0.2.2"), 403);
}

void TestSiteSecurity::preLoginSessionsLiveMinutes()
{
    HARNESS();
    // Anyone can ask for /login without an account: what it stores must go soon.
    const HttpReply login = site.get(QStringLiteral("/login"));
    QCOMPARE(login.status, 303);
    QVERIFY(!login.sessionCookie().isEmpty());
    const QByteArray cookie = login.header("Set-Cookie");
    const int maxAge = cookie.mid(cookie.indexOf("Max-Age=") + 8).split(';').first().toInt();
    QVERIFY2(maxAge > 0 && maxAge <= 15 * 60, cookie.constData());
    auto db = site.database().connection();
    QSqlQuery q(*db);
    QVERIFY(q.exec(QStringLiteral("SELECT expires_ms - created_ms FROM site_sessions")));
    QVERIFY(q.next());
    QVERIFY2(q.value(0).toLongLong() <= 15 * 60 * 1000, qPrintable(q.value(0).toString()));
    q.finish();
    // A logged-in session still lives as long as configured.
    QVERIFY(!site.login().isEmpty());
    QVERIFY(q.exec(QStringLiteral("SELECT MAX(expires_ms - created_ms) FROM site_sessions")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toLongLong(), qint64(site.options().settings.sessionLifetime.count()) * 1000);
}

void TestSiteSecurity::loginIsRateLimited()
{
    HARNESS_WITH([](site::ParticipantSite::Options &o) { o.settings.postLimit = 3; });
    for (int i = 0; i < 3; ++i)
        QCOMPARE(site.get(QStringLiteral("/login")).status, 303);
    const HttpReply limited = site.get(QStringLiteral("/login"));
    QCOMPARE(limited.status, 429);
    QVERIFY(limited.header("Retry-After").toInt() > 0);
    auto db = site.database().connection();
    QSqlQuery q(*db);
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM site_sessions")) && q.next());
    QVERIFY2(q.value(0).toInt() <= 3, "a refused /login stores nothing");
}

void TestSiteSecurity::notFoundPageLeaksNothing()
{
    HARNESS();
    const HttpReply reply = site.get(QStringLiteral("/%3Cscript%3Ealert(1)%3C/script%3E/secret.db"));
    QCOMPARE(reply.status, 404);
    QVERIFY(reply.body.contains("We could not find this page"));
    QVERIFY(!reply.body.contains("script>alert"));
    QVERIFY(!reply.body.contains("secret.db"));
    QVERIFY(!reply.body.contains("Qt"));
    QVERIFY(!reply.body.contains("sqlite"));
}

QTEST_MAIN(TestSiteSecurity)
#include "tst_sitesecurity.moc"
