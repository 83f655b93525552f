// Small pure pieces of the participant site: form and cookie encoding,
// consent values, what goes into the Nightscout URL file, plain words.

#include "http/requests.h"
#include "nightscout/credentials.h"
#include "nightscout/siteurl.h"
#include "records/consent.h"
#include "records/urlfile.h"
#include "site/httphelpers.h"
#include "site/messages.h"
#include "site/participantstore.h"
#include "site/privacynotice.h"
#include "site/registrationjob.h"

#include <QTemporaryDir>
#include <QTest>

using namespace openaps;
using namespace openaps::site;
using namespace openaps::records;

class TestSiteForms : public QObject
{
    Q_OBJECT

private slots:
    void parseForm_data();
    void parseForm();
    void sessionCookieFlags_data();
    void sessionCookieFlags();
    void consentFromBoxes_data();
    void consentFromBoxes();
    void consentRoundTrip();
    void credentialsByShape_data();
    void credentialsByShape();
    void urlFileContent_data();
    void urlFileContent();
    void transferProblemWords_data();
    void transferProblemWords();
    void oneSiteOneKey_data();
    void oneSiteOneKey();
    void privacyNoticeText();
};

void TestSiteForms::parseForm_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addRow("plain") << QByteArray("url=abc&csrf=x") << "url"
                           << "abc";
    QTest::addRow("plus is a space") << QByteArray("name=a+b") << "name"
                                     << "a b";
    QTest::addRow("percent-encoded URL") << QByteArray("url=https%3A%2F%2Fa.example%2F%3Ftoken%3Dt-1") << "url"
                                         << "https://a.example/?token=t-1";
    QTest::addRow("encoded plus stays") << QByteArray("secret=a%2Bb") << "secret"
                                        << "a+b";
    QTest::addRow("first of repeated wins") << QByteArray("csrf=one&csrf=two") << "csrf"
                                            << "one";
    QTest::addRow("missing value") << QByteArray("share_nsf&x=1") << "share_nsf"
                                   << "";
    QTest::addRow("utf-8") << QByteArray("n=%C3%A9") << "n" << QString::fromUtf8("\xc3\xa9");
}

void TestSiteForms::parseForm()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    QFETCH(QString, value);
    const auto fields = http::parseForm(body);
    QVERIFY(fields.contains(field));
    QCOMPARE(fields.value(field), value);
}

void TestSiteForms::sessionCookieFlags_data()
{
    QTest::addColumn<QString>("publicUrl");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("http") << "http://127.0.0.1:8080"
                          << "abc" << QByteArray("openaps_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600");
    QTest::addRow("https") << "https://example.org"
                           << "abc"
                           << QByteArray("__Host-openaps_session=abc; Path=/; HttpOnly; SameSite=Lax; "
                                         "Max-Age=3600; Secure");
    QTest::addRow("expire") << "http://127.0.0.1:8080"
                            << "" << QByteArray("openaps_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
}

void TestSiteForms::sessionCookieFlags()
{
    QFETCH(QString, publicUrl);
    QFETCH(QString, value);
    QFETCH(QByteArray, expected);
    const SiteSettings settings = SiteSettings::fromConfig(
            Config::fromValues({ { QStringLiteral("PUBLIC_URL"), publicUrl } }));
    QCOMPARE(sessionCookie(settings, value, std::chrono::hours(1)), expected);
}

void TestSiteForms::consentFromBoxes_data()
{
    QTest::addColumn<bool>("openaps");
    QTest::addColumn<bool>("nsf");
    QTest::addColumn<QString>("value");
    QTest::addRow("both boxes") << true << true << "both";
    QTest::addRow("OpenAPS only") << true << false << "openaps";
    QTest::addRow("Nightscout Foundation only") << false << true << "nsf";
    QTest::addRow("neither") << false << false << "none";
}

void TestSiteForms::consentFromBoxes()
{
    QFETCH(bool, openaps);
    QFETCH(bool, nsf);
    QFETCH(QString, value);
    const Consent consent = records::consentFromBoxes(openaps, nsf);
    QCOMPARE(consentValue(consent), value);
    QCOMPARE(sharesWithOpenAps(consent), openaps);
    QCOMPARE(sharesWithNsf(consent), nsf);
}

void TestSiteForms::consentRoundTrip()
{
    for (Consent c : { Consent::None, Consent::OpenAps, Consent::Nsf, Consent::Both })
        QCOMPARE(parseConsent(consentValue(c)), std::optional<Consent>(c));
    QCOMPARE(parseConsent(QStringLiteral(" BOTH\n")), std::optional<Consent>(Consent::Both));
    QVERIFY(!parseConsent(QStringLiteral("everyone")).has_value());
    QVERIFY(!consentDescription(Consent::None).contains(QLatin1String("OpenAPS")));
}

void TestSiteForms::credentialsByShape_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<int>("kind");
    using K = ns::Credentials::Kind;
    QTest::addRow("nothing") << "https://a.example"
                             << "" << int(K::None);
    QTest::addRow("token in the URL") << "https://a.example/?token=reader-0123456789abcdef"
                                      << "" << int(K::AccessToken);
    QTest::addRow("token typed") << "https://a.example"
                                 << "datacommons-1a2b3c4d5e6f7a8b" << int(K::AccessToken);
    QTest::addRow("token with spaces around") << "https://a.example"
                                              << "  ro-0123456789abcdef " << int(K::AccessToken);
    QTest::addRow("API secret") << "https://a.example"
                                << "MySuperSecret123" << int(K::ApiSecret);
    QTest::addRow("secret that ends like a token but too short") << "https://a.example"
                                                                 << "x-0123" << int(K::ApiSecret);
}

void TestSiteForms::credentialsByShape()
{
    QFETCH(QString, url);
    QFETCH(QString, typed);
    QFETCH(int, kind);
    const auto site = ns::SiteUrl::parse(url);
    QVERIFY(site.ok());
    QCOMPARE(int(credentialsFrom(typed, *site).kind()), kind);
}

void TestSiteForms::urlFileContent_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QByteArray>("content");
    QTest::addRow("open site") << "My-Site.herokuapp.com/api/v1/"
                               << "" << QByteArray("https://my-site.herokuapp.com");
    QTest::addRow("token") << "https://a.example"
                           << "ro-0123456789abcdef" << QByteArray("https://a.example/?token=ro-0123456789abcdef");
    QTest::addRow("API secret is stored as its SHA-1 only")
            << "https://a.example"
            << "MySuperSecret123"
            << "https://a.example/?api_secret=" + ns::Credentials::hashSecret(QStringLiteral("MySuperSecret123"));
}

void TestSiteForms::urlFileContent()
{
    QFETCH(QString, url);
    QFETCH(QString, typed);
    QFETCH(QByteArray, content);
    const auto site = ns::SiteUrl::parse(url);
    QVERIFY(site.ok());
    const QByteArray written = records::urlFileContent(*site, credentialsFrom(typed, *site));
    QCOMPARE(written, content);
    QVERIFY(!written.contains("MySuperSecret123"));
    // Ingest reads the file back with the same parser.
    const auto back = ns::SiteUrl::parse(QString::fromUtf8(written));
    QVERIFY(back.ok());
    QCOMPARE(back->baseUrl(), site->baseUrl());
}

void TestSiteForms::transferProblemWords_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("stored");
    QTest::addColumn<QString>("contains");
    QTest::addRow("known code") << "needs_token"
                                << ""
                                << "read-only token";
    QTest::addRow("known code wins over stored text") << "unreachable"
                                                      << "HTTP 502 from x"
                                                      << "could not reach";
    QTest::addRow("erased: the site's own words") << "erased"
                                                  << "skipped: tombstoned"
                                                  << "You deleted your data here";
    QTest::addRow("unknown code uses the stored words") << "new_kind"
                                                        << "Your site is asleep."
                                                        << "asleep";
    QTest::addRow("nothing known") << "new_kind"
                                   << ""
                                   << "on our side";
}

void TestSiteForms::transferProblemWords()
{
    QFETCH(QString, code);
    QFETCH(QString, stored);
    QFETCH(QString, contains);
    QVERIFY2(transferProblem(code, stored).contains(contains), qPrintable(transferProblem(code, stored)));
}

void TestSiteForms::oneSiteOneKey_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("same");
    QTest::addRow("http and https") << "http://a.example"
                                    << "https://a.example" << true;
    QTest::addRow("case and trailing slash") << "https://A.Example/NS/"
                                             << "https://a.example/ns" << true;
    QTest::addRow("default port") << "https://a.example:443"
                                  << "https://a.example" << true;
    QTest::addRow("other port") << "https://a.example:8443"
                                << "https://a.example" << false;
    QTest::addRow("other path") << "https://a.example/one"
                                << "https://a.example/two" << false;
    QTest::addRow("other host") << "https://a.example"
                                << "https://b.example" << false;
}

void TestSiteForms::oneSiteOneKey()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, same);
    QVERIFY(!site::nightscoutSiteKey(a).isEmpty());
    QCOMPARE(site::nightscoutSiteKey(a) == site::nightscoutSiteKey(b), same);
    QVERIFY(site::nightscoutSiteKey(QString()).isEmpty());
}

void TestSiteForms::privacyNoticeText()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("notice.txt"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("Intro line one\nand two.\n\n# Heading\n- item a\n- item b\nAfter the list.\n");
    f.close();
    const auto notice = site::PrivacyNotice::load(path, {}, {});
    QVERIFY(notice.ok());
    const auto &sections = notice->sections();
    QCOMPARE(sections.size(), 2);
    QCOMPARE(sections[0].paragraphs, QStringList { QStringLiteral("Intro line one and two.") });
    QCOMPARE(sections[1].heading, QStringLiteral("Heading"));
    QCOMPARE(sections[1].items, (QStringList { QStringLiteral("item a"), QStringLiteral("item b") }));
    QCOMPARE(sections[1].paragraphs, QStringList { QStringLiteral("After the list.") });
    const auto missing = site::PrivacyNotice::load(dir.filePath(QStringLiteral("none.txt")), {}, {});
    QVERIFY(!missing.ok());
    QVERIFY(missing.error().message.contains(QStringLiteral("OPENAPS_SITE_PRIVACY_NOTICE_FILE")));
    QVERIFY(site::PrivacyNotice::load({}, {}, {}).ok()); // the built-in notice
}

QTEST_APPLESS_MAIN(TestSiteForms)
#include "tst_siteforms.moc"
