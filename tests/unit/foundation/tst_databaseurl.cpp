#include "db/database.h"

#include <QDir>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

// db::DatabaseUrl::parse and the connection errors that need no server.
class TestDatabaseUrl final : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void rejects_data();
    void rejects();
    void displayMasksPassword();
    void connectErrors_data();
    void connectErrors();
};

void TestDatabaseUrl::parse_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("options");
    QTest::addRow("sqlite absolute") << u"sqlite:///var/lib/openaps/openaps.db"_s << u"sqlite"_s
                                     << u"/var/lib/openaps/openaps.db"_s << QString() << 5432 << QString() << QString()
                                     << QString() << QString();
    QTest::addRow("sqlite relative") << u"sqlite://data/x.db"_s << u"sqlite"_s
                                     << QDir::current().absoluteFilePath(u"data/x.db"_s) << QString() << 5432
                                     << QString() << QString() << QString() << QString();
    QTest::addRow("sqlite memory") << u"sqlite://:memory:"_s << u"sqlite"_s << u":memory:"_s << QString() << 5432
                                   << QString() << QString() << QString() << QString();
    QTest::addRow("postgresql full") << u"postgresql://app:pw@db.internal:6543/openaps"_s << u"postgresql"_s
                                     << QString() << u"db.internal"_s << 6543 << u"app"_s << u"pw"_s << u"openaps"_s
                                     << u"connect_timeout=5"_s;
    QTest::addRow("postgres alias, defaults")
            << u"postgres://app@/openaps"_s << u"postgresql"_s << QString() << u"localhost"_s << 5432 << u"app"_s
            << QString() << u"openaps"_s << u"connect_timeout=5"_s;
    QTest::addRow("percent-encoded password")
            << u"postgresql://app:p%40ss%3Aw%2Fd@h/db"_s << u"postgresql"_s << QString() << u"h"_s << 5432 << u"app"_s
            << u"p@ss:w/d"_s << u"db"_s << u"connect_timeout=5"_s;
    QTest::addRow("query options") << u"postgresql://u@h/db?sslmode=require&application_name=openaps"_s
                                   << u"postgresql"_s << QString() << u"h"_s << 5432 << u"u"_s << QString() << u"db"_s
                                   << u"connect_timeout=5;sslmode=require;application_name=openaps"_s;
}

void TestDatabaseUrl::parse()
{
    QFETCH(QString, url);
    QFETCH(QString, backend);
    QFETCH(QString, path);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, name);
    QFETCH(QString, options);
    const auto parsed = db::DatabaseUrl::parse(url);
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error().message));
    QCOMPARE(parsed->backendName(), backend);
    QCOMPARE(parsed->path, path);
    if (backend == QLatin1String("postgresql")) {
        QCOMPARE(parsed->host, host);
        QCOMPARE(parsed->port, port);
        QCOMPARE(parsed->user, user);
        QCOMPARE(parsed->password, password);
        QCOMPARE(parsed->name, name);
        QCOMPARE(parsed->options, options);
    }
}

void TestDatabaseUrl::rejects_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("message");
    QTest::addRow("empty sqlite") << u"sqlite://"_s << u"The SQLite URL names no file"_s;
    QTest::addRow("mysql") << u"mysql://u@h/db"_s << u"got scheme 'mysql'"_s;
    QTest::addRow("no scheme") << u"/var/lib/x.db"_s << u"must start with sqlite:// or postgresql://"_s;
    QTest::addRow("no database name") << u"postgresql://u:p@h:5432"_s << u"names no database"_s;
    QTest::addRow("bad port") << u"postgresql://u@h:port/db"_s << u"must start with sqlite:// or postgresql://"_s;
}

void TestDatabaseUrl::rejects()
{
    QFETCH(QString, url);
    QFETCH(QString, message);
    const auto parsed = db::DatabaseUrl::parse(url);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().message.contains(message), qPrintable(parsed.error().message));
}

void TestDatabaseUrl::displayMasksPassword()
{
    const auto url = db::DatabaseUrl::parse(u"postgresql://app:topsecret@db:5432/openaps"_s);
    QVERIFY(url.ok());
    QCOMPARE(url->display(), u"postgresql://app:****@db:5432/openaps"_s);
}

void TestDatabaseUrl::connectErrors_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("message");
    QTest::addRow("postgres port 1 refused")
            << u"postgresql://u:secretpw@127.0.0.1:1/db"_s
            << u"Cannot reach PostgreSQL at 127.0.0.1:1: the connection was refused (is the server running and accepting TCP/IP connections?)."_s;
    QTest::addRow("sqlite in a file, not a directory")
            << u"sqlite:///dev/null/openaps.db"_s << u"Cannot open the SQLite database /dev/null/openaps.db ("_s;
}

void TestDatabaseUrl::connectErrors()
{
    QFETCH(QString, url);
    QFETCH(QString, message);
    const db::Database database(*db::DatabaseUrl::parse(url));
    const Status ping = database.ping();
    QVERIFY(!ping.ok());
    QCOMPARE(ping.error().code, u"database"_s);
    QVERIFY2(ping.error().message.startsWith(message), qPrintable(ping.error().message));
    QVERIFY(!ping.error().message.contains(u"secretpw"_s));
    QVERIFY(!ping.error().message.contains(QLatin1Char('\n')));
    // A failed attempt leaves no connection behind.
    QVERIFY(QSqlDatabase::connectionNames().isEmpty());
}

QTEST_GUILESS_MAIN(TestDatabaseUrl)
#include "tst_databaseurl.moc"
