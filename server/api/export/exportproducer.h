#pragma once

#include "api/export/exportparams.h"
#include "db/database.h"
#include "http/chunkqueue.h"

namespace openaps::api {

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
