#pragma once

#include <QJsonArray>
#include <QList>
#include <QString>

#include <vector>

namespace openaps::api {

// How a dataset column is typed in the API (GET /api/v1/datasets) and
// rendered in an export: times as ISO-8601 UTC, booleans as true/false, JSON
// as the original record.
enum class ExportType { Text, Real, Integer, Boolean, Timestamp, Date, Json };

QString exportTypeName(ExportType type);

struct ExportColumn
{
    QString name;
    ExportType type;
};

// A research table a researcher can download. The names here are the
// table names themselves, so the list the API accepts and the table it
// reads can never disagree (the old system's whitelist said `profile` and
// `device_status` while its look-up said `profiles` and `device`).
struct Dataset
{
    QString name; // table name and dataset name
    std::vector<ExportColumn> columns; // in export order
    QString timeColumn; // UTC time that from/to filter on; empty: none
    QString participantColumn; // the participant's pseudonym (user_id)
    // False for member_demographics: its rows follow the member's consent
    // as stamped on their research rows.
    bool hasSourceEntity = true;
    // The order within a participant after the time column; the derived
    // tables without seq_id name their key.
    QString tieBreak = QStringLiteral("seq_id");
};

// Every dataset, in the order the API lists them.
const std::vector<Dataset> &datasets();
// The dataset called `name`, or nullptr.
const Dataset *findDataset(const QString &name);

// The data dictionary: every exported column of every dataset with its
// type and its documentation (records/columndocs.h) as a Markdown table,
// the one in the README's "What researchers receive".
QString dataDictionaryMarkdown();
// "dataset.column" of exported columns nobody documented, or documented
// without a description, source or privacy treatment (should be none).
QStringList undocumentedColumns();

// GET /api/v1/datasets: every dataset with its columns, each column's type
// and documentation:
//   [{"name","time_column","columns":[{"name","type","unit","description","source","privacy"}]}]
QJsonArray datasetsJson();
// GET /api/v1/data-dictionary.csv: the same as CSV (RFC 4180, a header row
// `dataset,column,type,unit,privacy,source,description`), one line per column.
QByteArray dataDictionaryCsv();

} // namespace openaps::api
