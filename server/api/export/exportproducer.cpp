#include "api/export/exportproducer.h"

#include "api/apilog.h"
#include "api/export/exportsql.h"
#include "api/export/rowencoder.h"
#include "core/gzip.h"
#include "db/pgcopy.h"

#include <QSqlError>
#include <QSqlQuery>

#include <libpq-fe.h>

namespace openaps::api {

namespace {

constexpr qsizetype chunkBytes = 64 * 1024;

// Renders into a buffer and hands it over whenever it passes chunkBytes,
// compressed if asked.
class ChunkSink
{
public:
    ChunkSink(ExportSink &queue, bool compress) : m_queue(queue)
    {
        if (compress)
            m_gzip = std::make_unique<gzip::Deflater>();
        m_buffer.reserve(chunkBytes + 4096);
    }
    QByteArray &buffer() { return m_buffer; }
    // False once the consumer cancelled.
    // `rows`: rendered so far, all in the buffer or handed over.
    bool flushIfFull(qint64 rows) { return m_buffer.size() < chunkBytes || flush(rows); }
    bool flush(qint64 rows)
    {
        if (m_buffer.isEmpty())
            return !m_queue.isCancelled();
        QByteArray out;
        if (m_gzip) {
            m_gzip->write(m_buffer, out);
            m_buffer.clear();
            if (out.isEmpty())
                return !m_queue.isCancelled();
        } else {
            out = std::exchange(m_buffer, QByteArray());
            m_buffer.reserve(chunkBytes + 4096);
        }
        return m_queue.push(std::move(out), rows);
    }
    bool finish(qint64 rows)
    {
        if (!flush(rows))
            return false;
        if (!m_gzip)
            return true;
        QByteArray out;
        m_gzip->finish(out);
        return m_queue.push(std::move(out), rows);
    }

private:
    ExportSink &m_queue;
    std::unique_ptr<gzip::Deflater> m_gzip;
    QByteArray m_buffer;
};

Result<qint64> count(QSqlDatabase &db, const ExportSql &sql)
{
    QSqlQuery q(db);
    q.prepare(sql.countSql());
    for (const QVariant &v : sql.values())
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return db::sqlError("counting export rows", q.lastError());
    return q.value(0).toLongLong();
}

struct Outcome
{
    qint64 rows = 0;
    std::optional<Error> error; // nullopt: complete or cancelled
};

// In the read transaction already open on `db`.
Outcome produceSqlite(QSqlDatabase &db, const ExportQuery &query, ExportSink &queue)
{
    Outcome outcome;
    const ExportSql sql(query, ExportSql::Dialect::Sqlite);
    if (queue.wantsEstimate()) {
        auto estimate = count(db, sql);
        if (!estimate) {
            outcome.error = estimate.error();
            return outcome;
        }
        if (!queue.setEstimate(*estimate))
            return outcome;
    }
    const RowEncoder encoder(*query.dataset, query.params.format, query.params.spreadsheetSafe);
    ChunkSink sink(queue, query.params.gzip);
    sink.buffer() += encoder.header();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(sql.selectSql());
    for (const QVariant &v : sql.values())
        q.addBindValue(v);
    if (!q.exec()) {
        outcome.error = db::sqlError("reading export rows", q.lastError());
        return outcome;
    }
    const int columns = int(query.dataset->columns.size());
    std::vector<QVariant> values(static_cast<size_t>(columns));
    bool open = true;
    while (open && q.next()) {
        for (int i = 0; i < columns; ++i)
            values[size_t(i)] = q.value(i);
        encoder.append(sink.buffer(), values.data());
        ++outcome.rows;
        open = sink.flushIfFull(outcome.rows);
    }
    if (open && q.lastError().isValid())
        outcome.error = db::sqlError("reading export rows", q.lastError());
    else if (open)
        sink.finish(outcome.rows);
    q.finish();
    return outcome;
}

// In the snapshot already open on `db` (beginSnapshot). The caller rolls
// the transaction back afterwards, whatever happened.
Outcome producePostgres(QSqlDatabase &db, const ExportQuery &query, ExportSink &queue)
{
    Outcome outcome;
    auto conn = pg::nativeHandle(db);
    if (!conn) {
        outcome.error = conn.error();
        return outcome;
    }
    const ExportSql countSql(query, ExportSql::Dialect::Postgres);
    const ExportSql copySql(query, ExportSql::Dialect::PostgresCopy);
    auto fail = [&](Error e) {
        outcome.error = std::move(e);
        return outcome;
    };
    {
        // Scoped: its prepared statement is released before the COPY.
        QSqlQuery q(db);
        for (const auto &[name, value] : copySql.settings()) {
            q.prepare(QStringLiteral("SELECT set_config(?, ?, true)"));
            q.addBindValue(name);
            q.addBindValue(value);
            if (!q.exec())
                return fail(db::sqlError("setting the export filters", q.lastError()));
        }
    }
    if (queue.wantsEstimate()) {
        auto estimate = count(db, countSql);
        if (!estimate)
            return fail(estimate.error());
        if (!queue.setEstimate(*estimate))
            return outcome;
    }

    pg::PgResult started = pg::exec(*conn, copySql.copySql());
    if (PQresultStatus(started.get()) != PGRES_COPY_OUT)
        return fail(makeError("database", QStringLiteral("The export query failed: %1").arg(started.safeMessage())));
    ChunkSink sink(queue, query.params.gzip);
    sink.buffer() += RowEncoder(*query.dataset, query.params.format).header();
    char *row = nullptr;
    int size = 0;
    // Each call returns one row as COPY rendered it.
    while ((size = PQgetCopyData(*conn, &row, 0)) > 0) {
        sink.buffer().append(row, size);
        PQfreemem(row);
        ++outcome.rows;
        if (!sink.flushIfFull(outcome.rows)) {
            pg::cancelCopyOut(*conn); // the client left
            return outcome;
        }
    }
    if (size == -2)
        return fail(makeError(
                "database",
                QStringLiteral("The export stopped: %1").arg(QString::fromUtf8(PQerrorMessage(*conn)).trimmed())));
    pg::PgResult result(PQgetResult(*conn));
    while (PGresult *extra = PQgetResult(*conn))
        PQclear(extra);
    if (!result.ok())
        return fail(makeError("database", QStringLiteral("The export stopped: %1").arg(result.safeMessage())));
    sink.finish(outcome.rows);
    return outcome;
}

// The queue of a streamed download as the sink of its rows.
class QueueSink final : public ExportSink
{
public:
    explicit QueueSink(http::ChunkQueue &queue) : m_queue(queue) { }
    bool setEstimate(qint64 rows) override { return m_queue.setEstimate(rows); }
    bool push(QByteArray chunk, qint64 rowsThrough) override { return m_queue.push(std::move(chunk), rowsThrough); }
    bool isCancelled() const override { return m_queue.isCancelled(); }

private:
    http::ChunkQueue &m_queue;
};

} // namespace

Result<QDateTime> beginSnapshot(QSqlDatabase &db, bool postgres)
{
    if (!db.transaction())
        return db::sqlError("starting the export", db.lastError());
    QSqlQuery q(db);
    // PostgreSQL: the snapshot is taken by the first query after SET
    // TRANSACTION; SQLite: a deferred transaction's by its first read.
    const bool ok = postgres ? q.exec(QStringLiteral("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
                    && q.exec(QStringLiteral("SELECT 1 FROM schema_migrations LIMIT 1"))
                             : q.exec(QStringLiteral("SELECT 1 FROM schema_migrations LIMIT 1"));
    if (!ok) {
        const Error error = db::sqlError("starting the export", q.lastError());
        endSnapshot(db, postgres);
        return error;
    }
    return QDateTime::currentDateTimeUtc();
}

void endSnapshot(QSqlDatabase &db, bool postgres)
{
    // A session the server ended has no transaction left to roll back.
    if (postgres) {
        auto conn = pg::nativeHandle(db);
        if (!conn || PQstatus(*conn) != CONNECTION_OK)
            return;
    }
    db.rollback();
}

Result<qint64> countInSnapshot(QSqlDatabase &db, bool postgres, const ExportQuery &query)
{
    return count(db, ExportSql(query, postgres ? ExportSql::Dialect::Postgres : ExportSql::Dialect::Sqlite));
}

Result<qint64> produceInSnapshot(QSqlDatabase &db, bool postgres, const ExportQuery &query, ExportSink &sink)
{
    const Outcome outcome = postgres ? producePostgres(db, query, sink) : produceSqlite(db, query, sink);
    if (outcome.error)
        return *outcome.error;
    return outcome.rows;
}

void produceExport(const db::Database &database, const ExportQuery &query, http::ChunkQueue &queue)
{
    Outcome outcome;
    {
        auto connection = database.connection();
        if (!connection) {
            outcome.error = connection.error();
        } else {
            QSqlDatabase db = *connection;
            // One snapshot: the estimate and the rows see the same data.
            if (auto snapshot = beginSnapshot(db, database.isPostgres()); !snapshot) {
                outcome.error = snapshot.error();
            } else {
                QueueSink sink(queue);
                outcome = database.isPostgres() ? producePostgres(db, query, sink) : produceSqlite(db, query, sink);
                endSnapshot(db, database.isPostgres());
            }
        }
    }
    // The worker thread's connection lives as long as the export: a pool
    // thread may end at any time, and its connection must not outlive it.
    database.closeConnection();
    if (outcome.error)
        qCWarning(lcApi, "export of %s failed after %lld rows: %s", qPrintable(query.dataset->name), outcome.rows,
                  qPrintable(outcome.error->message));
    queue.finish(outcome.rows, std::move(outcome.error));
}

Result<qint64> countExportRows(const db::Database &database, const ExportQuery &query)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    return count(db,
                 ExportSql(query, database.isPostgres() ? ExportSql::Dialect::Postgres : ExportSql::Dialect::Sqlite));
}

} // namespace openaps::api
