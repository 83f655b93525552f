#include "records/researchtables.h"

namespace openaps::records {

namespace {

using T = ColumnType;

TableSpec makeSpec(const char *name, std::vector<Column> columns, QStringList key, TableSpec::OnDuplicate onDuplicate,
                   int count)
{
    Q_ASSERT(int(columns.size()) == count);
    Q_UNUSED(count);
    TableSpec spec { name, std::move(columns), std::move(key), onDuplicate, -1, {} };
    auto index = [&spec](const QString &column) {
        for (size_t i = 0; i < spec.columns.size(); ++i) {
            if (column == QLatin1String(spec.columns[i].name))
                return int(i);
        }
        return -1;
    };
    spec.rawJsonColumn = index(QStringLiteral("raw_json"));
    std::vector<int> primary;
    for (const QString &k : std::as_const(spec.key))
        primary.push_back(index(k));
    spec.uniqueKeys.push_back(primary);
    // Matches the unique index entries_user_type_date (0001_initial).
    if (qstrcmp(name, "entries") == 0)
        spec.uniqueKeys.push_back(
                { index(QStringLiteral("user_id")), index(QStringLiteral("type")), index(QStringLiteral("date")) });
    return spec;
}

} // namespace

QString TableSpec::columnList() const
{
    QString list;
    for (const Column &c : columns) {
        if (!list.isEmpty())
            list += QLatin1String(", ");
        list += QLatin1Char('"') + QLatin1String(c.name) + QLatin1Char('"');
    }
    return list;
}

const TableSpec &entriesTable()
{
    static const TableSpec spec = makeSpec("entries", { { "user_id", T::Integer },   { "id", T::Text },
                                                        { "sgv", T::Real },          { "direction", T::Text },
                                                        { "device", T::Text },       { "type", T::Text },
                                                        { "rssi", T::Real },         { "rawbg", T::Real },
                                                        { "trend", T::Text },        { "glucose", T::Real },
                                                        { "mbg", T::Real },          { "delta", T::Real },
                                                        { "filtered", T::Real },     { "unfiltered", T::Real },
                                                        { "noise", T::Real },        { "scale", T::Real },
                                                        { "slope", T::Real },        { "intercept", T::Real },
                                                        { "system_time", T::Text },  { "source_entity", T::Integer },
                                                        { "raw_json", T::Json },     { "date", T::Timestamp },
                                                        { "utc_offset", T::Integer } },
                                           { QStringLiteral("user_id"), QStringLiteral("id") },
                                           TableSpec::OnDuplicate::Ignore, EntryCol::Count);
    return spec;
}

const TableSpec &treatmentsTable()
{
    static const TableSpec spec = makeSpec("treatments", { { "user_id", T::Integer },   { "id", T::Text },
                                                           { "event_type", T::Text },   { "timestamp", T::Timestamp },
                                                           { "insulin", T::Real },      { "carbs", T::Real },
                                                           { "protein", T::Real },      { "fat", T::Real },
                                                           { "glucose", T::Real },      { "glucose_type", T::Text },
                                                           { "food_type", T::Text },    { "temp", T::Text },
                                                           { "rate", T::Real },         { "duration", T::Real },
                                                           { "units", T::Text },        { "amount", T::Real },
                                                           { "absolute", T::Real },     { "medtronic", T::Text },
                                                           { "type", T::Text },         { "absorption_time", T::Real },
                                                           { "unabsorbed", T::Real },   { "ratio", T::Real },
                                                           { "target_top", T::Real },   { "target_bottom", T::Real },
                                                           { "fixed", T::Real },        { "programmed", T::Text },
                                                           { "reason", T::Text },       { "notes", T::Text },
                                                           { "entered_by", T::Text },   { "source_entity", T::Integer },
                                                           { "raw_json", T::Json },     { "created_at", T::Timestamp },
                                                           { "utc_offset", T::Integer } },
                                           { QStringLiteral("user_id"), QStringLiteral("id") },
                                           TableSpec::OnDuplicate::UpdateIfChanged, TreatmentCol::Count);
    return spec;
}

const TableSpec &deviceStatusTable()
{
    static const TableSpec spec = makeSpec("device_status",
                                           { { "user_id", T::Integer },
                                             { "id", T::Text },
                                             { "device", T::Text },
                                             { "pump_id", T::Text },
                                             { "pump_bolusing", T::Bool },
                                             { "pump_suspended", T::Bool },
                                             { "pump_model", T::Text },
                                             { "loop_cob", T::Real },
                                             { "loop_iob", T::Real },
                                             { "loop_version", T::Text },
                                             { "loop_failure_reason", T::Text },
                                             { "snooze", T::Text },
                                             { "override_active", T::Bool },
                                             { "source_entity", T::Integer },
                                             { "raw_json", T::Json },
                                             { "created_at", T::Timestamp },
                                             { "utc_offset", T::Integer } },
                                           { QStringLiteral("user_id"), QStringLiteral("id") },
                                           TableSpec::OnDuplicate::UpdateIfChanged, DeviceStatusCol::Count);
    return spec;
}

const TableSpec &deviceStatusMetricsTable()
{
    static const TableSpec spec = makeSpec("device_status_metrics",
                                           { { "user_id", T::Integer },
                                             { "device_status_id", T::Text },
                                             { "iob_iob", T::Real },
                                             { "iob_activity", T::Real },
                                             { "iob_basal_iob", T::Real },
                                             { "iob_bolus_iob", T::Real },
                                             { "iob_net_basal_insulin", T::Real },
                                             { "iob_bolus_insulin", T::Real },
                                             { "iob_timestamp", T::Timestamp },
                                             { "suggested_temp", T::Text },
                                             { "suggested_bg", T::Real },
                                             { "suggested_tick", T::Text },
                                             { "suggested_eventual_bg", T::Real },
                                             { "suggested_insulin_req", T::Real },
                                             { "suggested_reservoir", T::Real },
                                             { "suggested_cob", T::Real },
                                             { "suggested_iob", T::Real },
                                             { "enacted_temp", T::Text },
                                             { "enacted_bg", T::Real },
                                             { "enacted_tick", T::Text },
                                             { "enacted_eventual_bg", T::Real },
                                             { "enacted_insulin_req", T::Real },
                                             { "enacted_reservoir", T::Text },
                                             { "enacted_cob", T::Real },
                                             { "enacted_iob", T::Real },
                                             { "enacted_duration", T::Real },
                                             { "enacted_rate", T::Real },
                                             { "enacted_timestamp", T::Timestamp },
                                             { "source_entity", T::Integer },
                                             { "created_at", T::Timestamp },
                                             { "utc_offset", T::Integer } },
                                           { QStringLiteral("user_id"), QStringLiteral("device_status_id") },
                                           TableSpec::OnDuplicate::UpdateIfChanged, MetricsCol::Count);
    return spec;
}

const TableSpec &profileTable()
{
    static const TableSpec spec = makeSpec("profile",
                                           { { "user_id", T::Integer },
                                             { "id", T::Text },
                                             { "default_profile", T::Text },
                                             { "mills", T::Integer },
                                             { "units", T::Text },
                                             { "timezone", T::Text },
                                             { "start_date", T::Timestamp },
                                             { "source_entity", T::Integer },
                                             { "raw_json", T::Json },
                                             { "created_at", T::Timestamp },
                                             { "utc_offset", T::Integer } },
                                           { QStringLiteral("user_id"), QStringLiteral("id") },
                                           TableSpec::OnDuplicate::UpdateIfChanged, ProfileCol::Count);
    return spec;
}

const TableSpec &tableFor(records::DataType type)
{
    switch (type) {
    case records::DataType::Entries:
        return entriesTable();
    case records::DataType::Treatments:
        return treatmentsTable();
    case records::DataType::DeviceStatus:
        return deviceStatusTable();
    case records::DataType::Profile:
        return profileTable();
    }
    return entriesTable();
}

QStringList researchTables()
{
    return { QStringLiteral("entries"), QStringLiteral("treatments"), QStringLiteral("device_status"),
             QStringLiteral("device_status_metrics"), QStringLiteral("profile") };
}

} // namespace openaps::records
