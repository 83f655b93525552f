#include "db/migrations.h"
#include "foundationtest.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <thread>

using namespace openaps;
using namespace Qt::StringLiterals;

// Migrations on both backends: fresh database → latest version, re-runs are
// no-ops, failures roll back, concurrent runs apply each version once.
class TestMigrations final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void emptyDatabaseIsVersionZero();
    void freshDatabaseToLatest();
    void secondRunIsNoop();
    void onlyNewMigrationsApply();
    void failedMigrationRollsBack();
    void concurrentMigrate();
};

namespace {

QList<QPair<int, QString>> recorded(const db::Database &database)
{
    QList<QPair<int, QString>> rows;
    auto conn = database.connection();
    if (!conn)
        return rows;
    QSqlQuery q(*conn);
    if (!q.exec(u"SELECT version, name FROM schema_migrations ORDER BY version"_s))
        return rows;
    while (q.next())
        rows.append({ q.value(0).toInt(), q.value(1).toString() });
    return rows;
}

bool tableExists(const db::Database &database, const QString &table)
{
    auto conn = database.connection();
    return conn && conn->tables().contains(table);
}

db::Migration migration(int version, const char *name, const QString &sql)
{
    return { version, QString::fromLatin1(name), sql };
}

} // namespace

void TestMigrations::emptyDatabaseIsVersionZero()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    const auto version = db::schemaVersion(database);
    QVERIFY(version.ok());
    QCOMPARE(*version, 0);
}

void TestMigrations::freshDatabaseToLatest()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    const auto bundled = db::bundledMigrations(database.backend());
    const auto report = db::migrate(database);
    QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
    QCOMPARE(report->fromVersion, 0);
    QCOMPARE(report->toVersion, bundled.last().version);
    QCOMPARE(report->applied.size(), bundled.size());
    QCOMPARE(*db::schemaVersion(database), bundled.last().version);

    const auto rows = recorded(database);
    QCOMPARE(rows.size(), bundled.size());
    for (int i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows.at(i).first, bundled.at(i).version);
        QCOMPARE(rows.at(i).second, bundled.at(i).name);
        QCOMPARE(report->applied.at(i), bundled.at(i).name);
    }
    for (const char *table : { "participants", "source_entities", "entries", "treatments", "device_status",
                               "device_status_metrics", "profile", "member_demographics" })
        QVERIFY2(tableExists(database, QString::fromLatin1(table)), table);

    auto conn = database.connection();
    QSqlQuery q(*conn);
    QVERIFY(q.exec(u"SELECT id, name FROM source_entities ORDER BY id"_s));
    QStringList entities;
    while (q.next())
        entities.append(q.value(0).toString() + QLatin1Char('=') + q.value(1).toString());
    QCOMPARE(entities,
             QStringList({ u"0=OpenAPS Data Commons"_s, u"1=Nightscout Data Commons"_s,
                           u"2=OpenAPS and Nightscout Data Commons"_s }));
}

void TestMigrations::secondRunIsNoop()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    QVERIFY(db::migrate(database).ok());
    auto conn = database.connection();
    QSqlQuery stamp(*conn);
    QVERIFY(stamp.exec(u"SELECT MAX(applied_at) FROM schema_migrations"_s) && stamp.next());
    const QString before = stamp.value(0).toString();
    stamp.finish();

    const auto second = db::migrate(database);
    QVERIFY(second.ok());
    QVERIFY(second->applied.isEmpty());
    QCOMPARE(second->fromVersion, second->toVersion);
    QCOMPARE(recorded(database).size(), db::bundledMigrations(database.backend()).size());
    QVERIFY(stamp.exec(u"SELECT MAX(applied_at) FROM schema_migrations"_s) && stamp.next());
    QCOMPARE(stamp.value(0).toString(), before);
}

void TestMigrations::onlyNewMigrationsApply()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    QList<db::Migration> list { migration(1, "0001_one", u"CREATE TABLE one (x INTEGER)"_s) };
    QVERIFY(db::migrate(database, list).ok());
    list.append(migration(2, "0002_two", u"CREATE TABLE two (y INTEGER); INSERT INTO two VALUES (7)"_s));
    const auto report = db::migrate(database, list);
    QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
    QCOMPARE(report->fromVersion, 1);
    QCOMPARE(report->toVersion, 2);
    QCOMPARE(report->applied, QStringList { u"0002_two"_s });
    QVERIFY(tableExists(database, u"two"_s));
}

void TestMigrations::failedMigrationRollsBack()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    const QList<db::Migration> list {
        migration(1, "0001_good", u"CREATE TABLE good (x INTEGER)"_s),
        migration(2, "0002_bad", u"CREATE TABLE half (x INTEGER); INSERT INTO no_such_table VALUES (1)"_s),
        migration(3, "0003_later", u"CREATE TABLE later (x INTEGER)"_s),
    };
    const auto report = db::migrate(database, list);
    QVERIFY(!report.ok());
    QCOMPARE(report.error().code, u"migration"_s);
    QVERIFY2(report.error().message.startsWith(u"Migration 0002_bad failed: "_s), qPrintable(report.error().message));
    QVERIFY(tableExists(database, u"good"_s));
    QVERIFY(!tableExists(database, u"half"_s)); // the failed migration left nothing behind
    QVERIFY(!tableExists(database, u"later"_s)); // and nothing after it ran
    QCOMPARE(recorded(database).size(), 1);
    QCOMPARE(*db::schemaVersion(database), 1);
    // The connection is usable afterwards (no transaction left open).
    auto conn = database.connection();
    QSqlQuery q(*conn);
    QVERIFY2(q.exec(u"INSERT INTO good VALUES (1)"_s), qPrintable(q.lastError().text()));
}

void TestMigrations::concurrentMigrate()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    // Each thread gets its own connection from the same Database.
    constexpr int runners = 3;
    Result<db::MigrationReport> results[runners] = { makeError("x", {}), makeError("x", {}), makeError("x", {}) };
    std::vector<std::thread> threads;
    threads.reserve(runners);
    for (int i = 0; i < runners; ++i) {
        threads.emplace_back([&database, &results, i] {
            results[i] = db::migrate(database);
            database.closeConnection();
        });
    }
    for (auto &t : threads)
        t.join();
    QStringList applied;
    for (const auto &r : results) {
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
        applied += r->applied;
    }
    const auto bundled = db::bundledMigrations(database.backend());
    // Every migration ran exactly once, whichever runner got it.
    QCOMPARE(applied.size(), bundled.size());
    QCOMPARE(recorded(database).size(), bundled.size());
    QCOMPARE(*db::schemaVersion(database), bundled.last().version);
}

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
