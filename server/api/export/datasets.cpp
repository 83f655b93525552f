#include "api/export/datasets.h"

#include "api/export/rowencoder.h"
#include "records/columndocs.h"
#include "records/researchtables.h"

#include <QJsonObject>

namespace openaps::api {

namespace {

ExportType typeOf(records::ColumnType type)
{
    switch (type) {
    case records::ColumnType::Text:
        return ExportType::Text;
    case records::ColumnType::Real:
        return ExportType::Real;
    case records::ColumnType::Integer:
        return ExportType::Integer;
    case records::ColumnType::Bool:
        return ExportType::Boolean;
    case records::ColumnType::Timestamp:
        return ExportType::Timestamp;
    case records::ColumnType::Json:
        return ExportType::Json;
    }
    return ExportType::Text;
}

// The ETL's own column list (every column it writes, seq_id aside), so a
// column added to a research table is exported without a second list.
Dataset fromEtl(const records::TableSpec &spec, const char *timeColumn)
{
    Dataset d { QLatin1String(spec.name), {}, QLatin1String(timeColumn), QStringLiteral("user_id"), true };
    for (const records::Column &c : spec.columns)
        d.columns.push_back({ QLatin1String(c.name), typeOf(c.type) });
    return d;
}

using Columns = std::initializer_list<std::pair<const char *, ExportType>>;

// A table the ETL or the survey import derives, listed here column by column.
Dataset listed(const char *name, const char *timeColumn, Columns columns, bool hasSourceEntity = true,
               const char *tieBreak = "seq_id")
{
    Dataset d { QLatin1String(name),    {}, QLatin1String(timeColumn), QStringLiteral("user_id"), hasSourceEntity,
                QLatin1String(tieBreak) };
    for (const auto &[column, type] : columns)
        d.columns.push_back({ QLatin1String(column), type });
    return d;
}

using T = ExportType;

// The survey table is filled from a spreadsheet, not by the ETL's specs
// (sql/*/0001_initial.sql). Its time is the survey timestamp `ts`, which
// says when an answer was given, not what time the data covers: from/to
// do not apply to it. Its rows follow the member's consent as stamped on
// their research rows, as do the cleaned answers (analytics_demographics).
Dataset demographics()
{
    return listed("member_demographics", "",
                  {
                          { "user_id", T::Integer },
                          { "ts", T::Timestamp },
                          { "survey", T::Text },
                          { "birth_year", T::Integer },
                          { "gender", T::Text },
                          { "ethnicity", T::Text },
                          { "country", T::Text },
                          { "diagnosis_year", T::Integer },
                          { "first_insulin_pump_date", T::Date },
                          { "first_glucose_monitor_date", T::Date },
                          { "first_diy_closed_loop_date", T::Date },
                          { "diy_closed_loop_type", T::Text },
                          { "who_uses_the_closed_loop_system", T::Text },
                          { "weight", T::Text },
                          { "height", T::Text },
                          { "insulin_units_per_day", T::Real },
                          { "basal_insulin_units_per_day", T::Real },
                          { "carb_grams_per_day", T::Real },
                          { "last_lab_reported_a1c", T::Real },
                          { "last_lab_reported_a1c_date", T::Date },
                          { "inserted_ts", T::Timestamp },
                          { "updated_ts", T::Timestamp },
                  },
                  false);
}

// Derived by the ETL (migration 0100, etl/derivedtables.h); from/to select
// periods by their first day.
Dataset participantSummary()
{
    return listed("participant_summary", "period_start",
                  {
                          { "user_id", T::Integer },
                          { "period", T::Text },
                          { "period_start", T::Date },
                          { "period_end", T::Date },
                          { "readings", T::Integer },
                          { "days_with_data", T::Integer },
                          { "first_reading", T::Timestamp },
                          { "last_reading", T::Timestamp },
                          { "active_cgm_percent", T::Real },
                          { "very_low_percent", T::Real },
                          { "low_percent", T::Real },
                          { "in_range_percent", T::Real },
                          { "high_percent", T::Real },
                          { "very_high_percent", T::Real },
                          { "mean_mgdl", T::Real },
                          { "sd_mgdl", T::Real },
                          { "cv_percent", T::Real },
                          { "gmi_percent", T::Real },
                          { "lbgi", T::Real },
                          { "hbgi", T::Real },
                          { "gri", T::Real },
                          { "sufficient", T::Boolean },
                          { "closed_loop_days_percent", T::Real },
                          { "basal_units_per_day", T::Real },
                          { "bolus_units_per_day", T::Real },
                          { "carbs_grams_per_day", T::Real },
                          { "main_device_group", T::Text },
                          { "main_uploader", T::Text },
                          { "source_entity", T::Integer },
                  });
}

Dataset dataQuality()
{
    return listed("data_quality", "day",
                  {
                          { "user_id", T::Integer },
                          { "day", T::Date },
                          { "readings_expected", T::Integer },
                          { "readings_received", T::Integer },
                          { "gaps_over_30_min", T::Integer },
                          { "longest_gap_minutes", T::Real },
                          { "duplicates_dropped", T::Integer },
                          { "values_clamped", T::Integer },
                          { "values_not_numbers", T::Integer },
                          { "bad_lines", T::Integer },
                          { "first_record", T::Timestamp },
                          { "last_record", T::Timestamp },
                          { "uploader", T::Text },
                          { "source_entity", T::Integer },
                  });
}

// The ETL's analytics (migration 0032, etl/analytics.h).
std::vector<Dataset> analytics()
{
    return {
        listed("analytics_glucose_time_of_day", "",
               { { "user_id", T::Integer },
                 { "bin", T::Integer },
                 { "bin_start", T::Text },
                 { "readings", T::Integer },
                 { "mean_mgdl", T::Real },
                 { "mean_mmol", T::Real },
                 { "min_mgdl", T::Real },
                 { "max_mgdl", T::Real },
                 { "source_entity", T::Integer } },
               true, "bin"),
        listed("analytics_loop_type_by_day", "day",
               { { "user_id", T::Integer },
                 { "day", T::Date },
                 { "loop_type", T::Text },
                 { "device_status_rows", T::Integer },
                 { "source_entity", T::Integer } },
               true, "day"),
        listed("analytics_device_groups", "",
               { { "user_id", T::Integer },
                 { "device", T::Text },
                 { "device_group", T::Text },
                 { "entries", T::Integer },
                 { "first_seen", T::Timestamp },
                 { "last_seen", T::Timestamp },
                 { "source_entity", T::Integer } },
               true, "device"),
        listed("analytics_demographics", "",
               { { "user_id", T::Integer },
                 { "ts", T::Timestamp },
                 { "survey", T::Text },
                 { "gender", T::Text },
                 { "ethnicity", T::Text },
                 { "country", T::Text },
                 { "country_corrected", T::Text },
                 { "height_cm", T::Real },
                 { "weight_kg", T::Real },
                 { "age_years", T::Integer },
                 { "age_bracket", T::Text },
                 { "years_since_diagnosed", T::Integer },
                 { "years_since_diagnosed_bracket", T::Text },
                 { "diy_closed_loop_type", T::Text },
                 { "who_uses_the_closed_loop_system", T::Text },
                 { "insulin_units_per_day", T::Real },
                 { "basal_insulin_units_per_day", T::Real },
                 { "carb_grams_per_day", T::Real },
                 { "last_lab_reported_a1c", T::Real } },
               false),
    };
}

} // namespace

QString exportTypeName(ExportType type)
{
    switch (type) {
    case ExportType::Text:
        return QStringLiteral("text");
    case ExportType::Real:
        return QStringLiteral("real");
    case ExportType::Integer:
        return QStringLiteral("integer");
    case ExportType::Boolean:
        return QStringLiteral("boolean");
    case ExportType::Timestamp:
        return QStringLiteral("timestamp");
    case ExportType::Date:
        return QStringLiteral("date");
    case ExportType::Json:
        return QStringLiteral("json");
    }
    return {};
}

const std::vector<Dataset> &datasets()
{
    static const std::vector<Dataset> all = [] {
        std::vector<Dataset> d {
            fromEtl(records::entriesTable(), "date"),
            fromEtl(records::treatmentsTable(), "created_at"),
            fromEtl(records::deviceStatusTable(), "created_at"),
            fromEtl(records::deviceStatusMetricsTable(), "created_at"),
            fromEtl(records::profileTable(), "created_at"),
            demographics(),
            participantSummary(),
            dataQuality(),
        };
        for (Dataset &a : analytics())
            d.push_back(std::move(a));
        return d;
    }();
    return all;
}

const Dataset *findDataset(const QString &name)
{
    for (const Dataset &d : datasets()) {
        if (d.name == name)
            return &d;
    }
    return nullptr;
}

namespace {

records::ColumnDoc docOf(const Dataset &dataset, const ExportColumn &column)
{
    return records::columnDoc(dataset.name, column.name).value_or(records::ColumnDoc {});
}

} // namespace

QString dataDictionaryMarkdown()
{
    QString table = QStringLiteral("| dataset | column | type | unit | privacy | source | description |\n"
                                   "| --- | --- | --- | --- | --- | --- | --- |\n");
    for (const Dataset &d : datasets()) {
        for (const ExportColumn &c : d.columns) {
            const records::ColumnDoc doc = docOf(d, c);
            table += QStringLiteral("| %1 | `%2` | %3 | %4 | %5 | %6 | %7 |\n")
                             .arg(d.name, c.name, exportTypeName(c.type), doc.unit, doc.privacy, doc.source,
                                  doc.description);
        }
    }
    return table;
}

QStringList undocumentedColumns()
{
    QStringList missing;
    for (const Dataset &d : datasets()) {
        for (const ExportColumn &c : d.columns) {
            const auto doc = records::columnDoc(d.name, c.name);
            if (!doc || doc->description.isEmpty() || doc->source.isEmpty() || doc->privacy.isEmpty())
                missing << d.name + QLatin1Char('.') + c.name;
        }
    }
    return missing;
}

QJsonArray datasetsJson()
{
    QJsonArray list;
    for (const Dataset &d : datasets()) {
        QJsonArray columns;
        for (const ExportColumn &c : d.columns) {
            const records::ColumnDoc doc = docOf(d, c);
            columns.append(QJsonObject { { QStringLiteral("name"), c.name },
                                         { QStringLiteral("type"), exportTypeName(c.type) },
                                         { QStringLiteral("unit"), doc.unit },
                                         { QStringLiteral("description"), doc.description },
                                         { QStringLiteral("source"), doc.source },
                                         { QStringLiteral("privacy"), doc.privacy } });
        }
        list.append(QJsonObject {
                { QStringLiteral("name"), d.name },
                { QStringLiteral("columns"), columns },
                { QStringLiteral("time_column"), d.timeColumn.isEmpty() ? QJsonValue() : QJsonValue(d.timeColumn) } });
    }
    return list;
}

QByteArray dataDictionaryCsv()
{
    QByteArray csv = "dataset,column,type,unit,privacy,source,description\n";
    for (const Dataset &d : datasets()) {
        for (const ExportColumn &c : d.columns) {
            const records::ColumnDoc doc = docOf(d, c);
            const QString fields[] = { d.name,      c.name,     exportTypeName(c.type), doc.unit,
                                       doc.privacy, doc.source, doc.description };
            for (const QString &field : fields) {
                if (&field != fields)
                    csv += ',';
                // Empty cells stay empty (no unit), not "" as COPY writes an empty string.
                if (!field.isEmpty())
                    appendCsvField(csv, field.toUtf8());
            }
            csv += '\n';
        }
    }
    return csv;
}

} // namespace openaps::api
