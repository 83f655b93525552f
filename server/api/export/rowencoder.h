#pragma once

#include "api/export/datasets.h"
#include "api/export/exportparams.h"

#include <QByteArray>
#include <QVariant>

namespace openaps::api {

// Renders rows read through Qt Sql (the SQLite path) exactly as the
// PostgreSQL path's COPY renders them, so an export looks the same on both
// backends: CSV per RFC 4180 (quoted when needed, NULL empty, "" for an
// empty string), NDJSON one object per line, numbers in the shortest form
// that reads back the same double (PostgreSQL's float8 output).
class RowEncoder
{
public:
    // `spreadsheetSafe`: CSV text cells neutralised (ExportParams::spreadsheetSafe).
    RowEncoder(const Dataset &dataset, ExportFormat format, bool spreadsheetSafe = false);

    // The CSV header row; empty for NDJSON.
    QByteArray header() const;
    // Appends one row; values[i] is column i (NULL: an invalid or null QVariant).
    void append(QByteArray &out, const QVariant *values) const;

private:
    void appendCsv(QByteArray &out, const QVariant &value, ExportType type) const;
    void appendJson(QByteArray &out, const QVariant &value, ExportType type) const;

    const Dataset &m_dataset;
    ExportFormat m_format;
    bool m_spreadsheetSafe;
    std::vector<QByteArray> m_jsonKeys; // "\"name\":" per column
};

// PostgreSQL's float8 output (extra_float_digits >= 1): the shortest
// round-trip digits, fixed notation for decimal exponents -4..14, else
// d.ddde±XX.
void appendDouble(QByteArray &out, double value);
// A JSON string literal the way PostgreSQL's escape_json writes one.
void appendJsonString(QByteArray &out, const QByteArray &utf8);
// One CSV field the way PostgreSQL's COPY CSV writes a non-NULL value.
void appendCsvField(QByteArray &out, const QByteArray &utf8);
// Whether a spreadsheet would take a text cell for a formula (it starts with
// = + - @ TAB or CR, OWASP's list); such a cell gets a leading '.
bool looksLikeFormula(const QByteArray &utf8);

} // namespace openaps::api
