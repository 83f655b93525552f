#include "db/sqlbatch.h"
#include "db/sqlhelpers.h"
#include "foundationtest.h"

#include <QDate>
#include <QDateTime>
#include <QSqlQuery>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

// sql::Batch on both backends: statements run in order, values bound
// (never spliced) and read back with their types, the first failure named
// and the rest not run, and the connection usable afterwards; on
// PostgreSQL a statement run again is not parsed again (prepared once per
// connection), whatever became of the batch that prepared it.
class TestSqlBatch final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void runsInOrderAndReadsBack()
    {
        OPEN_TEST_DATABASE(tdb);
        const QSqlDatabase db = *tdb.database().connection();
        const bool postgres = tdb.database().isPostgres();
        QVERIFY(sql::run(db,
                         postgres ? u"CREATE TABLE t (n BIGINT, x DOUBLE PRECISION, s TEXT, d DATE, "
                                    "ts TIMESTAMPTZ, b BOOLEAN)"_s
                                  : u"CREATE TABLE t (n INTEGER, x REAL, s TEXT, d TEXT, ts TEXT, b INTEGER)"_s,
                         "creating"));
        sql::Batch batch(db);
        QCOMPARE(batch.add(u"INSERT INTO t (n, x, s, d, ts, b) VALUES (?, ?, ?, ?, ?, ?)"_s,
                           { qint64(9007199254740993), 0.1, u"it's a ? 'quoted'"_s, u"2024-02-29"_s,
                             postgres ? QVariant(QDateTime(QDate(2024, 2, 29), QTime(23, 30, 0, 5), Qt::UTC))
                                      : QVariant(u"2024-02-29T23:30:00.005Z"_s),
                             postgres ? QVariant(true) : QVariant(1) },
                           "inserting"),
                 0);
        batch.add(u"INSERT INTO t (n, x, s) VALUES (?, ?, ?)"_s, { 2, sql::nullReal(), sql::nullText() },
                  "inserting nulls");
        // Sees what the statements before it wrote; a ? in quotes is no placeholder.
        const int read = batch.add(u"SELECT n, x, s, d, b, 'why?' FROM t WHERE n > ? ORDER BY n DESC"_s, { 1 },
                                   "reading");
        QCOMPARE(batch.size(), 3);
        const Status s = batch.run();
        QVERIFY2(s.ok(), s.ok() ? "" : qPrintable(s.error().message));
        QCOMPARE(batch.size(), 0);
        sql::BatchRows rows = batch.rows(read);
        QVERIFY(rows.next());
        QCOMPARE(rows.value(0).toLongLong(), qint64(9007199254740993));
        QCOMPARE(rows.value(1).toDouble(), 0.1);
        QCOMPARE(rows.value(2).toString(), u"it's a ? 'quoted'"_s);
        QCOMPARE(rows.value(3).toDate(), QDate(2024, 2, 29));
        QVERIFY(rows.value(4).toBool());
        QCOMPARE(rows.value(5).toString(), u"why?"_s);
        QVERIFY(rows.next());
        QCOMPARE(rows.value(0).toLongLong(), 2);
        QVERIFY(rows.value(1).isNull());
        QVERIFY(rows.value(2).isNull());
        QVERIFY(!rows.next());
        if (postgres) {
            QSqlQuery q(db);
            QVERIFY(q.exec(u"SELECT ts = '2024-02-29T23:30:00.005Z' FROM t WHERE n > 2"_s) && q.next());
            QVERIFY(q.value(0).toBool());
        }
    }

    // The first statement that fails is named; those after it do not run.
    void stopsAtTheFirstFailure()
    {
        OPEN_TEST_DATABASE(tdb);
        const QSqlDatabase db = *tdb.database().connection();
        QVERIFY(sql::run(db, u"CREATE TABLE t (n INTEGER NOT NULL)"_s, "creating"));
        sql::Batch batch(db);
        batch.add(u"INSERT INTO t (n) VALUES (?)"_s, { 1 }, "the first insert");
        batch.add(u"INSERT INTO t (n) VALUES (?)"_s, { sql::nullReal() }, "the null insert");
        batch.add(u"INSERT INTO t (n) VALUES (?)"_s, { 3 }, "the last insert");
        const Status s = batch.run();
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message.contains(u"the null insert"_s), qPrintable(s.error().message));
        // The last never ran (outside a transaction PostgreSQL undoes the
        // first too, SQLite keeps it); the connection answers as before.
        QSqlQuery q(db);
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM t WHERE n = 3"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        batch.add(u"SELECT COUNT(*) FROM t WHERE n = ?"_s, { 1 }, "counting");
        QVERIFY(batch.run().ok());
        sql::BatchRows rows = batch.rows(0);
        QVERIFY(rows.next());
        QCOMPARE(rows.value(0).toInt(), tdb.database().isPostgres() ? 0 : 1);
    }

    // Inside a transaction a failure leaves it to be rolled back as a whole.
    void failsInsideATransaction()
    {
        OPEN_TEST_DATABASE(tdb);
        const db::Database database = tdb.database();
        const QSqlDatabase db = *database.connection();
        QVERIFY(sql::run(db, u"CREATE TABLE t (n INTEGER NOT NULL)"_s, "creating"));
        const Status s = sql::inTransaction(database, [](const QSqlDatabase &db) {
            sql::Batch batch(db);
            batch.add(u"INSERT INTO t (n) VALUES (?)"_s, { 1 }, "inserting");
            batch.add(u"INSERT INTO t (n) VALUES (?)"_s, { sql::nullReal() }, "inserting a null");
            return batch.run();
        });
        QVERIFY(!s.ok());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM t"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }

    // Many statements and a large answer in one batch (on PostgreSQL both
    // directions at once: nothing waits on a full buffer).
    void largeBatches()
    {
        OPEN_TEST_DATABASE(tdb);
        const QSqlDatabase db = *tdb.database().connection();
        QVERIFY(sql::run(db, u"CREATE TABLE t (n INTEGER, s TEXT)"_s, "creating"));
        QVERIFY(sql::run(db, u"CREATE TABLE more (n INTEGER, s TEXT)"_s, "creating"));
        sql::Batch batch(db);
        const QString text(2000, u'x');
        for (int i = 0; i < 2000; ++i)
            batch.add(u"INSERT INTO t (n, s) VALUES (?, ?)"_s, { i, text }, "inserting");
        const int all = batch.add(u"SELECT n, s FROM t ORDER BY n"_s, {}, "reading");
        for (int i = 0; i < 200; ++i)
            batch.add(u"INSERT INTO more (n, s) VALUES (?, ?)"_s, { i, text }, "inserting more");
        QVERIFY(batch.run().ok());
        sql::BatchRows rows = batch.rows(all);
        int n = 0;
        while (rows.next()) {
            QCOMPARE(rows.value(0).toInt(), n++);
            QCOMPARE(rows.value(1).toString().size(), 2000);
        }
        QCOMPARE(n, 2000);
    }

    // PostgreSQL prepares a statement (with its parameter types) the first
    // time it runs and then only runs it; a preparation that did not happen
    // (a failed batch, a failed transaction) is not taken for one, one in a
    // transaction rolled back stays, and a new connection starts afresh.
    void preparesOnceAndRunsAgain()
    {
        OPEN_TEST_DATABASE(tdb);
        const db::Database database = tdb.database();
        QSqlDatabase db = *database.connection();
        const bool postgres = database.isPostgres();
        QVERIFY(sql::run(db, u"CREATE TABLE t (n INTEGER NOT NULL, x REAL)"_s, "creating"));
        const auto prepared = [&db] {
            QSqlQuery q(db);
            return q.exec(u"SELECT COUNT(*) FROM pg_prepared_statements WHERE name LIKE 'openaps_batch_%'"_s)
                            && q.next()
                    ? q.value(0).toInt()
                    : -1;
        };
        const auto count = [&db](int n) {
            QSqlQuery q(db);
            q.prepare(u"SELECT COUNT(*) FROM t WHERE n = ?"_s);
            q.addBindValue(n);
            return q.exec() && q.next() ? q.value(0).toInt() : -1;
        };
        const QString insert = u"INSERT INTO t (n, x) VALUES (?, ?)"_s;
        sql::Batch batch(db);
        for (int run = 0; run < 3; ++run) {
            batch.add(insert, { 1, 0.5 }, "inserting");
            batch.add(insert, { 1, 1.5 }, "inserting again");
            QVERIFY(batch.run().ok());
        }
        QCOMPARE(count(1), 6);
        if (postgres)
            QCOMPARE(prepared(), 1);
        // Other parameter types: another statement.
        batch.add(insert, { 1, sql::nullText() }, "inserting a null");
        QVERIFY(batch.run().ok());
        QCOMPARE(count(1), 7);
        if (postgres)
            QCOMPARE(prepared(), 2);

        // Not prepared: the batch failed before it.
        const QString other = u"INSERT INTO t (x, n) VALUES (?, ?)"_s;
        batch.add(insert, { sql::nullReal(), 0.5 }, "a null that fails");
        batch.add(other, { 0.5, 2 }, "never run");
        QVERIFY(!batch.run().ok());
        // Not prepared: the transaction had failed (PostgreSQL).
        const Status failed = sql::inTransaction(database, [&](const QSqlDatabase &db) {
            sql::Batch inside(db);
            inside.add(insert, { sql::nullReal(), 0.5 }, "a null that fails");
            const Status first = inside.run();
            inside.add(other, { 0.5, 2 }, "in a failed transaction");
            const Status second = inside.run();
            return first.ok() || (postgres && second.ok()) ? Status() : first;
        });
        QVERIFY(!failed.ok());
        QCOMPARE(count(2), 0);
        // Prepared in a transaction rolled back: still there, and used.
        const QString third = u"INSERT INTO t (n) VALUES (?)"_s;
        const Status rolledBack = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
            sql::Batch inside(db);
            inside.add(third, { 3 }, "inserting");
            if (auto s = inside.run(); !s)
                return s;
            return makeError("test", u"rolled back"_s);
        });
        QVERIFY(!rolledBack.ok());
        batch.add(other, { 0.5, 2 }, "inserting");
        batch.add(third, { 3 }, "inserting");
        QVERIFY(batch.run().ok());
        QCOMPARE(count(2), 1);
        QCOMPARE(count(3), 1);

        // More statements than are kept prepared: all of them run.
        for (int i = 0; i < 250; ++i)
            batch.add(u"INSERT INTO t (n, x) VALUES (?, %1)"_s.arg(i), { 4 }, "inserting many");
        QVERIFY(batch.run().ok());
        batch.add(u"INSERT INTO t (n, x) VALUES (?, 0)"_s, { 4 }, "inserting one of them again");
        QVERIFY(batch.run().ok());
        QCOMPARE(count(4), 251);

        // A new connection (another PostgreSQL backend) prepares again.
        db.close();
        QVERIFY(db.open());
        batch = sql::Batch(db);
        batch.add(insert, { 5, 0.5 }, "inserting");
        batch.add(third, { 5 }, "inserting");
        QVERIFY(batch.run().ok());
        QCOMPARE(count(5), 2);
        if (postgres)
            QCOMPARE(prepared(), 2);
    }

    // Another instance's migration changes what a prepared statement
    // returns: PostgreSQL refuses it once ("cached plan must not change
    // result type"), and the next batch prepares it afresh.
    void aChangedTablePreparesAfresh()
    {
        OPEN_TEST_DATABASE(tdb);
        const db::Database database = tdb.database();
        if (!database.isPostgres())
            QSKIP("statements are prepared on PostgreSQL only");
        QSqlDatabase db = *database.connection();
        QVERIFY(sql::run(db, u"CREATE TABLE t (n INTEGER NOT NULL)"_s, "creating"));
        QVERIFY(sql::run(db, u"INSERT INTO t (n) VALUES (1)"_s, "inserting"));
        const QString select = u"SELECT n FROM t WHERE n = ?"_s;
        sql::Batch batch(db);
        batch.add(select, { 1 }, "reading");
        QVERIFY(batch.run().ok());
        QVERIFY(sql::run(db, u"ALTER TABLE t ALTER COLUMN n TYPE BIGINT"_s, "altering"));
        batch.add(select, { 1 }, "reading");
        const Status refused = batch.run();
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(u"result type"_s), qPrintable(refused.error().message));
        batch.add(select, { 1 }, "reading");
        QVERIFY(batch.run().ok());
    }
};

QTEST_GUILESS_MAIN(TestSqlBatch)
#include "tst_sqlbatch.moc"
