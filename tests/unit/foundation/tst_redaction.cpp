#include "log/logging.h"

#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

// log::redact: every way a secret or a participant's site can reach a log
// line is masked, and ordinary sentences come through unchanged.
class TestRedaction final : public QObject
{
    Q_OBJECT

private slots:
    void masks_data();
    void masks();
    void leavesOrdinaryText_data();
    void leavesOrdinaryText();
    void idempotent();
};

void TestRedaction::masks_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("secret"); // must not survive

    // Query and form parameters.
    QTest::addRow("token= query") << u"GET /api/v1/entries.json?token=ns-abc123def&count=10"_s
                                  << u"GET /api/v1/entries.json?token=****&count=10"_s << u"ns-abc123def"_s;
    QTest::addRow("access_token= query") << u"exchange-member/?access_token=Zx9yW8v7"_s
                                         << u"exchange-member/?access_token=****"_s << u"Zx9yW8v7"_s;
    QTest::addRow("form body") << u"grant_type=refresh_token&refresh_token=r3fr3sh&client_secret=cl1ent"_s
                               << u"grant_type=refresh_token&refresh_token=****&client_secret=****"_s << u"r3fr3sh"_s;
    QTest::addRow("client_secret in form") << u"client_id=42&client_secret=cl1entS3cret"_s
                                           << u"client_id=42&client_secret=****"_s << u"cl1entS3cret"_s;
    QTest::addRow("password=") << u"login failed for password=hunter2!"_s << u"login failed for password=****"_s
                               << u"hunter2"_s;
    QTest::addRow("upper case API_SECRET=")
            << u"API_SECRET=MyNightscoutSecret1"_s << u"API_SECRET=****"_s << u"MyNightscoutSecret1"_s;
    QTest::addRow("oauth code") << u"callback ?code=Yh7TgBq2Lm&state=s1"_s << u"callback ?code=****&state=s1"_s
                                << u"Yh7TgBq2Lm"_s;

    // JSON bodies.
    QTest::addRow("access_token in JSON") << uR"({"access_token": "AbC.123-xyz", "expires_in": 36000})"_s
                                          << uR"({"access_token":"****", "expires_in": 36000})"_s << u"AbC.123-xyz"_s;
    QTest::addRow("refresh_token compact JSON") << uR"({"refresh_token":"rT0k3n","token_type":"Bearer"})"_s
                                                << uR"({"refresh_token":"****","token_type":"****"})"_s << u"rT0k3n"_s;
    QTest::addRow("JSON value with escaped quote") << uR"({"password":"pa\"ss\"word","user":"x"})"_s
                                                   << uR"({"password":"****","user":"x"})"_s << u"ss\\\"word"_s;
    QTest::addRow("JSON number token") << uR"({"token": 123456789})"_s << uR"({"token":"****"})"_s << u"123456789"_s;
    QTest::addRow("JSON API_SECRET upper case")
            << uR"({"API_SECRET":"abcdefabcdef"})"_s << uR"({"API_SECRET":"****"})"_s << u"abcdefabcdef"_s;

    // Headers.
    QTest::addRow("api-secret header") << u"api-secret: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"_s
                                       << u"api-secret: ****"_s << u"2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"_s;
    QTest::addRow("API-SECRET header upper case") << u"API-SECRET:abc123"_s << u"API-SECRET: ****"_s << u"abc123"_s;
    QTest::addRow("authorization bearer")
            << u"Authorization: Bearer eyJhbGciOi.J9xyz"_s << u"Authorization: ****"_s << u"eyJhbGciOi"_s;
    QTest::addRow("authorization basic") << u"authorization: Basic Y2xpZW50OnNlY3JldA=="_s << u"authorization: ****"_s
                                         << u"Y2xpZW50OnNlY3JldA"_s;
    QTest::addRow("cookie") << u"Cookie: openaps_session=abcdef123"_s << u"Cookie: ****"_s << u"abcdef123"_s;
    QTest::addRow("bare bearer") << u"sent bearer Qw3rTy-uiop_42 to the API"_s << u"sent Bearer **** to the API"_s
                                 << u"Qw3rTy-uiop_42"_s;

    // Prose.
    QTest::addRow("password colon") << u"password: hunter2"_s << u"password: ****"_s << u"hunter2"_s;
    QTest::addRow("access token colon") << u"access token: AbCdEf123"_s << u"access token: ****"_s << u"AbCdEf123"_s;

    // URLs and hosts: a Nightscout URL identifies a participant.
    QTest::addRow("nightscout url with token")
            << u"fetching https://jane-cgm.herokuapp.com/api/v1/entries.json?token=read-1234 failed"_s
            << u"fetching <url> failed"_s << u"jane-cgm"_s;
    QTest::addRow("nightscout url plain")
            << u"site http://my.ns.10be.de:1337 is down"_s << u"site <url> is down"_s << u"10be"_s;
    QTest::addRow("url with credentials")
            << u"postgresql://app:pgpass@db.internal:5432/openaps"_s << u"<url>"_s << u"pgpass"_s;
    QTest::addRow("url in JSON") << uR"({"url":"https://x.fly.dev/"})"_s << uR"({"url":"<url>"})"_s << u"x.fly.dev"_s;
    QTest::addRow("url in quotes") << u"'https://a.example.org/x' rejected"_s << u"'<url>' rejected"_s
                                   << u"a.example.org"_s;
    QTest::addRow("url with userinfo secret") << u"https://token:s3cr3t@ns.example.com"_s << u"<url>"_s << u"s3cr3t"_s;
    QTest::addRow("bare host pasted") << u"participant typed jane-cgm.herokuapp.com/api/v1"_s
                                      << u"participant typed <host>"_s << u"jane-cgm"_s;
    QTest::addRow("bare host with port") << u"connect to cgm.azurewebsites.net:443 timed out"_s
                                         << u"connect to <host> timed out"_s << u"cgm.azurewebsites"_s;
    QTest::addRow("escaped slashes") << u"jane.herokuapp.com\\/api?token=t0k3n"_s << u"<host>\\/api?token=****"_s
                                     << u"t0k3n"_s;
    QTest::addRow("e-mail address") << u"verification code sent to jane.doe@example.co.uk"_s
                                    << u"verification code sent to <email>"_s << u"jane.doe"_s;
    QTest::addRow("several in one line") << u"token=aaa111 then https://x.com/?a=b and password: p4ss"_s
                                         << u"token=**** then <url> and password: ****"_s << u"aaa111"_s;
}

void TestRedaction::masks()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, secret);
    const QString out = log::redact(input);
    QCOMPARE(out, expected);
    QVERIFY2(!out.contains(secret), qPrintable(out));
}

void TestRedaction::leavesOrdinaryText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("sentence about tokens") << u"the access token expired, refreshing it"_s;
    QTest::addRow("token refresh failed") << u"Token refresh failed for participant 12 (invalid_grant)"_s;
    QTest::addRow("missing bearer token") << u"request without bearer token rejected"_s;
    QTest::addRow("password reset") << u"password reset requested; secrets masked"_s;
    QTest::addRow("numbers and units") << u"moved 1,234 records in 2.5 s (600.5 rows/s), v6.4.2"_s;
    QTest::addRow("file names") << u"uploaded 1700000000000_12345678_entries.json and config.ini"_s;
    QTest::addRow("category names") << u"openaps.shared.db.migrations applied 0001_initial"_s;
    QTest::addRow("iso time") << u"window 2024-05-01T00:00:00Z .. 2024-05-02T00:00:00.000+02:00"_s;
    QTest::addRow("exit code") << u"child exited with code=1"_s;
    QTest::addRow("key value") << u"count=1000 type=sgv consent=both participant=42"_s;
    QTest::addRow("api path") << u"GET /api/v1/entries.json?count=10&find[date][$gt]=1"_s;
    QTest::addRow("json without secrets") << uR"({"code":"config","message":"bad port"})"_s;
    QTest::addRow("null token") << uR"({"access_token":null})"_s;
    QTest::addRow("e.g. and i.e.") << u"e.g. a CSV, i.e. comma separated"_s;
    QTest::addRow("empty") << QString();
}

void TestRedaction::leavesOrdinaryText()
{
    QFETCH(QString, text);
    QCOMPARE(log::redact(text), text);
}

void TestRedaction::idempotent()
{
    const QString once = log::redact(u"https://x.herokuapp.com?token=abc password=x api-secret: y {\"token\":\"z\"}"_s);
    QCOMPARE(log::redact(once), once);
}

QTEST_GUILESS_MAIN(TestRedaction)
#include "tst_redaction.moc"
