// Saving a Nightscout address through the site, against both stand-ins:
// the right files in the member's Open Humans account for every consent,
// plain-words answers for every probe failure, old-system leftovers.

#include "siteharness.h"

#include "records/filenames.h"
#include "site/loginjob.h"

#include <QSqlQuery>
#include <QTest>

using namespace openaps;
using namespace openaps::test;
using namespace openaps::records;
using records::consentFileName;
using records::urlFileName;

class TestRegistration : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { addBackendRows(); }

    void eachConsentWritesItsFile_data();
    void eachConsentWritesItsFile();
    void probeProblemsInPlainWords_data();
    void probeProblemsInPlainWords();
    void securedSites_data();
    void securedSites();
    void withdrawingNeedsNoAddress();
    void severalUrlFilesFixedByOneSave();
    void returningParticipantSeesWhatIsSaved();
    void statusPanelShowsTransfers();
    void browserLeavingDuringTheCheckIsHarmless();
};

#define HARNESS()                                                                                                      \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    SiteHarness site(backend);                                                                                         \
    QVERIFY2(site.isValid(), "the site did not start")

void TestRegistration::eachConsentWritesItsFile_data()
{
    QTest::addColumn<bool>("openaps");
    QTest::addColumn<bool>("nsf");
    QTest::addColumn<QByteArray>("consent");
    QTest::addRow("both") << true << true << QByteArray("both");
    QTest::addRow("OpenAPS only") << true << false << QByteArray("openaps");
    QTest::addRow("Nightscout Foundation only") << false << true << QByteArray("nsf");
    QTest::addRow("nobody") << false << false << QByteArray("none");
}

void TestRegistration::eachConsentWritesItsFile()
{
    QFETCH(bool, openaps);
    QFETCH(bool, nsf);
    QFETCH(QByteArray, consent);
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    QVERIFY(!cookie.isEmpty());
    // A previous choice is replaced, not added to.
    site.openHumans().addFile(member, consentFileName(member), "both");

    const QString url = site.nightscout().url().toString() + QStringLiteral("/api/v1/");
    const HttpReply saved = site.saveNightscout(cookie, url, {}, openaps, nsf);
    QCOMPARE(saved.status, 303);
    QCOMPARE(saved.header("Location"), QByteArray("/me?saved=1"));

    QCOMPARE(site.filesNamed(member, consentFileName(member)), QList<QByteArray> { consent });
    QCOMPARE(site.filesNamed(member, urlFileName(member)),
             QList<QByteArray> { site.nightscout().url().toString().toUtf8() });
    const HttpReply me = site.get(QStringLiteral("/me?saved=1"), cookie);
    QVERIFY(me.body.contains("id=\"saved-notice\""));
    QVERIFY(me.body.contains(QStringLiteral("127.0.0.1:%1").arg(site.nightscout().port()).toUtf8()));
    QCOMPARE(me.body.contains("id=\"share-openaps\" name=\"share_openaps\" value=\"yes\" checked"), openaps);
    QCOMPARE(me.body.contains("id=\"share-nsf\" name=\"share_nsf\" value=\"yes\" checked"), nsf);
}

void TestRegistration::probeProblemsInPlainWords_data()
{
    QTest::addColumn<QString>("url"); // {ns}: the stand-in, {site}: the site itself
    QTest::addColumn<QByteArray>("title");
    QTest::addColumn<bool>("tokenHelpOpen");
    QTest::addRow("nothing listens there")
            << "http://127.0.0.1:1" << QByteArray("We could not reach your Nightscout site") << false;
    QTest::addRow("server error") << "{ns}/broken" << QByteArray("We could not reach your Nightscout site") << false;
    QTest::addRow("some other web site") << "{site}" << QByteArray("This is not a Nightscout site") << false;
    QTest::addRow("locked site, no token") << "{ns}/locked" << QByteArray("Your Nightscout site needs a token") << true;
    QTest::addRow("locked site, wrong token")
            << "{ns}/locked?token=wrong-0123456789abcdef" << QByteArray("Your token was not accepted") << true;
    QTest::addRow("not an address") << "my nightscout" << QByteArray("Please check the address") << false;
    QTest::addRow("empty") << "" << QByteArray("Please enter your Nightscout address") << false;
}

void TestRegistration::probeProblemsInPlainWords()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, title);
    QFETCH(bool, tokenHelpOpen);
    HARNESS();
    standins::NightscoutSite::Faults broken;
    broken.failure = standins::NightscoutSite::Faults::Failure::ServerError;
    site.nightscout().site(QStringLiteral("broken")).setFaults(broken);
    url.replace(QLatin1String("{ns}"), site.nightscout().url().toString());
    url.replace(QLatin1String("{site}"), site.url(QString()).toString());
    QString member;
    const QString cookie = site.login(&member);

    const HttpReply reply = site.saveNightscout(cookie, url, {}, true, true);
    QCOMPARE(reply.status, 200); // the form again, with the problem on top
    QVERIFY2(reply.body.contains(title), reply.body.constData());
    QCOMPARE(reply.body.contains("id=\"token-help\" open"), tokenHelpOpen);
    QVERIFY(reply.body.contains("id=\"problem\""));
    // What was typed stays in the form; nothing went to Open Humans.
    QVERIFY(reply.body.contains(url.toHtmlEscaped().toUtf8()));
    QVERIFY(site.filesNamed(member, urlFileName(member)).isEmpty());
    QVERIFY(site.filesNamed(member, consentFileName(member)).isEmpty());
}

void TestRegistration::securedSites_data()
{
    QTest::addColumn<QString>("siteName");
    QTest::addColumn<QString>("secret"); // typed into the token field
    QTest::addColumn<QString>("query"); // what the URL file carries
    QTest::addRow("token in the field") << "locked" << SiteHarness::lockedToken
                                        << QStringLiteral("?token=") + SiteHarness::lockedToken;
    QTest::addRow("token pasted in the address")
            << "locked" << QString() << QStringLiteral("?token=") + SiteHarness::lockedToken;
    QTest::addRow("API secret, stored hashed") << "secret" << SiteHarness::apiSecret
                                               << QStringLiteral("?api_secret=")
                    + QString::fromLatin1(QCryptographicHash::hash(SiteHarness::apiSecret.toUtf8(),
                                                                   QCryptographicHash::Sha1)
                                                  .toHex());
}

void TestRegistration::securedSites()
{
    QFETCH(QString, siteName);
    QFETCH(QString, secret);
    QFETCH(QString, query);
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    QString url = site.nightscout().url(siteName).toString();
    if (secret.isEmpty())
        url += QStringLiteral("/?token=") + SiteHarness::lockedToken;
    const HttpReply reply = site.saveNightscout(cookie, url, secret, true, false);
    QCOMPARE(reply.status, 303);
    const QList<QByteArray> files = site.filesNamed(member, urlFileName(member));
    QCOMPARE(files.size(), 1);
    QCOMPARE(QString::fromUtf8(files.first()), site.nightscout().url(siteName).toString() + QLatin1Char('/') + query);
    const HttpReply me = site.get(QStringLiteral("/me"), cookie);
    QVERIFY2(!me.body.contains(SiteHarness::lockedToken.toUtf8()), "the page never shows the token");
    QVERIFY(!me.body.contains(SiteHarness::apiSecret.toUtf8()));
}

void TestRegistration::withdrawingNeedsNoAddress()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    site.openHumans().addFile(member, urlFileName(member), "https://old.example");
    const HttpReply reply = site.saveNightscout(cookie, QString(), QString(), false, false);
    QCOMPARE(reply.status, 303);
    QCOMPARE(site.filesNamed(member, consentFileName(member)), QList<QByteArray> { "none" });
    QCOMPARE(site.filesNamed(member, urlFileName(member)).size(), 1); // left alone
    QVERIFY(site.get(QStringLiteral("/me?saved=1"), cookie).body.contains("Nothing will be shared"));
}

void TestRegistration::severalUrlFilesFixedByOneSave()
{
    HARNESS();
    const QString member = site.openHumans().addMember();
    for (const char *old : { "https://a.example", "https://b.example", "https://c.example" })
        site.openHumans().addFile(member, urlFileName(member), old);
    const QString cookie = site.loginAs(member);
    QVERIFY(!cookie.isEmpty());
    QVERIFY(site.get(QStringLiteral("/me"), cookie).body.contains("We found 3 Nightscout addresses"));

    QCOMPARE(site.saveNightscout(cookie, site.nightscout().url().toString(), {}, true, true).status, 303);
    QCOMPARE(site.filesNamed(member, urlFileName(member)).size(), 1);
    QVERIFY(!site.get(QStringLiteral("/me"), cookie).body.contains("Nightscout addresses"));
}

void TestRegistration::returningParticipantSeesWhatIsSaved()
{
    HARNESS();
    const QString member = site.openHumans().addMember();
    site.openHumans().addFile(member, urlFileName(member), "https://Old-Site.herokuapp.com/?token=ro-0123456789abcdef");
    site.openHumans().addFile(member, consentFileName(member), "nsf\n");
    const QString cookie = site.loginAs(member);
    const HttpReply me = site.get(QStringLiteral("/me"), cookie);
    QVERIFY(me.body.contains("<dd id=\"saved-host\">old-site.herokuapp.com</dd>"));
    QVERIFY(me.body.contains("<dd id=\"saved-consent\">Nightscout Foundation Data Commons</dd>"));
    QVERIFY(!me.body.contains("ro-0123456789abcdef"));
}

void TestRegistration::statusPanelShowsTransfers()
{
    HARNESS();
    const QString cookie = site.login();
    auto db = site.database().connection();
    QSqlQuery q(*db);
    QVERIFY(q.exec(QStringLiteral("SELECT id FROM participants")) && q.next());
    const qint64 id = q.value(0).toLongLong();
    q.finish();
    // Seen once before the ingest wrote anything: the page must not stay like this.
    QVERIFY(site.get(QStringLiteral("/me"), cookie).body.contains("<dd id=\"last-moved\">Not yet.</dd>"));
    QSqlQuery status(*db);
    status.prepare(QStringLiteral("INSERT INTO participant_status (participant_id, last_attempt_at, "
                                  "last_success_at, last_error_code, last_error_message, last_error_at) "
                                  "VALUES (?, ?, ?, ?, ?, ?)"));
    const QDateTime when(QDate(2024, 2, 1), QTime(10, 0), Qt::UTC);
    for (const QVariant &v : { QVariant(id), QVariant(when), QVariant(when), QVariant(QStringLiteral("needs_token")),
                               QVariant(QStringLiteral("HTTP 401 from verifyauth")), QVariant(when) })
        status.addBindValue(v);
    QVERIFY(status.exec());
    QSqlQuery types(*db);
    types.prepare(QStringLiteral("INSERT INTO participant_type_status (participant_id, data_type, records_moved, "
                                 "last_moved_at) VALUES (?, ?, ?, ?)"));
    types.addBindValue(QVariantList { id, id });
    types.addBindValue(QVariantList { QStringLiteral("entries"), QStringLiteral("devicestatus") });
    types.addBindValue(QVariantList { 105120, 4321 });
    types.addBindValue(QVariantList { when, when });
    QVERIFY(types.execBatch());

    const HttpReply me = site.get(QStringLiteral("/me"), cookie);
    QVERIFY(me.body.contains("datetime=\"2024-02-01T10:00:00Z\""));
    QVERIFY(me.body.contains("Glucose readings</th><td class=\"num\">105,120"));
    QVERIFY(me.body.contains("Looping system reports</th><td class=\"num\">4,321"));
    QVERIFY(me.body.contains("Please add a read-only token above"));
    QVERIFY2(!me.body.contains("HTTP 401"), "machine text stays out of the page");
}

void TestRegistration::browserLeavingDuringTheCheckIsHarmless()
{
    HARNESS();
    standins::NightscoutSite::Faults slow;
    slow.latency = std::chrono::milliseconds(500);
    site.nightscout().site(QStringLiteral("slow")).setFaults(slow);
    QString member;
    const QString cookie = site.login(&member);
    const QUrlQuery form = site.nightscoutForm(cookie, site.nightscout().url(QStringLiteral("slow")).toString(), {},
                                               true, true);
    QNetworkReply *reply = site.startPostForm(QStringLiteral("/me/nightscout"), form, cookie);
    QTRY_VERIFY(site.nightscout().site(QStringLiteral("slow")).requestCount() > 0);
    reply->abort(); // the participant closed the tab while their site was being checked
    reply->deleteLater();
    // The save still completes, and the server keeps answering.
    QTRY_COMPARE_WITH_TIMEOUT(site.filesNamed(member, consentFileName(member)).size(), 1, 20000);
    QCOMPARE(site.get(QStringLiteral("/me"), cookie).status, 200);
}

QTEST_MAIN(TestRegistration)
#include "tst_registration.moc"
