#pragma once

#include "db/pgcopy.h"
#include "etl/bulkwriter.h"

#include <unordered_map>

namespace openaps::etl {

// BulkWriter for PostgreSQL (see BulkWriter for the strategy).
class PostgresWriter final : public BulkWriter
{
public:
    // `conn` is the thread's QPSQL connection's libpq handle.
    PostgresWriter(PGconn *conn, const records::TableSpec &table);
    ~PostgresWriter() override;

    Status prepare(); // creates the staging tables for this session
    Status add(const Row &row, const Row *metrics, qint64 line) override;
    Status flush() override;

    // Batch limits: a batch is committed once either is reached.
    void setBatchLimits(qsizetype bytes, qsizetype rows)
    {
        m_batchBytes = bytes;
        m_batchRows = rows;
    }

private:
    Status beginBatch();
    Status restartTransaction();
    Status stageAndUpsert();
    Status stageRows(); // COPY the batch into staging, isolating bad rows
    Status upsert(const records::TableSpec &table, const QString &stage, bool count);
    void resetBatch();
    // Within the batch being COPYed straight into the table: whether `row`
    // repeats an earlier row (then it is dropped as a duplicate) or changes
    // one (then the batch must take the staging path, where the last wins).
    enum class Repeat { No, Same, Changed };
    Repeat checkRepeat(const Row &row, qsizetype lineStart, qsizetype lineEnd);

    PGconn *m_conn;
    const records::TableSpec &m_table;
    const records::TableSpec &m_metricsTable;
    bool m_hasMetrics;
    QString m_stage;
    QString m_metricsStage;
    pg::CopyStream m_copy;

    QByteArray m_batch; // COPY text of the batch's rows, kept for the fallback
    QByteArray m_metricsBatch;
    std::vector<qint64> m_lines; // the record line of each batch row
    std::vector<qsizetype> m_offsets; // where each row starts in m_batch
    std::unordered_map<quint64, int> m_batchKeys; // hashes of the batch's unique keys → row index
    bool m_inBatch = false;
    bool m_direct = true; // try COPY straight into the table first
    bool m_copyFailed = false; // the server ended this batch's direct COPY early
    qsizetype m_batchBytes = 8 * 1024 * 1024;
    qsizetype m_batchRows = 100000;
};

} // namespace openaps::etl
