#include "etl/postgreswriter.h"

#include "etl/copyrow.h"
#include "etl/etllog.h"

#include <QElapsedTimer>

#include <libpq-fe.h>

namespace openaps::etl {

namespace {

QString copySql(const QString &table, const records::TableSpec &spec)
{
    return QStringLiteral("COPY %1 (%2) FROM STDIN").arg(table, spec.columnList());
}

QString quoted(const char *name)
{
    return QLatin1Char('"') + QLatin1String(name) + QLatin1Char('"');
}

// The ON CONFLICT clause and what counts as "changed" for an update.
QString conflictClause(const records::TableSpec &table)
{
    if (table.onDuplicate == records::TableSpec::OnDuplicate::Ignore)
        return QStringLiteral("ON CONFLICT DO NOTHING RETURNING true AS inserted");
    QStringList sets;
    QStringList mine;
    QStringList theirs;
    for (const records::Column &c : table.columns) {
        if (table.key.contains(QLatin1String(c.name)))
            continue;
        sets << quoted(c.name) + QLatin1String(" = EXCLUDED.") + quoted(c.name);
        mine << QLatin1String("t.") + quoted(c.name);
        theirs << QLatin1String("EXCLUDED.") + quoted(c.name);
    }
    // raw_json decides for documents (the typed columns derive from it);
    // source_entity too, so a consent change reaches re-loaded rows.
    const QString changed = table.rawJsonColumn >= 0
            ? QStringLiteral("t.raw_json IS DISTINCT FROM EXCLUDED.raw_json OR "
                             "t.source_entity IS DISTINCT FROM EXCLUDED.source_entity")
            : QStringLiteral("(%1) IS DISTINCT FROM (%2)")
                      .arg(mine.join(QLatin1String(", ")), theirs.join(QLatin1String(", ")));
    return QStringLiteral("ON CONFLICT (%1) DO UPDATE SET %2 WHERE %3 RETURNING (xmax = 0) AS inserted")
            .arg(table.key.join(QLatin1String(", ")), sets.join(QLatin1String(", ")), changed);
}

} // namespace

PostgresWriter::PostgresWriter(PGconn *conn, const records::TableSpec &table)
    : m_conn(conn),
      m_table(table),
      m_metricsTable(records::deviceStatusMetricsTable()),
      m_hasMetrics(&table == &records::deviceStatusTable()),
      m_stage(QLatin1String("etl_stage_") + QLatin1String(table.name)),
      m_metricsStage(QStringLiteral("etl_stage_device_status_metrics")),
      m_copy(conn)
{ }

PostgresWriter::~PostgresWriter()
{
    // Never leave a COPY or transaction open on a connection that is reused.
    if (m_copy.active()) {
        PQputCopyEnd(m_conn, "writer abandoned");
        while (PGresult *r = PQgetResult(m_conn))
            PQclear(r);
    }
    if (m_inBatch)
        pg::exec(m_conn, "ROLLBACK");
}

Status PostgresWriter::prepare()
{
    // Every batch can be loaded again with the same result (duplicates are
    // skipped), and the file is only marked loaded after its last batch, on
    // this session too: losing the newest commits in a crash costs a reload,
    // never data. So batches need not wait for the WAL flush.
    if (auto s = pg::run(m_conn, QStringLiteral("SET synchronous_commit = off"), "preparing the load"); !s)
        return s;
    auto create = [this](const QString &stage, const records::TableSpec &spec) -> Status {
        // Session-private, emptied at each commit, no constraints: a batch's
        // rows land here when they collide with existing rows.
        if (auto s = pg::run(m_conn,
                             QStringLiteral("CREATE TEMP TABLE IF NOT EXISTS %1 ON COMMIT DELETE ROWS AS "
                                            "SELECT %2 FROM %3 WITH NO DATA")
                                     .arg(stage, spec.columnList(), QLatin1String(spec.name)),
                             "creating a staging table");
            !s)
            return s;
        return pg::run(m_conn,
                       QStringLiteral("ALTER TABLE %1 ADD COLUMN IF NOT EXISTS stage_seq BIGINT "
                                      "GENERATED ALWAYS AS IDENTITY")
                               .arg(stage),
                       "creating a staging table");
    };
    if (auto s = create(m_stage, m_table); !s)
        return s;
    if (m_hasMetrics)
        return create(m_metricsStage, m_metricsTable);
    return {};
}

Status PostgresWriter::beginBatch()
{
    if (auto s = pg::run(m_conn, QStringLiteral("BEGIN"), "starting a batch"); !s)
        return s;
    m_inBatch = true;
    // Holds the participant's row until COMMIT (privacy/tombstones.h).
    if (auto s = checkGuard(); !s) {
        pg::exec(m_conn, "ROLLBACK");
        m_inBatch = false;
        resetBatch();
        return s;
    }
    if (m_direct) {
        const pg::PgResult started = m_copy.start(copySql(QLatin1String(m_table.name), m_table));
        if (!m_copy.active()) {
            // The transaction is aborted: start again and stage this batch.
            if (auto s = restartTransaction(); !s)
                return s;
            m_direct = false;
        }
    }
    return {};
}

Status PostgresWriter::restartTransaction()
{
    if (auto s = pg::run(m_conn, QStringLiteral("ROLLBACK"), "a batch"); !s)
        return s;
    if (auto s = pg::run(m_conn, QStringLiteral("BEGIN"), "a batch"); !s)
        return s;
    return checkGuard(); // the lock went with the rolled back transaction
}

Status PostgresWriter::add(const Row &row, const Row *metrics, qint64 line)
{
    if (!m_inBatch) {
        if (auto s = beginBatch(); !s)
            return s;
    }
    const qsizetype start = m_batch.size();
    appendCopyRow(m_batch, row, m_table);
    if (m_copy.active() && !m_copyFailed) {
        switch (checkRepeat(row, start, m_batch.size())) {
        case Repeat::Same:
            // The same record twice in a row of uploads: drop it here
            // rather than let it fail the whole COPY.
            m_batch.truncate(start);
            ++m_counts.duplicates;
            return {};
        case Repeat::Changed:
            m_copyFailed = true; // flush() takes the staging path for this batch
            break;
        case Repeat::No:
            break;
        }
    }
    m_offsets.push_back(start);
    m_lines.push_back(line);
    if (m_copy.active() && !m_copyFailed && !m_copy.put(m_batch.constData() + start, int(m_batch.size() - start))) {
        if (PQstatus(m_conn) == CONNECTION_BAD)
            return makeError("database", QStringLiteral("The connection to PostgreSQL broke during COPY."));
        m_copyFailed = true; // e.g. a duplicate key: flush() takes the staging path
    }
    if (metrics && m_hasMetrics)
        appendCopyRow(m_metricsBatch, *metrics, m_metricsTable);
    if (m_batch.size() >= m_batchBytes || qsizetype(m_lines.size()) >= m_batchRows)
        return flush();
    return {};
}

Status PostgresWriter::flush()
{
    if (!m_inBatch)
        return {};
    QElapsedTimer timer;
    timer.start();
    bool direct = false;
    if (m_copy.active()) {
        const pg::PgResult copied = m_copy.end();
        direct = copied.ok() && !m_copyFailed;
        if (direct && m_hasMetrics && !m_metricsBatch.isEmpty())
            direct = pg::copyIn(m_conn, copySql(QLatin1String(m_metricsTable.name), m_metricsTable), m_metricsBatch)
                             .ok();
        // No savepoint on the direct path (a subtransaction would cost every
        // row): a failed COPY throws the whole transaction away instead.
        if (!direct) {
            if (auto s = restartTransaction(); !s)
                return s;
        }
    }
    if (direct) {
        m_counts.inserted += qint64(m_lines.size());
    } else {
        if (auto s = pg::run(m_conn, QStringLiteral("SAVEPOINT etl_batch"), "staging"); !s)
            return s;
        if (auto s = stageAndUpsert(); !s)
            return s;
    }
    beforeCommit();
    if (auto s = pg::run(m_conn, QStringLiteral("COMMIT"), "committing a batch"); !s)
        return s;
    qCDebug(lcEtl, "%s: batch of %zu rows %s in %lld ms", m_table.name, m_lines.size(), direct ? "copied" : "staged",
            qint64(timer.elapsed()));
    m_inBatch = false;
    resetBatch();
    return {};
}

namespace {

// Field `index` of a COPY text line (tab-separated, newline-terminated).
QByteArrayView copyField(const char *line, qsizetype length, int index)
{
    qsizetype from = 0;
    for (int i = 0; i < index; ++i) {
        const void *tab = memchr(line + from, '\t', size_t(length - from));
        if (!tab)
            return {};
        from = static_cast<const char *>(tab) - line + 1;
    }
    qsizetype to = from;
    while (to < length && line[to] != '\t' && line[to] != '\n')
        ++to;
    return QByteArrayView(line + from, to - from);
}

} // namespace

PostgresWriter::Repeat PostgresWriter::checkRepeat(const Row &row, qsizetype lineStart, qsizetype lineEnd)
{
    const char *line = m_batch.constData() + lineStart;
    const qsizetype length = lineEnd - lineStart;
    const int rowIndex = int(m_offsets.size());
    quint64 hashes[2];
    int hashCount = 0;
    for (size_t k = 0; k < m_table.uniqueKeys.size() && k < 2; ++k) {
        const std::vector<int> &unique = m_table.uniqueKeys[k];
        // NULLs never collide in a unique index.
        if (std::any_of(unique.begin(), unique.end(), [&row](int c) { return row[size_t(c)].isNull(); }))
            continue;
        size_t h = qHash(quint64(k));
        for (int column : unique) {
            const Field &f = row[size_t(column)];
            if (f.kind == Field::Text)
                h = qHashBits(f.bytes.constData(), size_t(f.bytes.size()), h);
            else
                h = qHash(f.kind == Field::Time ? f.ms : f.integer, h);
        }
        const auto seen = m_batchKeys.find(h);
        if (seen == m_batchKeys.end()) {
            hashes[hashCount++] = h;
            continue;
        }
        // Same hash: compare the key columns themselves.
        const qsizetype from = m_offsets[size_t(seen->second)];
        const qsizetype to = size_t(seen->second) + 1 < m_offsets.size() ? m_offsets[size_t(seen->second) + 1]
                                                                         : lineStart;
        const char *earlier = m_batch.constData() + from;
        const bool sameKey = std::all_of(unique.begin(), unique.end(), [&](int c) {
            return copyField(earlier, to - from, c) == copyField(line, length, c);
        });
        if (!sameKey)
            continue; // a hash collision: not a repeat
        if (m_table.onDuplicate == records::TableSpec::OnDuplicate::Ignore)
            return Repeat::Same; // the first one stays, as on the other paths
        const bool same = to - from == length && memcmp(earlier, line, size_t(length)) == 0;
        return same ? Repeat::Same : Repeat::Changed;
    }
    for (int i = 0; i < hashCount; ++i)
        m_batchKeys.emplace(hashes[i], rowIndex);
    return Repeat::No;
}

void PostgresWriter::resetBatch()
{
    m_batch.clear();
    m_metricsBatch.clear();
    m_lines.clear();
    m_offsets.clear();
    m_batchKeys.clear();
    m_copyFailed = false;
}

Status PostgresWriter::stageRows()
{
    const QString copyStage = copySql(m_stage, m_table);
    const pg::PgResult staged = pg::copyIn(m_conn, copyStage, m_batch);
    if (staged.ok())
        return {};
    const QString state = staged.sqlState();
    if (!state.startsWith(QLatin1String("22")) && !state.startsWith(QLatin1String("23")))
        return makeError("database", QStringLiteral("Database error during staging: %1").arg(staged.safeMessage()));
    // A row the database refuses (e.g. JSON PostgreSQL cannot store): find
    // it by staging row by row, so one bad record costs only itself.
    if (auto s = pg::run(m_conn, QStringLiteral("ROLLBACK TO SAVEPOINT etl_batch"), "staging"); !s)
        return s;
    for (size_t i = 0; i < m_lines.size(); ++i) {
        const qsizetype from = m_offsets[i];
        const qsizetype to = i + 1 < m_offsets.size() ? m_offsets[i + 1] : m_batch.size();
        if (auto s = pg::run(m_conn, QStringLiteral("SAVEPOINT etl_row"), "staging"); !s)
            return s;
        const pg::PgResult one = pg::copyIn(m_conn, copyStage, m_batch.mid(from, to - from));
        const QString release = one.ok() ? QStringLiteral("RELEASE SAVEPOINT etl_row")
                                         : QStringLiteral("ROLLBACK TO SAVEPOINT etl_row");
        if (auto s = pg::run(m_conn, release, "staging"); !s)
            return s;
        if (!one.ok())
            reject(m_lines[i], QStringLiteral("rejected by the database (%1)").arg(one.safeMessage()));
    }
    return {};
}

Status PostgresWriter::stageAndUpsert()
{
    const qint64 rejectedBefore = m_counts.rejected;
    if (auto s = stageRows(); !s)
        return s;
    const qint64 staged = qint64(m_lines.size()) - (m_counts.rejected - rejectedBefore);

    const qint64 insertedBefore = m_counts.inserted;
    const qint64 updatedBefore = m_counts.updated;
    if (auto s = upsert(m_table, m_stage, true); !s)
        return s;
    const qint64 inserted = m_counts.inserted - insertedBefore;
    const qint64 updated = m_counts.updated - updatedBefore;
    m_counts.duplicates += staged - inserted - updated;

    if (m_hasMetrics && !m_metricsBatch.isEmpty()) {
        const pg::PgResult staged = pg::copyIn(m_conn, copySql(m_metricsStage, m_metricsTable), m_metricsBatch);
        if (!staged.ok())
            return makeError("database", QStringLiteral("Database error during staging: %1").arg(staged.safeMessage()));
        if (m_counts.rejected > rejectedBefore) {
            // Metrics of refused device_status rows have no parent: drop them.
            if (auto s = pg::run(m_conn,
                                 QStringLiteral("DELETE FROM %1 m WHERE NOT EXISTS (SELECT 1 FROM %2 s "
                                                "WHERE s.user_id = m.user_id AND s.id = m.device_status_id)")
                                         .arg(m_metricsStage, m_stage),
                                 "staging");
                !s)
                return s;
        }
        if (auto s = upsert(m_metricsTable, m_metricsStage, false); !s)
            return s;
    }
    // Stay on the staging path while batches keep meeting existing rows.
    m_direct = inserted == staged;
    return {};
}

Status PostgresWriter::upsert(const records::TableSpec &table, const QString &stage, bool count)
{
    const QString columns = table.columnList();
    const QString keys = table.key.join(QLatin1String(", "));
    // DISTINCT ON: a document repeated within the batch counts once. For
    // documents that may change the last occurrence wins (ON CONFLICT DO
    // UPDATE may not touch a row twice); readings keep the first, and rows
    // go in in file order so that, as on the direct and SQLite paths, the
    // first of two readings at the same instant is the one kept.
    const bool firstWins = table.onDuplicate == records::TableSpec::OnDuplicate::Ignore;
    const QString sql = QStringLiteral("WITH ins AS (INSERT INTO %1 AS t (%2) SELECT %2 FROM ("
                                       "SELECT DISTINCT ON (%3) %2, stage_seq FROM %4 ORDER BY %3, stage_seq %6) s "
                                       "ORDER BY stage_seq %5) "
                                       "SELECT count(*) FILTER (WHERE inserted), "
                                       "count(*) FILTER (WHERE NOT inserted) FROM ins")
                                .arg(QLatin1String(table.name), columns, keys, stage, conflictClause(table),
                                     firstWins ? QStringLiteral("ASC") : QStringLiteral("DESC"));
    const pg::PgResult result = pg::exec(m_conn, sql);
    if (!result.ok())
        return makeError("database",
                         QStringLiteral("Database error while loading %1: %2")
                                 .arg(QLatin1String(table.name), result.safeMessage()));
    if (count) {
        m_counts.inserted += result.integer(0, 0);
        m_counts.updated += result.integer(0, 1);
    }
    return {};
}

} // namespace openaps::etl
