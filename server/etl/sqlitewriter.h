#pragma once

#include "etl/bulkwriter.h"

#include <QSqlDatabase>
#include <QSqlQuery>

namespace openaps::etl {

// BulkWriter for SQLite: prepared statements, one transaction per batch.
// INSERT ... ON CONFLICT DO NOTHING first; for documents that may change, a
// refused insert is followed by an UPDATE that only touches the row when its
// raw_json or source_entity differ.
class SqliteWriter final : public BulkWriter
{
public:
    explicit SqliteWriter(const QSqlDatabase &db, const records::TableSpec &table);
    ~SqliteWriter() override;

    Status prepare();
    Status add(const Row &row, const Row *metrics, qint64 line) override;
    Status flush() override;

    void setBatchRows(int rows) { m_batchRows = rows; }

private:
    Status begin();

    QSqlDatabase m_db;
    const records::TableSpec &m_table;
    const records::TableSpec &m_metricsTable;
    bool m_hasMetrics;
    QSqlQuery m_insert;
    QSqlQuery m_update;
    QSqlQuery m_metricsUpsert;
    bool m_inTransaction = false;
    int m_rowsInTransaction = 0;
    int m_batchRows = 20000;
};

} // namespace openaps::etl
