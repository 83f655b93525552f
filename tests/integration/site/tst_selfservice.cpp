// The participant's self-service on the site (issue 11, item 4), on SQLite
// and PostgreSQL against both stand-ins: a saved token kept and removed,
// addresses without a scheme, the consent history, withdrawing, one site
// registered twice, the privacy page, "download what we hold about me" and
// "stop sharing and delete my data".

#include "schemaseed.h"
#include "siteharness.h"

#include "privacy/participantkeys.h"
#include "privacy/tombstones.h"
#include "records/filenames.h"
#include "site/duplicatesites.h"
#include "site/erasure.h"
#include "site/memberexport.h"
#include "site/registrationjob.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlField>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

using namespace openaps;
using namespace openaps::test;
using records::consentFileName;
using records::urlFileName;
using site::ParticipantKey;

class TestSelfService : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { addBackendRows(); }

    void savedTokenIsKeptWhenOnlyTheConsentChanges();
    void removingTheSavedTokenIsItsOwnChoice();
    void aSavedTokenNeverGoesToAnotherSite();
    void addressWithoutSchemeTriesHttpsThenHttp();
    void schemeDetection();
    void consentHistoryKeepsTheTextVersion();
    void withdrawingTakesResearchRowsOutAtOnce();
    void oneSiteRegisteredTwiceIsFlagged();
    void privacyPageIsTheOperatorsAndLinkedEverywhere();
    void downloadHoldsEveryTableOfTheParticipant();
    void stopAndDeleteRemovesEverything();
    void anErasedMemberIsAskedBeforeSharingAgain();

private:
    // Rows for `member` in every table naming a participant (but sessions).
    void seedEveryTable(SiteHarness &site, const QString &member, qint64 participantId, int *serial);
};

#define HARNESS()                                                                                                      \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    SiteHarness site(backend);                                                                                         \
    QVERIFY2(site.isValid(), "the site did not start")

namespace {

qint64 participantIdOf(SiteHarness &site, const QString &member)
{
    auto db = site.database().connection();
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("SELECT id FROM participants WHERE member_id = ?"));
    q.addBindValue(member);
    return q.exec() && q.next() ? q.value(0).toLongLong() : 0;
}

HttpReply postWithCsrf(SiteHarness &site, const QString &path, const QString &pageWithForm, const QString &cookie,
                       QUrlQuery form = {})
{
    form.addQueryItem(QStringLiteral("csrf"), SiteHarness::csrfToken(site.get(pageWithForm, cookie).body));
    return site.postForm(path, form, cookie);
}

} // namespace

void TestSelfService::seedEveryTable(SiteHarness &site, const QString &member, qint64 participantId, int *serial)
{
    const auto tables = site::participantTables(site.database());
    QVERIFY(tables.ok());
    for (const auto &t : *tables) {
        if (t.key == ParticipantKey::None || t.materializedView || t.table == QLatin1String("participants")
            || t.table == QLatin1String("site_sessions"))
            continue;
        QString error;
        QVERIFY2(seedRow(site.database(), t.table, t.column,
                         SiteHarness::keyValue(site.database(), t, member, participantId), ++*serial, &error),
                 qPrintable(error));
    }
}

void TestSelfService::savedTokenIsKeptWhenOnlyTheConsentChanges()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    const QString locked = site.nightscout().url(QStringLiteral("locked")).toString();
    QCOMPARE(site.saveNightscout(cookie, locked, SiteHarness::lockedToken, true, true).status, 303);
    const QByteArray withToken = (locked + QStringLiteral("/?token=") + SiteHarness::lockedToken).toUtf8();
    QCOMPARE(site.filesNamed(member, urlFileName(member)), QList<QByteArray> { withToken });

    const HttpReply me = site.get(QStringLiteral("/me"), cookie);
    QVERIFY(me.body.contains("<dd id=\"saved-token\">Saved (hidden)</dd>"));
    QVERIFY(me.body.contains("id=\"remove-token\""));
    QVERIFY(!me.body.contains(SiteHarness::lockedToken.toUtf8()));

    // Only the consent changes; the token field stays empty.
    const HttpReply changed = site.saveNightscout(cookie, locked, {}, false, true);
    QCOMPARE(changed.status, 303);
    QCOMPARE(site.filesNamed(member, consentFileName(member)), QList<QByteArray> { "nsf" });
    QCOMPARE(site.filesNamed(member, urlFileName(member)), QList<QByteArray> { withToken });
    QVERIFY(site.get(QStringLiteral("/me"), cookie).body.contains("Saved (hidden)"));
}

void TestSelfService::removingTheSavedTokenIsItsOwnChoice()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    const QString locked = site.nightscout().url(QStringLiteral("locked")).toString();
    QCOMPARE(site.saveNightscout(cookie, locked, SiteHarness::lockedToken, true, false).status, 303);

    // The locked site needs its token: removing it is refused in plain words.
    QUrlQuery form = site.nightscoutForm(cookie, locked, {}, true, false);
    form.addQueryItem(QStringLiteral("remove_token"), QStringLiteral("yes"));
    const HttpReply refused = site.postForm(QStringLiteral("/me/nightscout"), form, cookie);
    QCOMPARE(refused.status, 200);
    QVERIFY(refused.body.contains("Your Nightscout site needs a token"));
    QCOMPARE(site.filesNamed(member, urlFileName(member)).size(), 1);
    QVERIFY(site.filesNamed(member, urlFileName(member)).first().contains("token="));

    // The participant opened their site to anyone: the token goes, and the page says so.
    site.nightscout().site(QStringLiteral("locked")).setOpen();
    form = site.nightscoutForm(cookie, locked, {}, true, false);
    form.addQueryItem(QStringLiteral("remove_token"), QStringLiteral("yes"));
    QCOMPARE(site.postForm(QStringLiteral("/me/nightscout"), form, cookie).status, 303);
    QCOMPARE(site.filesNamed(member, urlFileName(member)), QList<QByteArray> { locked.toUtf8() });
    QVERIFY(site.get(QStringLiteral("/me"), cookie).body.contains("<dd id=\"saved-token\">None</dd>"));
}

void TestSelfService::aSavedTokenNeverGoesToAnotherSite()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    const QString locked = site.nightscout().url(QStringLiteral("locked")).toString();
    QCOMPARE(site.saveNightscout(cookie, locked, SiteHarness::lockedToken, true, false).status, 303);
    const QString open = site.nightscout().url().toString();
    QCOMPARE(site.saveNightscout(cookie, open, {}, true, false).status, 303);
    QCOMPARE(site.filesNamed(member, urlFileName(member)), QList<QByteArray> { open.toUtf8() });
    QVERIFY(site.get(QStringLiteral("/me"), cookie).body.contains("<dd id=\"saved-token\">None</dd>"));
}

void TestSelfService::addressWithoutSchemeTriesHttpsThenHttp()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    // The stand-in speaks plain HTTP only: https:// is tried and fails first.
    const QUrl open = site.nightscout().url();
    const QString typed = QStringLiteral("%1:%2").arg(open.host()).arg(open.port());
    QCOMPARE(site.saveNightscout(cookie, typed, {}, true, true).status, 303);
    QCOMPARE(site.filesNamed(member, urlFileName(member)),
             QList<QByteArray> { QStringLiteral("http://%1").arg(typed).toUtf8() });

    // Nothing answers on either: the answer is plain words about https://.
    const HttpReply down = site.saveNightscout(cookie, QStringLiteral("127.0.0.1:1"), {}, true, true);
    QCOMPARE(down.status, 200);
    QVERIFY(down.body.contains("We could not reach your Nightscout site"));
    QVERIFY2(!down.body.contains("network error"), down.body.constData());
}

void TestSelfService::schemeDetection()
{
    QVERIFY(site::hasScheme(QStringLiteral("https://a.example")));
    QVERIFY(site::hasScheme(QStringLiteral("  HTTP://a.example")));
    QVERIFY(!site::hasScheme(QStringLiteral("a.example")));
    QVERIFY(!site::hasScheme(QStringLiteral("a.example/path?x=https://b")));
    QVERIFY(!site::hasScheme(QStringLiteral("127.0.0.1:8080")));
}

void TestSelfService::consentHistoryKeepsTheTextVersion()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    const QString open = site.nightscout().url().toString();
    QVERIFY(site.get(QStringLiteral("/me"), cookie).body.contains("name=\"consent_version\" value=\"v1\""));
    QCOMPARE(site.saveNightscout(cookie, open, {}, true, true).status, 303);
    QUrlQuery form = site.nightscoutForm(cookie, open, {}, false, true);
    form.addQueryItem(QStringLiteral("consent_version"), QStringLiteral("v1"));
    QCOMPARE(site.postForm(QStringLiteral("/me/nightscout"), form, cookie).status, 303);

    auto db = site.database().connection();
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("SELECT consent, text_version, event, changed_at FROM consent_history "
                             "WHERE participant_id = ? ORDER BY id"));
    q.addBindValue(participantIdOf(site, member));
    QVERIFY(q.exec());
    QStringList rows;
    while (q.next()) {
        rows << q.value(0).toString() + u'/' + q.value(1).toString() + u'/' + q.value(2).toString();
        QVERIFY(!q.value(3).isNull());
    }
    QCOMPARE(rows, (QStringList { QStringLiteral("both/v1/saved"), QStringLiteral("nsf/v1/saved") }));

    const HttpReply me = site.get(QStringLiteral("/me"), cookie);
    QVERIFY(me.body.contains("id=\"history\""));
    QVERIFY(me.body.contains("you chose to share with Nightscout Foundation Data Commons"));
    QVERIFY(me.body.contains("href=\"/consent/v1\""));
    const HttpReply text = site.get(QStringLiteral("/consent/v1"), cookie);
    QCOMPARE(text.status, 200);
    QVERIFY(text.body.contains("If you tick a box below, you agree that"));
    QCOMPARE(site.get(QStringLiteral("/consent/v999"), cookie).status, 404);
}

void TestSelfService::withdrawingTakesResearchRowsOutAtOnce()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    QCOMPARE(site.saveNightscout(cookie, site.nightscout().url().toString(), {}, true, true).status, 303);
    const qint64 id = participantIdOf(site, member);
    int serial = 0;
    QString error;
    QVERIFY2(seedRow(site.database(), QStringLiteral("entries"), QStringLiteral("user_id"),
                     SiteHarness::keys().pseudonym(member), ++serial, &error),
             qPrintable(error));
    QVERIFY(seedRow(site.database(), QStringLiteral("etl_files"), QStringLiteral("participant_id"), id, ++serial,
                    &error));

    QCOMPARE(site.saveNightscout(cookie, QString(), QString(), false, false).status, 303);
    QCOMPARE(countRows(site.database(), QStringLiteral("entries"), QStringLiteral("user_id"),
                       SiteHarness::keys().pseudonym(member)),
             0);
    QCOMPARE(countRows(site.database(), QStringLiteral("etl_files"), QStringLiteral("participant_id"), id), 0);
    const HttpReply me = site.get(QStringLiteral("/me?saved=1"), cookie);
    QVERIFY(me.body.contains("your data has been taken out of the research database"));

    // The ingest's "consent_none" is the participant's choice, not a problem.
    auto db = site.database().connection();
    QSqlQuery status(*db);
    status.prepare(QStringLiteral("INSERT INTO participant_status (participant_id, last_error_code) VALUES (?, ?)"));
    status.addBindValue(id);
    status.addBindValue(QStringLiteral("consent_none"));
    QVERIFY(status.exec());
    const HttpReply after = site.get(QStringLiteral("/me"), cookie);
    QVERIFY(after.body.contains("id=\"transfer-note\""));
    QVERIFY(!after.body.contains("Last problem"));
}

void TestSelfService::oneSiteRegisteredTwiceIsFlagged()
{
    HARNESS();
    QString first;
    QString second;
    const QString firstCookie = site.login(&first);
    const QString secondCookie = site.login(&second);
    const QString open = site.nightscout().url().toString();
    QCOMPARE(site.saveNightscout(firstCookie, open, {}, true, true).status, 303);
    QVERIFY(!site.get(QStringLiteral("/me"), firstCookie).body.contains("id=\"shared-site\""));
    // The same site, typed differently.
    QCOMPARE(site.saveNightscout(secondCookie, open.toUpper() + QStringLiteral("/"), {}, true, false).status, 303);
    for (const QString &cookie : { firstCookie, secondCookie }) {
        const HttpReply me = site.get(QStringLiteral("/me"), cookie);
        QVERIFY(me.body.contains("id=\"shared-site\""));
        QVERIFY2(!me.body.contains((cookie == firstCookie ? second : first).toUtf8()), "nobody is named");
    }
    const auto groups = site::duplicateSites(site.database());
    QVERIFY(groups.ok());
    QCOMPARE(groups->size(), 1);
    QCOMPARE(groups->first().memberIds, (QStringList { first, second }));
    QVERIFY(!groups->first().siteId.contains(QStringLiteral("127.0.0.1")));
    auto db = site.database().connection();
    QSqlQuery audit(*db);
    QVERIFY(audit.exec(QStringLiteral("SELECT COUNT(*) FROM site_audit WHERE event = 'participant.duplicate-site'")));
    QVERIFY(audit.next());
    QCOMPARE(audit.value(0).toInt(), 1);
}

void TestSelfService::privacyPageIsTheOperatorsAndLinkedEverywhere()
{
    QFETCH_GLOBAL(QString, backend);
    QTemporaryDir dir;
    const QString notice = dir.filePath(QStringLiteral("privacy.txt"));
    {
        QFile f(notice);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# Who we are\nThe Example Diabetes Trust <runs> this site.\n\n- first point\n- second point\n");
    }
    SiteHarness site(backend, [&](site::ParticipantSite::Options &options) {
        options.settings.privacyNoticeFile = notice;
        options.settings.contact = QStringLiteral("privacy@example.org");
    });
    QVERIFY(site.isValid());
    const HttpReply page = site.get(QStringLiteral("/privacy"));
    QCOMPARE(page.status, 200);
    QVERIFY(page.body.contains("<h2>Who we are</h2>"));
    QVERIFY2(page.body.contains("The Example Diabetes Trust &lt;runs&gt; this site."), "the text is escaped");
    QVERIFY(page.body.contains("<li>second point</li>"));
    QVERIFY(page.body.contains("href=\"mailto:privacy@example.org\""));
    QVERIFY(site.get(QStringLiteral("/")).body.contains("href=\"/privacy\""));
    const QString cookie = site.login();
    for (const QString &path : { QStringLiteral("/me"), QStringLiteral("/no/such/page"), QStringLiteral("/me/delete"),
                                 QStringLiteral("/consent/v1") })
        QVERIFY2(site.get(path, cookie).body.contains("href=\"/privacy\""), qPrintable(path));
}

void TestSelfService::downloadHoldsEveryTableOfTheParticipant()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    const QString locked = site.nightscout().url(QStringLiteral("locked")).toString();
    QCOMPARE(site.saveNightscout(cookie, locked, SiteHarness::lockedToken, true, true).status, 303);
    const qint64 id = participantIdOf(site, member);
    int serial = 0;
    seedEveryTable(site, member, id, &serial);
    QString other;
    site.login(&other);
    seedEveryTable(site, other, participantIdOf(site, other), &serial);

    const HttpReply reply = site.get(QStringLiteral("/me/download"), cookie);
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("Content-Disposition").startsWith("attachment; filename=\"openaps-data-commons-"));
    QCOMPARE(reply.header("Cache-Control"), QByteArray("no-store"));
    QJsonParseError error;
    const QJsonObject file = QJsonDocument::fromJson(reply.body, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(file.value(QStringLiteral("open_humans_member_id")).toString(), member);

    const auto tables = site::participantTables(site.database());
    for (const auto &t : *tables) {
        if (t.key == ParticipantKey::None || t.materializedView)
            continue;
        const QJsonValue rows = file.value(site::exportSectionOf(t.table)).toObject().value(t.table);
        if (t.table == QLatin1String("site_sessions")) {
            QVERIFY2(rows.isUndefined(), "sessions are left out");
            continue;
        }
        QVERIFY2(rows.isArray() && !rows.toArray().isEmpty(), qPrintable(t.table + QLatin1String(" is missing")));
        for (const QJsonValue &row : rows.toArray()) {
            const QJsonValue key = row.toObject().value(t.column);
            QVERIFY2(key.toVariant().toString() == SiteHarness::keyValue(site.database(), t, member, id).toString(),
                     qPrintable(t.table + QLatin1String(" holds another participant's row")));
        }
    }
    const QJsonArray history =
            file.value(QStringLiteral("consent_history")).toObject().value(QStringLiteral("consent_history")).toArray();
    QVERIFY(!history.isEmpty());
    QVERIFY(!reply.body.contains("access_token_enc"));
    QVERIFY(!reply.body.contains(SiteHarness::lockedToken.toUtf8()));
    QCOMPARE(site.get(QStringLiteral("/me/download")).status, 303); // logged out: to the start page
}

void TestSelfService::stopAndDeleteRemovesEverything()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    QCOMPARE(site.saveNightscout(cookie, site.nightscout().url().toString(), {}, true, true).status, 303);
    site.openHumans().addFile(member, member + QStringLiteral("_entries_2024-01.ndjson"), "{}\n");
    const qint64 id = participantIdOf(site, member);
    int serial = 0;
    seedEveryTable(site, member, id, &serial);

    const HttpReply confirm = site.get(QStringLiteral("/me/delete"), cookie);
    QCOMPARE(confirm.status, 200);
    QVERIFY(confirm.body.contains("id=\"delete-confirm\""));
    QCOMPARE(site.postForm(QStringLiteral("/me/delete"), {}, cookie).status, 403); // no CSRF token: refused
    QCOMPARE(participantIdOf(site, member), id);

    const HttpReply done = postWithCsrf(site, QStringLiteral("/me/delete"), QStringLiteral("/me/delete"), cookie);
    QCOMPARE(done.status, 200);
    QVERIFY(done.body.contains("Your data has been deleted"));
    QVERIFY(done.body.contains("Glucose readings"));
    QVERIFY(done.body.contains("Your consent history"));
    QVERIFY(done.body.contains("id=\"oh-files\""));
    QVERIFY(done.body.contains("still holds 1 data files"));
    QVERIFY(done.header("Set-Cookie").contains("Max-Age=0") || done.header("Set-Cookie").contains("=;"));

    const auto tables = site::participantTables(site.database());
    for (const auto &t : *tables) {
        if (t.key == ParticipantKey::None)
            continue;
        QCOMPARE(countRows(site.database(), t.table, t.column, SiteHarness::keyValue(site.database(), t, member, id)),
                 0);
    }
    QVERIFY(site.filesNamed(member, urlFileName(member)).isEmpty());
    QCOMPARE(site.filesNamed(member, consentFileName(member)), QList<QByteArray> { "none" });
    QCOMPARE(site.get(QStringLiteral("/me"), cookie).status, 303);
}

void TestSelfService::anErasedMemberIsAskedBeforeSharingAgain()
{
    HARNESS();
    QString member;
    const QString cookie = site.login(&member);
    QCOMPARE(site.saveNightscout(cookie, site.nightscout().url().toString(), {}, true, true).status, 303);
    QCOMPARE(postWithCsrf(site, QStringLiteral("/me/delete"), QStringLiteral("/me/delete"), cookie).status, 200);
    const privacy::ParticipantKeys keys(site.options().settings.secretKey, site.options().settings.pseudonymKey);
    QVERIFY(*privacy::isTombstoned(site.database(), keys, member));
    // Their Open Humans account still says "share with both" (as after
    // leaving the project there without erasing the files).
    site.openHumans().addFile(member, urlFileName(member), site.nightscout().url().toString().toUtf8());
    site.openHumans().addFile(member, consentFileName(member), "both");

    auto held = [&] {
        auto db = site.database().connection();
        QSqlQuery q(*db);
        q.prepare(QStringLiteral("SELECT deauthorized_at IS NOT NULL, rejoin_pending_at IS NOT NULL "
                                 "FROM participants WHERE member_id = ?"));
        q.addBindValue(member);
        return q.exec() && q.next() && q.value(0).toBool() && q.value(1).toBool();
    };
    QString again = site.loginAs(member);
    QVERIFY(!again.isEmpty());
    HttpReply me = site.get(QStringLiteral("/me"), again);
    QVERIFY(me.body.contains("id=\"rejoin\""));
    QVERIFY(me.body.contains("Nightscout Foundation Data Commons"));
    QVERIFY(!me.body.contains("id=\"nightscout-form\""));
    QVERIFY2(held(), "transfers stay stopped (the jobs skip deauthorised participants)");
    QVERIFY(*privacy::isTombstoned(site.database(), keys, member));
    QCOMPARE(site.saveNightscout(again, site.nightscout().url().toString(), {}, true, true).status, 303);
    QVERIFY(held());
    QCOMPARE(site.get(QStringLiteral("/me/download"), again).status, 303);

    // "No": the new login is forgotten, the tombstone stays.
    QUrlQuery no;
    no.addQueryItem(QStringLiteral("answer"), QStringLiteral("no"));
    const HttpReply stopped = postWithCsrf(site, QStringLiteral("/me/rejoin"), QStringLiteral("/me"), again, no);
    QCOMPARE(stopped.status, 200);
    QVERIFY(stopped.body.contains("Everything stays stopped"));
    QCOMPARE(participantIdOf(site, member), 0);
    QVERIFY(*privacy::isTombstoned(site.database(), keys, member));

    // "Yes": the tombstone goes, transfers may start, the history says so.
    again = site.loginAs(member);
    QUrlQuery yes;
    yes.addQueryItem(QStringLiteral("answer"), QStringLiteral("yes"));
    const HttpReply started = postWithCsrf(site, QStringLiteral("/me/rejoin"), QStringLiteral("/me"), again, yes);
    QCOMPARE(started.status, 303);
    QVERIFY(!*privacy::isTombstoned(site.database(), keys, member));
    QVERIFY(!held());
    me = site.get(QStringLiteral("/me"), again);
    QVERIFY(me.body.contains("id=\"nightscout-form\""));
    QVERIFY(me.body.contains("you started again after your data was deleted; you chose to share with"));
    auto db = site.database().connection();
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("SELECT consent, event, text_version FROM consent_history WHERE participant_id = ?"));
    q.addBindValue(participantIdOf(site, member));
    QVERIFY(q.exec() && q.next());
    QCOMPARE(q.value(0).toString() + u'/' + q.value(1).toString() + u'/' + q.value(2).toString(),
             QStringLiteral("both/rejoined/v1"));
}

QTEST_MAIN(TestSelfService)
#include "tst_selfservice.moc"
