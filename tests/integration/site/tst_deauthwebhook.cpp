// POST /deauth on SQLite and PostgreSQL: signature checks, both payload
// encodings, complete erasure across every table the schema holds, and
// deauthorisation without erasure.

#include "schemaseed.h"
#include "siteharness.h"

#include "openhumans/webhook.h"
#include "privacy/tombstones.h"
#include "site/erasure.h"
#include "site/participantstore.h"
#include "site/sessionstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlField>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace openaps;
using namespace openaps::test;
using site::ParticipantKey;

namespace {

const QString target = QStringLiteral("12345678");
const QString bystander = QStringLiteral("87654321");

struct Seeded
{
    qint64 targetId = 0;
    qint64 bystanderId = 0;
    QString targetCookie;
};

} // namespace

class TestDeauthWebhook : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { addBackendRows(); }

    void everyTableIsClassified();
    void signature_data();
    void signature();
    void erasureLeavesNothingInAnyTable_data();
    void erasureLeavesNothingInAnyTable();
    void withoutErasureTransfersStop();
    void unknownMemberAndBadBody();
    void staleOrUndatedNoticesAreRefused_data();
    void staleOrUndatedNoticesAreRefused();
    void aReplayedNoticeIsRefused();
    void withoutASecretNothingIsErased();
    void theSiteDoesNotStartWithoutASecret();
    void webhooksAreRateLimited();

private:
    // POSTs `body` to /deauth signed with the harness's secret.
    HttpReply postSigned(SiteHarness &site, const QByteArray &body);
    Seeded seed(SiteHarness &site);
    int sendWebhook(SiteHarness &site, const QString &member, bool erasure, bool doubleEncoded,
                    const QByteArray &secret);
};

#define HARNESS()                                                                                                      \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    SiteHarness site(backend);                                                                                         \
    QVERIFY2(site.isValid(), "the site did not start")

Seeded TestDeauthWebhook::seed(SiteHarness &site)
{
    Seeded s;
    site::ParticipantStore store(site.database(), QByteArrayLiteral("seed-key-0123456789abcdef0123456789"));
    oh::TokenPair tokens {
        QStringLiteral("access"), QStringLiteral("refresh"), QDateTime::currentDateTimeUtc().addSecs(3600), {}
    };
    s.targetId = *store.recordLogin(
            { target, tokens, 1, QStringLiteral("https://target.example"), QStringLiteral("both") });
    s.bystanderId = *store.recordLogin(
            { bystander, tokens, 1, QStringLiteral("https://other.example"), QStringLiteral("nsf") });
    return s;
}

int TestDeauthWebhook::sendWebhook(SiteHarness &site, const QString &member, bool erasure, bool doubleEncoded,
                                   const QByteArray &secret)
{
    int status = -1;
    bool done = false;
    site.openHumans().sendDeauthWebhook(site.url(QStringLiteral("/deauth")), member, { secret, erasure, doubleEncoded },
                                        this, [&](Result<int> reply) {
                                            status = reply ? *reply : -1;
                                            done = true;
                                        });
    if (!QTest::qWaitFor([&done] { return done; }, 20000))
        qWarning("the webhook got no answer");
    return status;
}

void TestDeauthWebhook::everyTableIsClassified()
{
    HARNESS();
    // A table that names no participant and is not listed as holding no
    // participant data would escape erasure: name it in erasure.cpp.
    const auto missing = site::unclassifiedTables(site.database());
    QVERIFY(missing.ok());
    QVERIFY2(missing->isEmpty(), qPrintable(QStringLiteral("tables erasure does not know: ") + missing->join(u',')));
    const auto tables = site::participantTables(site.database());
    QVERIFY(tables.ok());
    QVERIFY(tables->size() >= 10);
}

void TestDeauthWebhook::signature_data()
{
    QTest::addColumn<QByteArray>("header"); // "sign" = a correct signature
    QTest::addColumn<int>("status");
    QTest::addRow("correct signature") << QByteArray("sign") << 200;
    QTest::addRow("missing") << QByteArray() << 401;
    QTest::addRow("another secret's signature") << QByteArray("other") << 401;
    QTest::addRow("wrong hex") << QByteArray("sha1=0000000000000000000000000000000000000000") << 401;
    QTest::addRow("not sha1=") << QByteArray("md5=abc") << 401;
}

void TestDeauthWebhook::signature()
{
    QFETCH(QByteArray, header);
    QFETCH(int, status);
    HARNESS();
    seed(site);
    const QByteArray body = oh::deauthNoticeBody({ target, true, QDateTime::currentDateTimeUtc() });
    QList<QPair<QByteArray, QByteArray>> headers { { "Content-Type", "application/json" } };
    if (header == "sign")
        headers.append({ oh::webhookSignatureHeader, oh::webhookSignature(SiteHarness::webhookSecret, body) });
    else if (header == "other")
        headers.append({ oh::webhookSignatureHeader, oh::webhookSignature("not-the-secret", body) });
    else if (!header.isEmpty())
        headers.append({ oh::webhookSignatureHeader, header });
    const HttpReply reply = site.post(QStringLiteral("/deauth"), body, {}, headers);
    QCOMPARE(reply.status, status);
    QVERIFY(!reply.header("X-Frame-Options").isEmpty());
    const qint64 left = countRows(site.database(), QStringLiteral("participants"), QStringLiteral("member_id"), target);
    QCOMPARE(left, status == 200 ? 0 : 1); // a refused webhook changes nothing
}

void TestDeauthWebhook::erasureLeavesNothingInAnyTable_data()
{
    QTest::addColumn<bool>("doubleEncoded");
    QTest::addRow("JSON object") << false;
    QTest::addRow("double-encoded JSON (older Open Humans)") << true;
}

void TestDeauthWebhook::erasureLeavesNothingInAnyTable()
{
    QFETCH(bool, doubleEncoded);
    HARNESS();
    const Seeded s = seed(site);
    site::SessionStore sessions(site.database(), "k", std::chrono::hours(1), systemClock());
    QVERIFY(sessions.create(s.targetId).ok());
    QVERIFY(sessions.create(s.bystanderId).ok());

    // Every table the schema has that names a participant gets a row for
    // both members, whoever added the table.
    const auto tables = site::participantTables(site.database());
    QVERIFY(tables.ok());
    int serial = 0;
    for (const auto &t : *tables) {
        if (t.key == ParticipantKey::None || t.materializedView || t.table == QLatin1String("participants")
            || t.table == QLatin1String("site_sessions"))
            continue;
        for (const auto &[member, id] : { std::pair { target, s.targetId }, std::pair { bystander, s.bystanderId } }) {
            QString error;
            QVERIFY2(seedRow(site.database(), t.table, t.column, SiteHarness::keyValue(site.database(), t, member, id),
                             ++serial, &error),
                     qPrintable(error));
        }
    }

    QCOMPARE(sendWebhook(site, target, true, doubleEncoded, SiteHarness::webhookSecret), 200);

    for (const auto &t : *tables) {
        if (t.key == ParticipantKey::None)
            continue;
        const qint64 left = countRows(site.database(), t.table, t.column,
                                      SiteHarness::keyValue(site.database(), t, target, s.targetId));
        QVERIFY2(left == 0,
                 qPrintable(QStringLiteral("%1: %2 rows of the erased participant left").arg(t.table).arg(left)));
        QVERIFY2(countRows(site.database(), t.table, t.column,
                           SiteHarness::keyValue(site.database(), t, bystander, s.bystanderId))
                         > 0,
                 qPrintable(t.table + QLatin1String(": the other participant's rows must stay")));
    }
    auto db = site.database().connection();
    QSqlQuery audit(*db);
    QVERIFY(audit.exec(QStringLiteral("SELECT event, detail FROM site_audit")));
    QVERIFY(audit.next());
    QCOMPARE(audit.value(0).toString(), QStringLiteral("participant.erased"));
    QVERIFY2(!audit.value(1).toString().contains(target), "the audit record names no one");
    audit.finish();

    // The tombstone: a keyed hash, never the member id; the other member has none.
    const privacy::ParticipantKeys keys = SiteHarness::keys();
    QCOMPARE(*privacy::isTombstoned(site.database(), keys, target), true);
    QCOMPARE(*privacy::isTombstoned(site.database(), keys, bystander), false);
    QSqlQuery stones(*db);
    QVERIFY(stones.exec(QStringLiteral("SELECT tombstone FROM participant_tombstones")));
    QVERIFY(stones.next());
    QCOMPARE(stones.value(0).toString(), keys.tombstone(target));
    QVERIFY(!stones.value(0).toString().contains(target));
    QVERIFY(!stones.next());
    stones.finish();
    // Confirming sharing again lifts it (privacy-site's re-join flow).
    QCOMPARE(*privacy::liftTombstone(site.database(), keys, target), true);
    QCOMPARE(*privacy::isTombstoned(site.database(), keys, target), false);
    QCOMPARE(*privacy::liftTombstone(site.database(), keys, target), false);
}

void TestDeauthWebhook::withoutErasureTransfersStop()
{
    HARNESS();
    const QString cookie = site.login();
    QVERIFY(!cookie.isEmpty());
    auto db = site.database().connection();
    QSqlQuery member(*db);
    QVERIFY(member.exec(QStringLiteral("SELECT member_id FROM participants")) && member.next());
    const QString memberId = member.value(0).toString();
    member.finish(); // the site shares this thread's connection: no statement may stay open

    QCOMPARE(sendWebhook(site, memberId, false, false, SiteHarness::webhookSecret), 200);

    QSqlQuery q(*db);
    QVERIFY(q.exec(QStringLiteral("SELECT deauthorized_at, access_token_enc, refresh_token_enc FROM participants")));
    QVERIFY(q.next());
    QVERIFY2(!q.value(0).isNull(), "marked deauthorised, so ingest skips the participant");
    QVERIFY(q.value(1).isNull());
    QVERIFY(q.value(2).isNull());
    QCOMPARE(site.get(QStringLiteral("/me"), cookie).status, 303); // logged out everywhere
    // Logging in again starts over.
    QVERIFY(!site.login().isEmpty());
}

void TestDeauthWebhook::unknownMemberAndBadBody()
{
    HARNESS();
    seed(site);
    QCOMPARE(sendWebhook(site, QStringLiteral("99999999"), true, false, SiteHarness::webhookSecret), 200);
    QCOMPARE(countRows(site.database(), QStringLiteral("participants"), QStringLiteral("member_id"), target), 1);
    // Unknown here, yet tombstoned: a later bulk import or survey keeps nothing of theirs.
    QCOMPARE(*privacy::isTombstoned(site.database(), SiteHarness::keys(), QStringLiteral("99999999")), true);
    const QByteArray garbage = "{not json";
    const HttpReply reply = site.post(
            QStringLiteral("/deauth"), garbage, {},
            { { oh::webhookSignatureHeader, oh::webhookSignature(SiteHarness::webhookSecret, garbage) } });
    QCOMPARE(reply.status, 400);
}

HttpReply TestDeauthWebhook::postSigned(SiteHarness &site, const QByteArray &body)
{
    return site.post(QStringLiteral("/deauth"), body, {},
                     { { "Content-Type", "application/json" },
                       { oh::webhookSignatureHeader, oh::webhookSignature(SiteHarness::webhookSecret, body) } });
}

void TestDeauthWebhook::staleOrUndatedNoticesAreRefused_data()
{
    QTest::addColumn<QByteArray>("body");
    const auto at = [](qint64 secondsFromNow) {
        return oh::deauthNoticeBody({ target, true, QDateTime::currentDateTimeUtc().addSecs(secondsFromNow) });
    };
    QTest::addRow("ten minutes old") << at(-600);
    QTest::addRow("a day old") << at(-86400);
    QTest::addRow("ten minutes ahead") << at(600);
    QTest::addRow("no timestamp") << QByteArray(R"({"project_member_id": "12345678", "erasure_requested": true})");
    QTest::addRow("unreadable timestamp")
            << QByteArray(R"({"project_member_id": "12345678", "erasure_requested": true, "timestamp": "soon"})");
}

void TestDeauthWebhook::staleOrUndatedNoticesAreRefused()
{
    QFETCH(QByteArray, body);
    HARNESS();
    seed(site);
    // Correctly signed, but an old capture sent again (or one without a
    // date that could be sent at any time) must not erase anyone.
    const HttpReply reply = postSigned(site, body);
    QCOMPARE(reply.status, 400);
    QCOMPARE(QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("status")).toString(),
             QStringLiteral("stale"));
    QCOMPARE(countRows(site.database(), QStringLiteral("participants"), QStringLiteral("member_id"), target), 1);
}

void TestDeauthWebhook::aReplayedNoticeIsRefused()
{
    HARNESS();
    seed(site);
    // A notice without erasure first: then the replay, if accepted, would be
    // invisible; the answer must tell it apart.
    const QByteArray body = oh::deauthNoticeBody({ target, false, QDateTime::currentDateTimeUtc() });
    QCOMPARE(postSigned(site, body).status, 200);
    const HttpReply again = postSigned(site, body);
    QCOMPARE(again.status, 409);
    QCOMPARE(QJsonDocument::fromJson(again.body).object().value(QStringLiteral("status")).toString(),
             QStringLiteral("replayed"));
    // A new notice (another timestamp, so another signature) is accepted.
    const QByteArray erase = oh::deauthNoticeBody({ target, true, QDateTime::currentDateTimeUtc().addSecs(1) });
    QCOMPARE(postSigned(site, erase).status, 200);
    QCOMPARE(countRows(site.database(), QStringLiteral("participants"), QStringLiteral("member_id"), target), 0);
}

void TestDeauthWebhook::withoutASecretNothingIsErased()
{
    QFETCH_GLOBAL(QString, backend);
    SiteHarness site(backend, [](site::ParticipantSite::Options &options) {
        options.settings.webhookSecret.clear();
        options.settings.allowNoWebhookSecret = true;
    });
    QVERIFY2(site.isValid(), "with the explicit override the site starts");
    seed(site);
    const QByteArray body = oh::deauthNoticeBody({ target, true, QDateTime::currentDateTimeUtc() });
    for (const QByteArray &signature :
         { QByteArray(), oh::webhookSignature({}, body), oh::webhookSignature(SiteHarness::webhookSecret, body) }) {
        QList<QPair<QByteArray, QByteArray>> headers { { "Content-Type", "application/json" } };
        if (!signature.isEmpty())
            headers.append({ oh::webhookSignatureHeader, signature });
        QCOMPARE(site.post(QStringLiteral("/deauth"), body, {}, headers).status, 503);
    }
    QCOMPARE(countRows(site.database(), QStringLiteral("participants"), QStringLiteral("member_id"), target), 1);
}

void TestDeauthWebhook::theSiteDoesNotStartWithoutASecret()
{
    HARNESS();
    auto options = site.options();
    options.settings.webhookSecret.clear();
    QNetworkAccessManager nam;
    auto refused = site::ParticipantSite::create(site.database(), &nam, options);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.startsWith(QLatin1String("OPENAPS_OH_WEBHOOK_SECRET is not set")),
             qPrintable(refused.error().message));
}

void TestDeauthWebhook::webhooksAreRateLimited()
{
    QFETCH_GLOBAL(QString, backend);
    SiteHarness site(backend, [](site::ParticipantSite::Options &options) { options.settings.webhookLimit = 3; });
    QVERIFY(site.isValid());
    seed(site);
    const QByteArray body = oh::deauthNoticeBody({ target, true, QDateTime::currentDateTimeUtc() });
    for (int i = 0; i < 3; ++i)
        QCOMPARE(site.post(QStringLiteral("/deauth"), body).status, 401); // unsigned guesses
    const HttpReply limited = site.post(QStringLiteral("/deauth"), body);
    QCOMPARE(limited.status, 429);
    QVERIFY(limited.header("Retry-After").toInt() > 0);
    // Over the limit even a correct notice waits: nothing is erased.
    QCOMPARE(postSigned(site, body).status, 429);
    QCOMPARE(countRows(site.database(), QStringLiteral("participants"), QStringLiteral("member_id"), target), 1);
}

QTEST_MAIN(TestDeauthWebhook)
#include "tst_deauthwebhook.moc"
