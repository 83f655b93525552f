#pragma once

#include "core/result.h"
#include "db/database.h"
#include "etl/row.h"
#include "privacy/tombstones.h"

#include <functional>
#include <memory>
#include <vector>

namespace openaps::etl {

// What happened to the rows given to a writer.
struct WriteCounts
{
    qint64 inserted = 0; // new rows
    qint64 updated = 0; // an existing row (same participant and id) changed
    qint64 duplicates = 0; // already there unchanged, or repeated within the file
    qint64 rejected = 0; // refused by the database (see BulkWriter::rejections)
};

// A row the database refused: the record's line and a reason without content.
struct Rejection
{
    qint64 line = 0;
    QString reason;
};

// Writes mapped rows of one research table in bulk, de-duplicating on the
// table's unique keys. Committed in batches: after a crash the rows of
// finished batches stay, and loading the same data again converges to the
// same rows (duplicates are skipped, changed documents updated).
//
// PostgreSQL: each batch is first COPYed straight into the table inside a
// savepoint (new data, the common case, costs what COPY costs); if the
// batch collides with existing rows the savepoint is rolled back and the
// batch goes through a temporary staging table and one INSERT ... ON
// CONFLICT. Batches that needed the staging path keep using it until one
// batch turns out to be all new again.
// SQLite: prepared statements inside large transactions.
class BulkWriter
{
public:
    virtual ~BulkWriter() = default;

    // `metrics` is the device_status_metrics row belonging to a device_status
    // row (or null). `line` names the record if the database rejects it.
    virtual Status add(const Row &row, const Row *metrics, qint64 line) = 0;
    // Writes what is still buffered. The writer can be used again afterwards.
    virtual Status flush() = 0;

    // Each batch's transaction starts with `guard.check` on `db` (the
    // writer's own connection), so rows of a participant erased meanwhile are
    // never committed: add() or flush() then fails with privacy::erasedCode.
    void setGuard(const QSqlDatabase &db, privacy::WriteGuard guard)
    {
        m_guardDb = db; // QSqlDatabase has no move
        m_guard = std::move(guard);
    }
    // Tests: runs inside each batch's transaction just before its COMMIT.
    void setBeforeCommit(std::function<void()> hook) { m_beforeCommit = std::move(hook); }

    const WriteCounts &counts() const { return m_counts; }
    const std::vector<Rejection> &rejections() const { return m_rejections; }

    // A writer for `table` on the calling thread's connection of `database`.
    // Every batch checks `guard` first (see setGuard).
    static Result<std::unique_ptr<BulkWriter>> create(const db::Database &database, const records::TableSpec &table,
                                                      const privacy::WriteGuard &guard);

protected:
    void reject(qint64 line, QString reason)
    {
        ++m_counts.rejected;
        if (m_rejections.size() < 1000) // enough to report; the count stays exact
            m_rejections.push_back({ line, std::move(reason) });
    }

    Status checkGuard() const { return m_guard ? m_guard->check(m_guardDb) : Status(); }
    void beforeCommit() const
    {
        if (m_beforeCommit)
            m_beforeCommit();
    }

    WriteCounts m_counts;
    std::vector<Rejection> m_rejections;
    QSqlDatabase m_guardDb;
    std::optional<privacy::WriteGuard> m_guard;
    std::function<void()> m_beforeCommit;
};

} // namespace openaps::etl
