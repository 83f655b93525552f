#pragma once

#include "core/result.h"
#include "metrics/entriescsv.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QStringList>

#include <functional>

namespace openaps::metrics {

// A file the researcher API exports, on disk or inside a release zip
// (`member`: the file's name in the zip at `path`).
struct ExportSource
{
    ExportSource(const QString &file) : path(file) { } // implicit: a path is a source
    ExportSource(const QString &zip, const QString &name) : path(zip), member(name) { }
    QString path;
    QString member;

    QString name() const; // the file's name, for messages
};

// Any file the researcher API exports: CSV (header row, RFC 4180) or NDJSON
// (one object a line, nested values as objects), plain or gzip.
struct ExportHeader
{
    bool ndjson = false;
    bool gzip = false;
    QStringList columns; // NDJSON: the first object's keys
};
Result<ExportHeader> readExportHeader(const ExportSource &source);

// Visits every row, handing `row` the values of `wanted` in that order as
// text (a missing column or JSON null is empty; NDJSON numbers as written,
// booleans "true"/"false", objects as compact JSON). A line of NDJSON that
// is not an object is counted in *skipped. `progress` as in loadEntriesCsv
// (bytes of the file on disk; of the zip for a member).
using ExportRow = std::function<void(const QList<QByteArray> &values)>;
Status readExportRows(const ExportSource &source, const QStringList &wanted, const ExportRow &row,
                      const LoadProgress &progress = {}, qint64 *skipped = nullptr);

// The same reader, record by record as the file holds them (decompressed):
// `text` is the record's bytes with its line end (an NDJSON line without
// the white space around it); `values` as above, or null for what is no row
// (the header, a line that is not an object, counted in *skipped). All the
// texts together are the file less its byte-order mark and blank lines.
using ExportRecord = std::function<void(QByteArrayView text, const QList<QByteArray> *values)>;
Status readExportRecords(const ExportSource &source, const QStringList &wanted, const ExportRecord &record,
                         const LoadProgress &progress = {}, qint64 *skipped = nullptr);

} // namespace openaps::metrics
