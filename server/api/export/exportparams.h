#pragma once

#include "api/export/datasets.h"
#include "api/researcher.h"
#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QUrlQuery>

#include <functional>
#include <optional>

namespace openaps::api {

enum class ExportFormat { Csv, Ndjson };

// The filters and options of one export (GET /api/v1/export/{dataset}).
struct ExportParams
{
    ExportFormat format = ExportFormat::Csv;
    // Inclusive and exclusive, UTC; never set for a dataset without a time column.
    std::optional<QDateTime> from;
    std::optional<QDateTime> to;
    QList<qint64> participants; // member ids; empty: everyone
    bool gzip = false;
    // CSV only: a text cell starting with = + - @ TAB or CR gets a leading
    // ' so a spreadsheet shows it as text instead of running it as a
    // formula (columns of numbers are left alone: -1.5 stays a number).
    bool spreadsheetSafe = false;

    // Parses the query string; an unknown or malformed parameter is a
    // bad-request naming it. `withFormat` is false for /count, which takes
    // the same filters but no format or gzip.
    static Result<ExportParams> parse(const QUrlQuery &query, const Dataset &dataset, bool withFormat = true);

    // Attachment file name: <dataset>_<from>_<to>.<ext>[.gz].
    QString fileName(const Dataset &dataset) const;
    QByteArray contentType() const;
    // The filters for the download audit: no participant ids (they identify
    // people), only how many were asked for.
    QJsonObject auditFilters() const;
};

// A time parameter (`from`, `to`): ISO-8601 with an offset or Z, or without
// one (read as UTC), or a date alone (midnight UTC); else a bad-request
// naming the parameter.
Result<QDateTime> parseTimeParameter(const QString &name, const QString &value);

// Times as the API writes them: 2024-01-31T12:00:00.000Z.
QString formatApiTime(const QDateTime &utc);
// The same as a JSON value, null when there is none.
QJsonValue apiTimeJson(const std::optional<QDateTime> &utc);

// The 400 for a query parameter: "The parameter 'name' <why>".
Error badParameter(const QString &name, const QString &why);
// Each parameter at most once and only those `known`, each handed to `take`.
Status readQueryParameters(const QUrlQuery &query, const QStringList &known,
                           const std::function<Status(const QString &name, const QString &value)> &take);
// A from/to parameter into `target` (parseTimeParameter).
Status readTimeParameter(const QString &name, const QString &value, std::optional<QDateTime> &target);
// 400 naming `to` unless from < to.
Status checkTimeWindow(const std::optional<QDateTime> &from, const std::optional<QDateTime> &to);

// What the export query needs besides the parameters.
struct ExportQuery
{
    const Dataset *dataset = nullptr;
    ExportParams params;
    QList<int> sourceEntities; // from the researcher's scope
};

} // namespace openaps::api
