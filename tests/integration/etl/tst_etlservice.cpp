#include "db/sqlhelpers.h"
#include "etlworld.h"
#include "jobs/ohsession.h"

#include <QTemporaryDir>

using namespace openaps;
using namespace openaps::etl;
using namespace openaps::test::etl;
using Endpoint = openaps::standins::OpenHumansStandIn::Endpoint;

class TestEtlService : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    // Legacy whole-history files and gzip segments, loaded once; a second
    // cycle fetches nothing and changes nothing; a new segment is the only
    // file fetched next time.
    void loadsNewFilesOnly()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        w.addFile(QStringLiteral("1706745600000_%1_profile.json").arg(w.member), fixture("profile-shapes.ndjson"));
        w.addFile(QStringLiteral("1706745600000_%1_entries.json").arg(w.member), entries(0, 500));
        w.addFile(QStringLiteral("%1_treatments_2024-01.ndjson.gz").arg(w.member),
                  gzipped(fixture("treatments-messy.ndjson")));
        w.addFile(QStringLiteral("%1_devicestatus_2024-01.ndjson.gz").arg(w.member),
                  gzipped(fixture("devicestatus-flavours.ndjson")));
        w.addFile(QStringLiteral("upload.ndjson"), entries(500, 510),
                  { QStringLiteral("entries") }); // typed by its tag
        w.addFile(QStringLiteral("%1_open_aps_nightscout_url.txt").arg(w.member), "https://example.org");
        w.setConsent("both");

        const auto first = w.runOnce();
        QCOMPARE(first.succeeded, 1);
        QCOMPARE(w.userCount("entries"), qint64(510));
        QCOMPARE(w.userCount("treatments"), qint64(9));
        QCOMPARE(w.userCount("device_status"), qint64(8));
        QCOMPARE(w.userCount("device_status_metrics"), qint64(5));
        QCOMPARE(w.userCount("profile"), qint64(3));
        QCOMPARE(
                scalar(database, QStringLiteral("SELECT MIN(source_entity) || '/' || MAX(source_entity) FROM entries")),
                QStringLiteral("2/2"));
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM etl_files WHERE status = 'loaded'")),
                 QStringLiteral("5"));
        QCOMPARE(
                scalar(database,
                       QStringLiteral(
                               "SELECT bad_lines || ':' || bad_line_report FROM etl_files WHERE data_type = 'treatments'")),
                QStringLiteral("1:line 10: not valid JSON (illegal value at byte 1)"));
        QVERIFY(w.userCount("analytics_glucose_time_of_day") > 0);
        QCOMPARE(scalar(database, QStringLiteral("SELECT consent FROM etl_participants")), QStringLiteral("both"));
        // The zone of the profile in force in February 2024 (Europe/Berlin
        // since 2020, winter: +60) reached the entries, which state none.
        QCOMPARE(scalar(database, QStringLiteral("SELECT MIN(utc_offset) || '/' || MAX(utc_offset) FROM entries")),
                 QStringLiteral("60/60"));

        const QStringList before = snapshot(database, QStringLiteral("entries"));
        const int downloads = w.oh.standIn->requestCount(Endpoint::StorageGet);
        const auto second = w.runOnce();
        QCOMPARE(second.succeeded, 1);
        QCOMPARE(w.oh.standIn->requestCount(Endpoint::StorageGet), downloads + 1); // the consent file only
        QCOMPARE(snapshot(database, QStringLiteral("entries")), before);

        w.addFile(QStringLiteral("%1_entries_2024-02.ndjson.gz").arg(w.member), gzipped(entries(490, 600)));
        QCOMPARE(w.runOnce().succeeded, 1);
        QCOMPARE(w.oh.standIn->requestCount(Endpoint::StorageGet), downloads + 3);
        QCOMPARE(w.userCount("entries"), qint64(600));
        QCOMPARE(
                scalar(database,
                       QStringLiteral(
                               "SELECT rows_new || '/' || rows_duplicate FROM etl_files WHERE basename LIKE '%2024-02%'")),
                QStringLiteral("90/20"));
    }

    // Consent changes restamp every row within the cycle; "none" removes the
    // participant from the research and analytics tables; consenting again
    // loads everything again.
    void followsConsent()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        w.addFile(QStringLiteral("1706745600000_%1_entries.json").arg(w.member), entries(0, 50));
        w.addFile(QStringLiteral("1706745600000_%1_devicestatus.json").arg(w.member),
                  fixture("devicestatus-flavours.ndjson"));
        w.setConsent("openaps");
        QCOMPARE(w.runOnce().succeeded, 1);
        QCOMPARE(scalar(database, QStringLiteral("SELECT MAX(source_entity) FROM entries")), QStringLiteral("0"));

        w.setConsent("nsf");
        QCOMPARE(w.runOnce().succeeded, 1);
        for (const char *table : { "entries", "device_status", "device_status_metrics", "analytics_glucose_time_of_day",
                                   "analytics_device_groups", "analytics_loop_type_by_day" })
            QCOMPARE(scalar(database,
                            QStringLiteral("SELECT MIN(source_entity) || '/' || MAX(source_entity) FROM %1")
                                    .arg(QLatin1String(table))),
                     QStringLiteral("1/1"));

        w.setConsent("none");
        QCOMPARE(w.runOnce().succeeded, 1);
        for (const char *table : { "entries", "device_status", "device_status_metrics", "analytics_glucose_time_of_day",
                                   "analytics_device_groups", "analytics_loop_type_by_day" })
            QCOMPARE(w.userCount(table), qint64(0));
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM etl_files")), QStringLiteral("0"));

        w.setConsent("openaps");
        QCOMPARE(w.runOnce().succeeded, 1);
        QCOMPARE(w.userCount("entries"), qint64(50));
        QCOMPARE(w.userCount("device_status_metrics"), qint64(5));
        QCOMPARE(scalar(database, QStringLiteral("SELECT MAX(source_entity) FROM device_status")), QStringLiteral("0"));
    }

    // An access token about to expire is refreshed and the rotated pair is
    // stored before use; a file that arrives broken is recorded as failed
    // and fetched again next cycle.
    void refreshesTokensAndRetriesFailedFiles()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        const QByteArray packed = gzipped(entries(0, 2000));
        w.addFile(QStringLiteral("%1_entries_2024-02.ndjson.gz").arg(w.member), packed.left(packed.size() / 2));
        const QString storedBefore = scalar(database, QStringLiteral("SELECT refresh_token_enc FROM participants"));
        w.oh.clock.advance(36000 - 100); // inside the five-minute margin
        const auto first = w.runOnce();
        QCOMPARE(first.failed, 1);
        QVERIFY(scalar(database, QStringLiteral("SELECT refresh_token_enc FROM participants")) != storedBefore);
        QCOMPARE(scalar(database, QStringLiteral("SELECT status || ':' || attempts FROM etl_files")),
                 QStringLiteral("failed:1"));
        const qint64 partial = w.userCount("entries");
        QVERIFY(partial > 0 && partial < 2000); // what could be read is kept

        w.oh.standIn->store().deleteFiles(w.member, standins::OpenHumansStore::DeleteBy::All, QString());
        w.addFile(QStringLiteral("%1_entries_2024-02.ndjson.gz").arg(w.member), packed);
        QCOMPARE(w.runOnce().succeeded, 1);
        QCOMPARE(w.userCount("entries"), qint64(2000));
        // The broken file is gone from Open Humans, so from etl_files too.
        QCOMPARE(scalar(database, QStringLiteral("SELECT status || ':' || attempts FROM etl_files")),
                 QStringLiteral("loaded:1"));
    }

    // Two sessions (two jobs, or two instances) needing a fresh token at the
    // same time: one refresh only (Open Humans would kill the second refresh
    // token), both get the rotated token, which is stored.
    void concurrentRefreshUsesOneRefreshToken()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        w.oh.clock.advance(36000); // the stored token has expired
        jobs::OhSession first(database, w.oh.client(), secretKey, w.oh.clock.clock());
        jobs::OhSession second(database, w.oh.client(), secretKey, w.oh.clock.clock());
        second.setLeaseWait(std::chrono::milliseconds(20), 500);
        QStringList tokens;
        int answers = 0;
        auto collect = [&](Result<jobs::OhSession::Grant> grant) {
            ++answers;
            tokens << (grant ? grant->accessToken : grant.error().code);
        };
        first.accessToken(w.participantId, this, collect);
        second.accessToken(w.participantId, this, collect);
        QTRY_COMPARE_WITH_TIMEOUT(answers, 2, 30000);
        QCOMPARE(w.oh.standIn->requestCount(Endpoint::Token), 1);
        QCOMPARE(tokens.size(), 2);
        QCOMPARE(tokens[0], tokens[1]);
        const auto stored = first.stored(w.participantId);
        QVERIFY(stored.ok());
        QCOMPARE(stored->accessToken, tokens[0]);
        QVERIFY(stored->expiresAt > w.oh.clock.now);
    }

    // Several participants at once (ETL_CONCURRENCY 2): each loaded, each
    // with its own consent.
    void loadsSeveralParticipants()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        w.addFile(QStringLiteral("%1_entries_2024-02.ndjson.gz").arg(w.member), gzipped(entries(0, 300)));
        QStringList members { w.member };
        for (int i = 0; i < 3; ++i) {
            oh::TokenPair tokens;
            const QString member = w.oh.memberWithTokens(&tokens);
            tokens.expiresAt = w.oh.clock.now.addSecs(36000);
            QVERIFY(sql::exec(*database.connection(), QStringLiteral("INSERT INTO participants (member_id) VALUES (?)"),
                              { member }, "test")
                            .ok());
            const qint64 id = scalar(database, QStringLiteral("SELECT id FROM participants WHERE member_id = ?"),
                                     { member })
                                      .toLongLong();
            QVERIFY(jobs::OhSession(database, w.oh.client(), secretKey, w.oh.clock.clock()).store(id, tokens).ok());
            w.oh.standIn->addFile(member, member + QStringLiteral("_entries_2024-02.ndjson.gz"),
                                  gzipped(entries(0, 100 * (i + 1))));
            w.oh.standIn->addFile(member, member + QStringLiteral("_open_aps_data_sharing_consent.txt"),
                                  i == 2 ? QByteArray("none") : QByteArray("nsf"));
            members << member;
        }
        const auto pass = w.runOnce();
        QCOMPARE(pass.started, 4);
        QCOMPARE(pass.succeeded, 4);
        QList<qint64> counts;
        for (const QString &member : members)
            counts << scalar(database, QStringLiteral("SELECT COUNT(*) FROM entries WHERE user_id = ?"),
                             { w.keys.pseudonym(member) })
                              .toLongLong();
        QCOMPARE(counts, (QList<qint64> { 300, 100, 200, 0 }));
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(DISTINCT source_entity) FROM entries")),
                 QStringLiteral("2"));
    }

    // A participant whose Open Humans access ended is reported, not fatal.
    void revokedMemberFailsAlone()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        w.oh.standIn->revokeMember(w.member);
        const auto pass = w.runOnce();
        QCOMPARE(pass.failed, 1);
        QVERIFY(!scalar(database, QStringLiteral("SELECT last_error FROM etl_participants")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEtlService)
#include "tst_etlservice.moc"
