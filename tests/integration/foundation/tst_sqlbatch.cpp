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
// and the rest not run, and the connection usable afterwards.
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
};

QTEST_GUILESS_MAIN(TestSqlBatch)
#include "tst_sqlbatch.moc"
