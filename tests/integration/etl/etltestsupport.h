#pragma once

// Helpers shared by the ETL integration tests: fixtures, a migrated
// throw-away database, and backend-neutral reads of single values.

#include "core/gzip.h"
#include "db/migrations.h"
#include "testdatabase.h"

#include <QDateTime>
#include <QFile>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

namespace openaps::test::etl {

// `data` as one gzip member.
inline QByteArray gzipped(const QByteArray &data)
{
    return openaps::gzip::compress(data);
}

// Keeps test output readable: no info lines, no per-line warnings about the
// fixtures' deliberately bad records.
inline void quietLogs()
{
    QLoggingCategory::setFilterRules(QStringLiteral(
            "openaps.*.info=false\nopenaps.server.etl.warning=false\nopenaps.server.survey.warning=false"));
}

inline QString fixturePath(const char *name)
{
    return qEnvironmentVariable("OPENAPS_TEST_SOURCE_DIR") + QLatin1String("/tests/fixtures/etl/")
            + QLatin1String(name);
}

// A value as text: times as ISO UTC with milliseconds, booleans as
// true/false (SQLite stores 1/0), NULL as "NULL".
inline QString asText(const QVariant &v)
{
    if (v.isNull())
        return QStringLiteral("NULL");
    if (v.metaType().id() == QMetaType::QDateTime)
        return v.toDateTime().toUTC().toString(Qt::ISODateWithMs);
    if (v.metaType().id() == QMetaType::QDate)
        return v.toDate().toString(Qt::ISODate);
    if (v.metaType().id() == QMetaType::Bool)
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return v.toString();
}

// The first column of the first row of `sql` (with positional binds).
inline QString scalar(const db::Database &database, const QString &sql, const QVariantList &binds = {})
{
    auto conn = database.connection();
    if (!conn)
        return QStringLiteral("<no connection>");
    QSqlQuery q(*conn);
    q.prepare(sql);
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return QStringLiteral("<error: %1>").arg(q.lastError().text());
    if (!q.next())
        return QStringLiteral("<no row>");
    return asText(q.value(0));
}

inline qint64 count(const db::Database &database, const QString &table)
{
    return scalar(database, QStringLiteral("SELECT COUNT(*) FROM ") + table).toLongLong();
}

// Every row of `table` (all columns, by seq_id or the first column) as text,
// to prove that a second run changed nothing.
inline QStringList snapshot(const db::Database &database, const QString &table,
                            const QString &order = QStringLiteral("seq_id"))
{
    QStringList rows;
    auto conn = database.connection();
    if (!conn)
        return rows;
    QSqlQuery q(*conn);
    if (!q.exec(QStringLiteral("SELECT * FROM %1 ORDER BY %2").arg(table, order)))
        return { q.lastError().text() };
    while (q.next()) {
        QStringList values;
        for (int i = 0; i < q.record().count(); ++i)
            values << asText(q.value(i));
        rows << values.join(QLatin1Char('|'));
    }
    return rows;
}

// A migrated database for `backend`, or a skipped/failed test.
#define ETL_MIGRATED_DATABASE(tdb, database)                                                                           \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    openaps::test::TestDatabase tdb(backend);                                                                          \
    QVERIFY2(tdb.isValid(), "no test database");                                                                       \
    const openaps::db::Database database = tdb.database();                                                             \
    {                                                                                                                  \
        const auto migrated = openaps::db::migrate(database);                                                          \
        QVERIFY2(migrated.ok(), migrated.ok() ? "" : qPrintable(migrated.error().message));                            \
    }

} // namespace openaps::test::etl
