#include "db/database.h"
#include "foundationtest.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <thread>

using namespace openaps;
using namespace Qt::StringLiterals;

// db::Database on both backends: one connection per thread, reused within a
// thread, removed when the thread ends; clear errors for bad credentials.
class TestDatabase final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void pingAndReuse();
    void connectionPerThread();
    void connectionsEndWithTheirThread_data();
    void connectionsEndWithTheirThread();
    void closeAndReopen();
    void postgresErrors_data();
    void postgresErrors();
};

namespace {

QString connectionNameIn(const db::Database &database, QThread *thread)
{
    QString name;
    auto run = [&] {
        auto conn = database.connection();
        if (conn)
            name = conn->connectionName();
    };
    if (thread) {
        QObject context;
        context.moveToThread(thread);
        QMetaObject::invokeMethod(&context, run, Qt::BlockingQueuedConnection);
    } else {
        run();
    }
    return name;
}

} // namespace

void TestDatabase::pingAndReuse()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    QVERIFY(database.ping().ok());
    const auto a = database.connection();
    const auto b = database.connection();
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(a->connectionName(), b->connectionName());
    // A copy shares the connections; another Database has its own.
    // NOLINTNEXTLINE(performance-unnecessary-copy-initialization): the copy is what is tested
    const db::Database copy = database;
    QCOMPARE(copy.connection()->connectionName(), a->connectionName());
    const db::Database other = tdb.database();
    QVERIFY(other.connection()->connectionName() != a->connectionName());
    other.closeConnection();
}

void TestDatabase::connectionPerThread()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    QSqlDatabase mine = *database.connection();
    QString fromThread;
    bool queried = false;
    std::thread worker([&] {
        {
            auto conn = database.connection();
            if (conn) {
                fromThread = conn->connectionName();
                QSqlQuery q(*conn);
                queried = q.exec(u"SELECT 1"_s) && q.next() && q.value(0).toInt() == 1;
            }
        }
        database.closeConnection();
    });
    worker.join();
    QVERIFY(queried);
    QVERIFY(!fromThread.isEmpty());
    QVERIFY(fromThread != mine.connectionName());
    QVERIFY(mine.isOpen()); // the other thread's close did not touch ours
}

void TestDatabase::connectionsEndWithTheirThread_data()
{
    QTest::addColumn<bool>("qthread");
    QTest::addRow("QThread") << true;
    QTest::addRow("std::thread") << false;
}

void TestDatabase::connectionsEndWithTheirThread()
{
    QFETCH(bool, qthread);
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    // Many short-lived threads (thread ids get reused) must each get a
    // working connection and leave none behind.
    for (int i = 0; i < 5; ++i) {
        QString name;
        if (qthread) {
            QThread thread;
            thread.start();
            name = connectionNameIn(database, &thread);
            thread.quit();
            QVERIFY(thread.wait());
        } else {
            std::thread worker([&] { name = connectionNameIn(database, nullptr); });
            worker.join();
        }
        QVERIFY2(!name.isEmpty(), "no connection in the thread");
        // QThread::wait() returns just before the thread's own clean-up runs.
        QTRY_VERIFY2(!QSqlDatabase::connectionNames().contains(name), qPrintable(name));
    }
}

void TestDatabase::closeAndReopen()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    const QString name = database.connection()->connectionName();
    database.closeConnection();
    QVERIFY(!QSqlDatabase::connectionNames().contains(name));
    QVERIFY(database.ping().ok());
    QVERIFY(QSqlDatabase::connectionNames().contains(name));
    database.closeConnection();
}

void TestDatabase::postgresErrors_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("dbname");
    QTest::addColumn<QString>("message");
    QTest::addRow("wrong password") << QString() << u"not-the-password"_s << QString()
                                    << u"rejected the user name or password."_s;
    QTest::addRow("unknown database") << QString() << QString() << u"openaps_no_such_db"_s
                                      << u"has no database named 'openaps_no_such_db'."_s;
    QTest::addRow("unknown user") << u"openaps_no_such_user"_s << u"x"_s << QString()
                                  << u"rejected the user name or password."_s;
}

void TestDatabase::postgresErrors()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("postgres"))
        QSKIP("PostgreSQL only");
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, dbname);
    QFETCH(QString, message);
    QUrl url(test::TestDatabase::postgresAdminUrl());
    QVERIFY(url.isValid());
    if (!user.isEmpty())
        url.setUserName(user);
    if (!password.isEmpty())
        url.setPassword(password);
    if (!dbname.isEmpty())
        url.setPath(QLatin1Char('/') + dbname);
    const db::Database database(*db::DatabaseUrl::parse(url.toString()));
    const Status ping = database.ping();
    QVERIFY(!ping.ok());
    QVERIFY2(ping.error().message.startsWith(u"PostgreSQL at "_s), qPrintable(ping.error().message));
    QVERIFY2(ping.error().message.endsWith(message), qPrintable(ping.error().message));
    if (!password.isEmpty())
        QVERIFY(!ping.error().message.contains(password));
}

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
