#pragma once

#include "core/result.h"
#include "metrics/entriescsv.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <functional>

namespace openaps::metrics {

// Any file the researcher API exports: CSV (header row, RFC 4180) or NDJSON
// (one object a line, nested values as objects), plain or gzip.
struct ExportHeader
{
    bool ndjson = false;
    QStringList columns; // NDJSON: the first object's keys
};
Result<ExportHeader> readExportHeader(const QString &path);

// Visits every row, handing `row` the values of `wanted` in that order as
// text (a missing column or JSON null is empty; NDJSON numbers as numbers
// are written, booleans "true"/"false", objects as compact JSON). A line of
// NDJSON that is not an object is counted in *skipped. `progress` as in
// loadEntriesCsv (bytes of the file on disk).
using ExportRow = std::function<void(const QList<QByteArray> &values)>;
Status readExportRows(const QString &path, const QStringList &wanted, const ExportRow &row,
                      const LoadProgress &progress = {}, qint64 *skipped = nullptr);

} // namespace openaps::metrics
