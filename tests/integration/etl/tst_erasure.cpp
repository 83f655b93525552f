// Erasure that sticks (issue 11): after an erasure no ETL cycle, survey
// import or analytics refresh brings anything of the member back, on SQLite
// and PostgreSQL; and an erasure that arrives while an ETL batch is loading
// the member leaves nothing either (PostgreSQL, the overlap forced by a hook
// inside the batch's transaction).

#include "etl/fileloader.h"
#include "etlworld.h"
#include "privacy/tombstones.h"
#include "site/erasure.h"

#include <QBuffer>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlField>
#include <QSqlRecord>
#include <QThread>

#include <future>

using namespace openaps;
using namespace openaps::test::etl;

namespace {

// The OpenAPS survey's layout with one answer for each member given.
QByteArray survey(const QStringList &members)
{
    QByteArray csv = fixture("survey-openaps.csv").split('\n').first() + '\n';
    for (const QString &m : members)
        csv += "7/29/2019 15:44:55," + m.toUtf8() + ",3/14/1980,Female,White,the UK,6/1/1995\n";
    return csv;
}

// Rows naming the member in any table of the live schema (every table that
// erasure classifies, so a table added later is counted too), as
// "table: n" lines; `except` tables are skipped.
QStringList rowsOf(const World &w, const QStringList &except = {})
{
    const auto tables = site::participantTables(w.database);
    if (!tables)
        return { tables.error().message };
    auto db = w.database.connection();
    QStringList found;
    for (const site::ParticipantTable &t : *tables) {
        if (t.key == site::ParticipantKey::None || except.contains(t.table))
            continue;
        QVariantList values;
        QString condition = QStringLiteral("%1 = ?");
        switch (t.key) {
        case site::ParticipantKey::None:
            break;
        case site::ParticipantKey::ParticipantId:
            values << w.participantId;
            break;
        case site::ParticipantKey::UserId:
            condition = QStringLiteral("%1 IN (?, ?)");
            values << w.keys.pseudonym(w.member) << w.member.toLongLong();
            break;
        case site::ParticipantKey::MemberId:
            values << w.member;
            break;
        }
        const QString column = db->driver()->escapeIdentifier(t.column, QSqlDriver::FieldName);
        const qint64 n = scalar(w.database,
                                QStringLiteral("SELECT COUNT(*) FROM %1 WHERE %2").arg(t.table, condition.arg(column)),
                                values)
                                 .toLongLong();
        if (n != 0)
            found << QStringLiteral("%1: %2").arg(t.table).arg(n);
    }
    return found;
}

// PostgreSQL: whether, within 30 s, one session of this database waits for a lock.
bool anotherSessionWaitsForALock(const db::Database &database)
{
    const db::Database probe(database.url());
    const bool waits = QTest::qWaitFor(
            [&probe] {
                return scalar(probe,
                              QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = "
                                             "current_database() AND wait_event_type = 'Lock'"))
                        == QStringLiteral("1");
            },
            30000);
    probe.closeConnection();
    return waits;
}

void addData(World &w)
{
    w.addFile(QStringLiteral("1706745600000_%1_profile.json").arg(w.member), fixture("profile-shapes.ndjson"));
    w.addFile(QStringLiteral("1706745600000_%1_entries.json").arg(w.member), entries(0, 300));
    w.addFile(QStringLiteral("%1_treatments_2024-01.ndjson.gz").arg(w.member),
              gzipped(fixture("treatments-messy.ndjson")));
    w.addFile(QStringLiteral("%1_devicestatus_2024-01.ndjson.gz").arg(w.member),
              gzipped(fixture("devicestatus-flavours.ndjson")));
    w.setConsent("both");
}

} // namespace

class TestErasure : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    // Erased, then two ETL cycles with the survey still listing the member:
    // first without an account, then after logging in again (not yet
    // confirmed): zero rows in every table. Confirming lifts the tombstone
    // and the data comes back, which shows the cycles could load it.
    void erasureSticksThroughEtlCycles()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        addData(w);
        SurveySite sheet(survey({ w.member, QStringLiteral("55555555") }));
        QVERIFY(sheet.port);
        auto withSurvey = [&sheet](etl::EtlService::Options &o) { o.demographicsUrls = { sheet.url() }; };

        QCOMPARE(w.runOnce(withSurvey).succeeded, 1);
        QVERIFY(w.userCount("entries") > 0);
        QCOMPARE(w.userCount("member_demographics"), qint64(1));
        QCOMPARE(w.userCount("analytics_demographics"), qint64(1));
        QVERIFY(w.userCount("analytics_loop_type_by_day") > 0);
        // The stranger in the sheet never joined: nothing of theirs is kept.
        QCOMPARE(count(database, QStringLiteral("member_demographics")), qint64(1));

        const qint64 entriesBefore = w.userCount("entries");
        const auto erased = site::eraseMember(database, w.keys, w.member);
        QVERIFY2(erased.ok(), erased.ok() ? "" : qPrintable(erased.error().message));
        QVERIFY(erased->rows > 0);
        // The report says what went, per table (the site's "deleted" page shows it).
        QCOMPARE(erased->rowsByTable.value(QStringLiteral("entries")), entriesBefore);
        QCOMPARE(erased->rowsByTable.value(QStringLiteral("member_demographics")), qint64(1));
        QCOMPARE(rowsOf(w), QStringList());

        // Cycle 1: no account, the survey still lists them.
        w.runOnce(withSurvey);
        QCOMPARE(rowsOf(w), QStringList());
        // Cycle 2: they log in again (tokens, files still in Open Humans)
        // but have not confirmed: nothing of their data and no ETL
        // bookkeeping; only the new account and the scheduler's lease on it.
        w.join();
        const auto pass = w.runOnce(withSurvey);
        QCOMPARE(pass.started, 1);
        QCOMPARE(rowsOf(w, { QStringLiteral("participants"), QStringLiteral("job_leases") }), QStringList());

        // Confirming lifts the tombstone: the next cycle loads them again.
        QCOMPARE(*privacy::liftTombstone(database, w.keys, w.member), true);
        QCOMPARE(w.runOnce(withSurvey).succeeded, 1);
        QVERIFY(w.userCount("entries") > 0);
        QCOMPARE(w.userCount("member_demographics"), qint64(1));
    }

    // An erasure committed while an ETL batch of the same member is open:
    // it waits for the batch's lock, then deletes what the batch wrote; the
    // rest of the pass (more files, analytics) finds the member gone.
    void erasureDuringLoadLeavesNothing()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        if (!database.isPostgres())
            QSKIP("SQLite has one writer at a time: an erasure cannot overlap a batch");
        World w(database);
        addData(w);

        std::future<Result<site::ErasureReport>> erasure;
        bool erasureWaited = false;
        int batches = 0;
        auto hook = [&] {
            if (++batches != 1)
                return;
            // Inside the first batch's transaction (profiles load first): the
            // erasure starts on its own thread and connection ...
            erasure = std::async(std::launch::async, [&w] {
                auto report = site::eraseMember(w.database, w.keys, w.member);
                w.database.closeConnection();
                return report;
            });
            // ... and is seen waiting for the lock this batch holds on the
            // participant's row, before the batch may commit.
            erasureWaited = anotherSessionWaitsForALock(w.database);
        };
        w.runOnce([&hook](etl::EtlService::Options &o) { o.beforeBatchCommit = hook; });
        QVERIFY(erasure.valid());
        const auto report = erasure.get();
        QVERIFY2(erasureWaited, "the erasure did not wait for the open batch");
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
        QVERIFY(report->found);
        QCOMPARE(batches, 1); // no batch after the erasure
        QCOMPARE(rowsOf(w), QStringList());
        QCOMPARE(*privacy::isTombstoned(database, w.keys, w.member), true);
    }

    // `import` loads members without an account here: no row to lock. An
    // erasure committed while an import batch of such a member is open waits
    // for the member's lock, then deletes what the batch wrote.
    void erasureDuringImportLeavesNothing()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        if (!database.isPostgres())
            QSKIP("SQLite has one writer at a time: an erasure cannot overlap a batch");
        const privacy::ParticipantKeys keys(secretKey);
        const QString member = QStringLiteral("31415926");
        etl::FileLoader loader(database);
        std::future<Result<site::ErasureReport>> erasure;
        bool erasureWaited = false;
        loader.setBeforeCommit([&] {
            if (erasure.valid())
                return;
            erasure = std::async(std::launch::async, [&database, &keys, &member] {
                auto report = site::eraseMember(database, keys, member);
                database.closeConnection();
                return report;
            });
            erasureWaited = anotherSessionWaitsForALock(database);
        });
        QBuffer file;
        file.setData(entries(0, 50));
        file.open(QIODevice::ReadOnly);
        const etl::LoadTarget target { keys.pseudonym(member), 0, QStringLiteral("import"),
                                       privacy::WriteGuard::forMember(keys, member, std::nullopt), keys };
        const auto loaded = loader.load(&file, records::DataType::Entries, target);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message)); // its one batch committed
        QVERIFY(erasure.valid());
        const auto report = erasure.get();
        QVERIFY2(erasureWaited, "the erasure did not wait for the open batch");
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
        QCOMPARE(report->rowsByTable.value(QStringLiteral("entries")), qint64(50));
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM entries")), QStringLiteral("0"));
    }
};

QTEST_GUILESS_MAIN(TestErasure)
#include "tst_erasure.moc"
