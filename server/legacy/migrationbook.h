#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QMap>
#include <QString>

namespace openaps::legacy {

// What became of the rows read from one old table.
struct TableCounts
{
    qint64 read = 0;
    qint64 copied = 0;
    QMap<QString, qint64> skipped; // reason → rows
    QMap<QString, qint64> bad; // reason → rows

    void skip(const QString &reason, qint64 rows = 1) { skipped[reason] += rows; }
    void fail(const QString &reason, qint64 rows = 1) { bad[reason] += rows; }
    qint64 skippedRows() const;
    qint64 badRows() const;
    bool isEmpty() const { return read == 0 && copied == 0 && skipped.isEmpty() && bad.isEmpty(); }
    TableCounts &operator+=(const TableCounts &other);
};

// The migration's bookkeeping in the target database (migration 0080): per
// old table the key up to which every row is done, and the counts of all
// runs. A batch's rows are committed first, then its position and counts;
// after a kill in between, the batch is read again and its rows are found
// already there (skipped), so nothing is counted twice and nothing is lost.
// In a dry run nothing is written and the positions read are kept in memory.
class MigrationBook
{
public:
    MigrationBook(db::Database database, bool dryRun) : m_database(std::move(database)), m_dryRun(dryRun) { }

    // The key after which `table` continues (-1 when it was never started).
    Result<qint64> position(const QString &table) const;
    // Records that every row of `table` up to `lastKey` is done, with `batch`'s counts
    // (nothing when the batch read no row).
    Status advance(const QString &table, qint64 lastKey, const TableCounts &batch);
    // The counts of every run so far.
    Result<QMap<QString, TableCounts>> totals() const;

    bool dryRun() const { return m_dryRun; }

private:
    db::Database m_database;
    bool m_dryRun;
};

} // namespace openaps::legacy
