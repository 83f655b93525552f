#include "db/migrations.h"

#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

// db::splitStatements: QSQLITE runs one statement per exec(), so migration
// scripts are split at top-level semicolons only.
class TestSqlSplit final : public QObject
{
    Q_OBJECT

private slots:
    void split_data();
    void split();
    void bundledScriptsSplitCleanly_data();
    void bundledScriptsSplitCleanly();
};

void TestSqlSplit::split_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QStringList>("statements");
    QTest::addRow("two statements") << u"CREATE TABLE a (x INT); CREATE TABLE b (y INT);"_s
                                    << QStringList { u"CREATE TABLE a (x INT)"_s, u"CREATE TABLE b (y INT)"_s };
    QTest::addRow("no final semicolon") << u"SELECT 1"_s << QStringList { u"SELECT 1"_s };
    QTest::addRow("empty statements dropped") << u" ;;\n; SELECT 1;; "_s << QStringList { u"SELECT 1"_s };
    QTest::addRow("semicolon in string") << u"INSERT INTO t VALUES ('a;b'); SELECT 2"_s
                                         << QStringList { u"INSERT INTO t VALUES ('a;b')"_s, u"SELECT 2"_s };
    QTest::addRow("doubled quote") << u"INSERT INTO t VALUES ('it''s; fine'); SELECT 3"_s
                                   << QStringList { u"INSERT INTO t VALUES ('it''s; fine')"_s, u"SELECT 3"_s };
    QTest::addRow("quoted identifier") << u"CREATE TABLE \"odd;name\" (x INT); SELECT 4"_s
                                       << QStringList { u"CREATE TABLE \"odd;name\" (x INT)"_s, u"SELECT 4"_s };
    QTest::addRow("line comment") << u"-- first; not a statement\nSELECT 5; -- trailing; comment\nSELECT 6"_s
                                  << QStringList { u"SELECT 5"_s, u"SELECT 6"_s };
    QTest::addRow("block comment") << u"/* a; b */ SELECT 7; /* multi\nline; */ SELECT 8"_s
                                   << QStringList { u"SELECT 7"_s, u"SELECT 8"_s };
    QTest::addRow("comment markers in string")
            << u"SELECT '-- not a comment; /* nor this */'; SELECT 9"_s
            << QStringList { u"SELECT '-- not a comment; /* nor this */'"_s, u"SELECT 9"_s };
    QTest::addRow("dollar body") << u"DO $$ BEGIN PERFORM 1; PERFORM 2; END $$; SELECT 10"_s
                                 << QStringList { u"DO $$ BEGIN PERFORM 1; PERFORM 2; END $$"_s, u"SELECT 10"_s };
    QTest::addRow("tagged dollar body")
            << u"CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $$ $fn$ LANGUAGE sql; SELECT 11"_s
            << QStringList { u"CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $$ $fn$ LANGUAGE sql"_s,
                             u"SELECT 11"_s };
    QTest::addRow("quote inside dollar body")
            << u"DO $$ BEGIN RAISE NOTICE 'it''s; ok'; END $$; SELECT 12"_s
            << QStringList { u"DO $$ BEGIN RAISE NOTICE 'it''s; ok'; END $$"_s, u"SELECT 12"_s };
    QTest::addRow("positional parameter is not a tag")
            << u"SELECT $1; SELECT 13"_s << QStringList { u"SELECT $1"_s, u"SELECT 13"_s };
    QTest::addRow("only comments") << u"-- nothing here;\n/* ; */"_s << QStringList {};
}

void TestSqlSplit::split()
{
    QFETCH(QString, script);
    QFETCH(QStringList, statements);
    QCOMPARE(db::splitStatements(script), statements);
}

void TestSqlSplit::bundledScriptsSplitCleanly_data()
{
    QTest::addColumn<int>("backend");
    QTest::addRow("sqlite") << int(db::Backend::Sqlite);
    QTest::addRow("postgres") << int(db::Backend::Postgres);
}

void TestSqlSplit::bundledScriptsSplitCleanly()
{
    QFETCH(int, backend);
    const auto migrations = db::bundledMigrations(db::Backend(backend));
    QVERIFY(!migrations.isEmpty());
    QCOMPARE(migrations.first().version, 1);
    QCOMPARE(migrations.first().name, u"0001_initial"_s);
    int previous = 0;
    for (const db::Migration &m : migrations) {
        QVERIFY2(m.version > previous, qPrintable(m.name));
        previous = m.version;
        const QStringList statements = db::splitStatements(m.sql);
        QVERIFY2(!statements.isEmpty(), qPrintable(m.name));
        for (const QString &s : statements)
            QVERIFY2(!s.startsWith(QLatin1String("--")) && !s.endsWith(QLatin1Char(';')), qPrintable(s));
    }
    // Same logical schema: the same migrations exist for both dialects.
    const auto other = db::bundledMigrations(db::Backend(1 - backend));
    QCOMPARE(other.size(), migrations.size());
    for (int i = 0; i < migrations.size(); ++i)
        QCOMPARE(other.at(i).name, migrations.at(i).name);
    QVERIFY(!db::splitStatements(db::rolesScript()).isEmpty());
}

QTEST_GUILESS_MAIN(TestSqlSplit)
#include "tst_sqlsplit.moc"
