#pragma once

#include "api/export/exportparams.h"
#include "db/database.h"
#include "http/chunkqueue.h"

#include <QDateTime>
#include <QSqlDatabase>

namespace openaps::api {

// Where an export's rendered rows go: a streamed download's queue, or a
// release's zip entry. Each call returns false once the consumer gave up.
class ExportSink
{
public:
    virtual ~ExportSink() = default;
    // False: the producer does not count the rows first (the consumer did).
    virtual bool wantsEstimate() const { return true; }
    virtual bool setEstimate(qint64 rows) = 0;
    // `rowsThrough`: rows produced up to the end of this chunk.
    virtual bool push(QByteArray chunk, qint64 rowsThrough) = 0;
    virtual bool isCancelled() const = 0;
};

// Opens one consistent read snapshot on `db` (PostgreSQL: a REPEATABLE READ,
// READ ONLY transaction; SQLite: a read transaction) and returns its time.
// Every produceInSnapshot until endSnapshot sees the same data.
Result<QDateTime> beginSnapshot(QSqlDatabase &db, bool postgres);
void endSnapshot(QSqlDatabase &db, bool postgres);
// The rows one export would have, counted in the open snapshot.
Result<qint64> countInSnapshot(QSqlDatabase &db, bool postgres, const ExportQuery &query);
// One export's rows into `sink`, read in the open snapshot, exactly as a
// streamed download of the same query renders them; the rows written (a
// cancelled sink stops early).
Result<qint64> produceInSnapshot(QSqlDatabase &db, bool postgres, const ExportQuery &query, ExportSink &sink);

// Reads an export's rows on the calling (worker) thread with a connection
// of that thread, renders and optionally gzips them, and hands chunks of
// about 64 KB to `queue`: first the row estimate, then the body, then
// finish(). Stops early when the queue is cancelled (the client left).
// PostgreSQL: COPY (SELECT ...) TO STDOUT through libpq, which streams
// rows as the server produces them (QPSQL would buffer the whole result).
// SQLite: a forward-only query stepping row by row.
void produceExport(const db::Database &database, const ExportQuery &query, http::ChunkQueue &queue);

// The number of rows an export would have, on the calling thread's
// connection (GET /api/v1/export/{dataset}/count).
Result<qint64> countExportRows(const db::Database &database, const ExportQuery &query);

} // namespace openaps::api
