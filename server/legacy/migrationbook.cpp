#include "legacy/migrationbook.h"

#include "db/sqlhelpers.h"

#include <QDateTime>

namespace openaps::legacy {

namespace {

qint64 sum(const QMap<QString, qint64> &map)
{
    qint64 total = 0;
    for (const qint64 n : map)
        total += n;
    return total;
}

void addAll(QMap<QString, qint64> &to, const QMap<QString, qint64> &from)
{
    for (auto it = from.begin(); it != from.end(); ++it)
        to[it.key()] += it.value();
}

} // namespace

qint64 TableCounts::skippedRows() const
{
    return sum(skipped);
}

qint64 TableCounts::badRows() const
{
    return sum(bad);
}

TableCounts &TableCounts::operator+=(const TableCounts &other)
{
    read += other.read;
    copied += other.copied;
    addAll(skipped, other.skipped);
    addAll(bad, other.bad);
    return *this;
}

Result<qint64> MigrationBook::position(const QString &table) const
{
    auto q = sql::exec(m_database, QStringLiteral("SELECT last_key FROM legacy_migration WHERE source_table = ?"),
                       { table }, "reading where the legacy migration stopped");
    // Before every key: the old keys are serials (from 1; 0 would do too).
    constexpr qint64 start = -1;
    if (!q && m_dryRun)
        return start; // a target without the schema yet: a dry run starts at the beginning
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() : start;
}

Status MigrationBook::advance(const QString &table, qint64 lastKey, const TableCounts &batch)
{
    if (m_dryRun || batch.read == 0)
        return {};
    return sql::inTransaction(m_database, [&](const QSqlDatabase &db) -> Status {
        auto moved = sql::exec(db,
                               QStringLiteral("INSERT INTO legacy_migration (source_table, last_key, updated_at) "
                                              "VALUES (?, ?, ?) ON CONFLICT (source_table) DO UPDATE SET "
                                              "last_key = excluded.last_key, updated_at = excluded.updated_at"),
                               { table, lastKey, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
                               "recording the legacy migration's position");
        if (!moved)
            return moved.error();
        auto add = [&](const QString &outcome, const QString &reason, qint64 rows) -> Status {
            if (rows == 0)
                return {};
            auto q = sql::exec(db,
                               QStringLiteral("INSERT INTO legacy_migration_counts (source_table, outcome, reason, "
                                              "rows_count) VALUES (?, ?, ?, ?) ON CONFLICT (source_table, outcome, "
                                              "reason) DO UPDATE SET rows_count = legacy_migration_counts.rows_count "
                                              "+ excluded.rows_count"),
                               { table, outcome, reason, rows }, "recording the legacy migration's counts");
            if (!q)
                return q.error();
            return {};
        };
        if (auto s = add(QStringLiteral("copied"), QStringLiteral(""), batch.copied); !s)
            return s;
        for (auto it = batch.skipped.begin(); it != batch.skipped.end(); ++it) {
            if (auto s = add(QStringLiteral("skipped"), it.key(), it.value()); !s)
                return s;
        }
        for (auto it = batch.bad.begin(); it != batch.bad.end(); ++it) {
            if (auto s = add(QStringLiteral("bad"), it.key(), it.value()); !s)
                return s;
        }
        return {};
    });
}

Result<QMap<QString, TableCounts>> MigrationBook::totals() const
{
    auto q = sql::exec(m_database,
                       QStringLiteral("SELECT source_table, outcome, reason, rows_count FROM legacy_migration_counts"),
                       {}, "reading the legacy migration's counts");
    if (!q)
        return q.error();
    QMap<QString, TableCounts> totals;
    while (q->next()) {
        TableCounts &t = totals[q->value(0).toString()];
        const QString outcome = q->value(1).toString();
        const qint64 rows = q->value(3).toLongLong();
        if (outcome == QLatin1String("copied"))
            t.copied += rows;
        else if (outcome == QLatin1String("skipped"))
            t.skip(q->value(2).toString(), rows);
        else
            t.fail(q->value(2).toString(), rows);
        t.read += rows;
    }
    return totals;
}

} // namespace openaps::legacy
