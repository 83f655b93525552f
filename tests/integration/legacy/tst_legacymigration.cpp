// `openaps-server migrate-legacy` through the real binary: the old database
// is built from tests/fixtures/legacy/ on PostgreSQL; the target is SQLite
// or PostgreSQL.

#include "legacysupport.h"
#include "privacy/participantkeys.h"
#include "privacy/tokenseal.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

using namespace openaps;
using namespace openaps::test::etl;
using namespace openaps::test::legacy;
using namespace Qt::StringLiterals;

namespace {

qint64 pseudonymOf(const char *member)
{
    return privacy::ParticipantKeys(secretKey).pseudonym(QString::fromLatin1(member));
}

QString stoneOf(const char *member)
{
    return privacy::ParticipantKeys(secretKey).tombstone(QString::fromLatin1(member));
}

// Member 44444444 was erased in the new system before the switch.
bool eraseMemberFour(const db::Database &target)
{
    return runSql(
            target,
            QStringLiteral("INSERT INTO participant_tombstones (tombstone) VALUES ('%1')").arg(stoneOf("44444444")));
}

QString rowsOf(const db::Database &database, const QString &table, qint64 userId)
{
    return scalar(database, QStringLiteral("SELECT COUNT(*) FROM %1 WHERE user_id = ?").arg(table), { userId });
}

} // namespace

class TestLegacyMigration : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    // Every table, with the ETL's treatment; members who left stay out.
    void everyTableMigrated()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const db::Database &target = database;
        auto old = oldDatabase();
        if (!old)
            QSKIP("the old database needs PostgreSQL (OPENAPS_TEST_POSTGRES_URL)");
        QVERIFY(eraseMemberFour(target));

        const RunResult run = migrate(tdb.url(), old->url());
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));

        // Members and their tokens, sealed as the site seals its own.
        QCOMPARE(scalar(target, QStringLiteral("SELECT COUNT(*) FROM participants")), QStringLiteral("2"));
        const privacy::TokenSeal seal(secretKey);
        const QString sealed = scalar(target,
                                      QStringLiteral("SELECT access_token_enc FROM participants "
                                                     "WHERE member_id = '22222222'"));
        QVERIFY(!sealed.contains(QLatin1String("access-two")));
        QVERIFY(sealed.startsWith(QLatin1String("v2:"))); // bound to the member
        QCOMPARE(seal.open(u"22222222"_s, privacy::TokenKind::Access, sealed).value(), u"access-two-CCCC"_s);
        QCOMPARE(seal.open(u"11111111"_s, privacy::TokenKind::Refresh,
                           scalar(target,
                                  QStringLiteral("SELECT refresh_token_enc FROM participants "
                                                 "WHERE member_id = '11111111'")))
                         .value(),
                 u"refresh-one-BBBB"_s);
        QCOMPARE(scalar(target,
                        QStringLiteral("SELECT token_expires_at FROM participants "
                                       "WHERE member_id = '22222222'"))
                         .left(19),
                 QStringLiteral("2019-11-20T10:00:00"));

        // Research rows under pseudonyms only; nothing of members who left,
        // were erased or could not be copied; no member id in raw_json.
        const qint64 one = pseudonymOf("11111111");
        const qint64 two = pseudonymOf("22222222");
        QCOMPARE(rowsOf(target, QStringLiteral("entries"), one), QStringLiteral("3")); // e1, e2, e3 (once)
        QCOMPARE(rowsOf(target, QStringLiteral("entries"), two), QStringLiteral("2"));
        QCOMPARE(count(target, QStringLiteral("entries")), 5);
        QCOMPARE(count(target, QStringLiteral("treatments")), 2); // t1, t2 once; t3 has no time
        QCOMPARE(count(target, QStringLiteral("device_status")), 2);
        QCOMPARE(count(target, QStringLiteral("profile")), 1);
        QCOMPARE(scalar(target,
                        QStringLiteral("SELECT COUNT(*) FROM entries WHERE CAST(raw_json AS TEXT) LIKE '%user_id%' "
                                       "OR CAST(raw_json AS TEXT) LIKE '%source_entity%' "
                                       "OR CAST(raw_json AS TEXT) LIKE '%1111111%'")),
                 QStringLiteral("0"));
        // Consent: each member's newest stamp, for all their rows.
        QCOMPARE(
                scalar(target, QStringLiteral("SELECT DISTINCT source_entity FROM entries WHERE user_id = ?"), { one }),
                QStringLiteral("2"));
        QCOMPARE(scalar(target, QStringLiteral("SELECT COUNT(DISTINCT source_entity) FROM entries")),
                 QStringLiteral("2"));
        QCOMPARE(
                scalar(target, QStringLiteral("SELECT DISTINCT source_entity FROM entries WHERE user_id = ?"), { two }),
                QStringLiteral("1"));
        // Local time: the profile's zone (Berlin, summer time) or the record's own offset.
        QCOMPARE(scalar(target, QStringLiteral("SELECT utc_offset FROM entries WHERE id = 'e2'")),
                 QStringLiteral("120"));
        QCOMPARE(scalar(target, QStringLiteral("SELECT date FROM entries WHERE id = 'e1'")).left(19),
                 QStringLiteral("2019-10-01T10:00:00"));
        QCOMPARE(scalar(target, QStringLiteral("SELECT utc_offset FROM device_status WHERE id = 'd20'")),
                 QStringLiteral("-300"));
        // Unicode survives as it was (in a field research keeps as written).
        QVERIFY(scalar(target, QStringLiteral("SELECT direction FROM entries WHERE id = 'e3'"))
                        .startsWith(QStringLiteral("Café rig 😀")));
        // Free text and device names scrubbed as the ETL does (privacy/recordscrub.h):
        // devices and uploaders as their families.
        QCOMPARE(scalar(target, QStringLiteral("SELECT device FROM entries WHERE id = 'e3'")), QStringLiteral("other"));
        QCOMPARE(scalar(target, QStringLiteral("SELECT entered_by FROM treatments WHERE id = 't1'")),
                 QStringLiteral("other"));
        QCOMPARE(scalar(target, QStringLiteral("SELECT entered_by FROM treatments WHERE id = 't2'")),
                 QStringLiteral("openaps"));
        QVERIFY(!scalar(target, QStringLiteral("SELECT device FROM device_status WHERE id = 'd20'"))
                         .contains(QLatin1String("iPhone")));
        QVERIFY(!scalar(target, QStringLiteral("SELECT raw_json FROM device_status WHERE id = 'd1'"))
                         .contains(QLatin1String("edison-jane")));
        // Metrics rebuilt from the devicestatus records.
        QCOMPARE(count(target, QStringLiteral("device_status_metrics")), 2);
        QCOMPARE(scalar(target,
                        QStringLiteral("SELECT enacted_reservoir FROM device_status_metrics "
                                       "WHERE device_status_id = 'd1'")),
                 QStringLiteral("150.5"));
        // Survey answers: years only, under pseudonyms, members who share.
        QCOMPARE(count(target, QStringLiteral("member_demographics")), 2);
        QCOMPARE(
                scalar(target, QStringLiteral("SELECT birth_year FROM member_demographics WHERE user_id = ?"), { one }),
                QStringLiteral("1980"));
        QCOMPARE(scalar(target, QStringLiteral("SELECT diagnosis_year FROM member_demographics WHERE user_id = ?"),
                        { two }),
                 QStringLiteral("1990"));
        QCOMPARE(scalar(target, QStringLiteral("SELECT survey FROM member_demographics WHERE user_id = ?"), { two }),
                 QStringLiteral("nightscout"));
        // Analytics follow, as after an ETL load.
        QVERIFY(count(target, QStringLiteral("analytics_glucose_time_of_day")) > 0);

        // The report: per table, copied, skipped and bad with reasons.
        QVERIFY2(run.out.contains(QLatin1String("openaps.entries: copied 5, skipped 4, bad 3")), qPrintable(run.out));
        QVERIFY(run.out.contains(QLatin1String("skipped 1: member was erased")));
        QVERIFY(run.out.contains(QLatin1String("skipped 1: member is no longer in the project")));
        QVERIFY(run.out.contains(QLatin1String("skipped 1: no Open Humans token (the member must log in again)")));
        QVERIFY(run.out.contains(QLatin1String("bad 1: no usable time in the record")));
        QVERIFY(run.out.contains(QLatin1String("bad 1: no member id")));
        QVERIFY(run.out.contains(QLatin1String("register.openhumans_openhumansmember: copied 2, skipped 1, bad 1")));
        QVERIFY(run.out.contains(QLatin1String("openaps.member_demographics: copied 2, skipped 2, bad 1")));
        QVERIFY(run.out.contains(QLatin1String("openaps.device_status_metrics: copied 0, skipped 3, bad 0")));
        // Progress lines, and never a token.
        QVERIFY(run.err.contains(QLatin1String("openaps.entries: 12 rows read")));
        QVERIFY(!run.err.contains(QLatin1String("access-")) && !run.out.contains(QLatin1String("access-")));
    }

    // A second run adds nothing and changes nothing.
    void secondRunAddsNothing()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const db::Database &target = database;
        auto old = oldDatabase();
        if (!old)
            QSKIP("the old database needs PostgreSQL (OPENAPS_TEST_POSTGRES_URL)");
        QVERIFY(migrate(tdb.url(), old->url()).exitCode == 0);
        const QStringList before = everything(target);
        const RunResult again = migrate(tdb.url(), old->url());
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QCOMPARE(everything(target), before);
        QVERIFY2(again.out.contains(QLatin1String("openaps.entries: copied 6, skipped 3, bad 3 (this run: read 0, "
                                                  "copied 0)")),
                 qPrintable(again.out));
    }

    // The real binary killed (SIGKILL) in the middle; run again, it ends
    // with exactly the rows of an uninterrupted migration, and every old row
    // is counted once.
    void killedRunConverges()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const db::Database &target = database;
        auto old = oldDatabase();
        if (!old)
            QSKIP("the old database needs PostgreSQL (OPENAPS_TEST_POSTGRES_URL)");
        constexpr int generated = 40000;
        QVERIFY(runSql(old->database(),
                       QStringLiteral("INSERT INTO openaps.entries (user_id, id, sgv, type, raw_json, date_string) "
                                      "SELECT 11111111, 'g' || i, 100 + i % 200, 'sgv', jsonb_build_object('_id', "
                                      "'g' || i, 'sgv', 100 + i % 200, 'type', 'sgv', 'date', 1570000000000 + "
                                      "i * 300000::bigint, 'user_id', 11111111, 'sharing_consent', 'both') , 'g' || i "
                                      "FROM generate_series(1, %1) i")
                               .arg(generated)));
        const qint64 oldRows = count(old->database(), QStringLiteral("openaps.entries"));
        const QStringList small { QStringLiteral("--batch-rows"), QStringLiteral("4000") };

        QProcess *first = startMigration(tdb.url(), old->url(), small, this);
        QVERIFY(first->waitForStarted(10000));
        QTRY_VERIFY_WITH_TIMEOUT(count(target, QStringLiteral("entries")) > 4000, 300000);
        first->kill();
        QVERIFY(first->waitForFinished(30000));
        QVERIFY2(count(target, QStringLiteral("entries")) < generated, "the first run was not cut short");

        const RunResult second = migrate(tdb.url(), old->url(), small);
        QVERIFY2(second.exitCode == 0, qPrintable(second.err));

        test::TestDatabase referenceDb(backend);
        const db::Database reference = referenceDb.database();
        QVERIFY(db::migrate(reference).ok());
        QVERIFY(migrate(referenceDb.url(), old->url()).exitCode == 0);
        auto withoutSeq = [](const db::Database &d, const QString &table) {
            QStringList rows;
            for (const QString &row : snapshot(d, table, QStringLiteral("user_id, id")))
                rows << row.section(QLatin1Char('|'), 1);
            return rows;
        };
        for (const QString &table : { QStringLiteral("entries"), QStringLiteral("treatments"),
                                      QStringLiteral("device_status"), QStringLiteral("profile") })
            QCOMPARE(withoutSeq(target, table), withoutSeq(reference, table));
        QCOMPARE(count(target, QStringLiteral("entries")), qint64(generated + 6));
        QCOMPARE(scalar(target,
                        QStringLiteral("SELECT SUM(rows_count) FROM legacy_migration_counts "
                                       "WHERE source_table = 'openaps.entries'")),
                 QString::number(oldRows));
    }

    // A dry run reads and reports, and writes nothing at all.
    void dryRunWritesNothing()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const db::Database &target = database;
        auto old = oldDatabase();
        if (!old)
            QSKIP("the old database needs PostgreSQL (OPENAPS_TEST_POSTGRES_URL)");
        const QStringList before = everything(target);
        const RunResult dry = migrate(tdb.url(), old->url(), { QStringLiteral("--dry-run") });
        QVERIFY2(dry.exitCode == 0, qPrintable(dry.err));
        QCOMPARE(everything(target), before);
        QVERIFY2(dry.out.startsWith(QLatin1String("Dry run: nothing was written.")), qPrintable(dry.out));
        QVERIFY2(dry.out.contains(QLatin1String("register.openhumans_openhumansmember: copied 3, skipped 0, bad 1")),
                 qPrintable(dry.out));
        QVERIFY(dry.out.contains(QLatin1String("openaps.entries: copied 7")));

        // Also on a database that was never set up: not even the schema appears.
        const QString fresh = QDir::temp().filePath(
                QStringLiteral("legacy-dry-%1.db").arg(QCoreApplication::applicationPid()));
        QFile::remove(fresh);
        const RunResult empty = migrate(QStringLiteral("sqlite://") + fresh, old->url(),
                                        { QStringLiteral("--dry-run") });
        QVERIFY2(empty.exitCode == 0, qPrintable(empty.err));
        QVERIFY(empty.out.contains(QLatin1String("openaps.entries: copied 7")));
        {
            const db::Database untouched(db::DatabaseUrl::parse(QStringLiteral("sqlite://") + fresh).value());
            QCOMPARE(scalar(untouched, QStringLiteral("SELECT COUNT(*) FROM sqlite_master")), QStringLiteral("0"));
            untouched.closeConnection();
        }
        QFile::remove(fresh);
    }
};

QTEST_GUILESS_MAIN(TestLegacyMigration)
#include "tst_legacymigration.moc"
