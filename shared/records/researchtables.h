#pragma once

#include "records/datatype.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace openaps::records {

enum class ColumnType : quint8 { Text, Real, Integer, Bool, Timestamp, Json };

struct Column
{
    const char *name;
    ColumnType type;
};

// A research table as the loaders see it: the columns the ETL writes (all
// but seq_id), in the order of the Col enums below, and how duplicates of
// its unique key are treated. The researcher API exports the same columns,
// so this schema is the contract between the ETL and the API.
struct TableSpec
{
    enum class OnDuplicate {
        Ignore, // entries: readings do not change; a duplicate is dropped
        UpdateIfChanged, // the newest version of a document wins
    };
    const char *name;
    std::vector<Column> columns;
    QStringList key; // the unique key an upsert targets
    OnDuplicate onDuplicate;
    int rawJsonColumn = -1; // compared to decide whether a row changed
    // Column indexes of every unique constraint (entries has two: the
    // document id and type + instant).
    std::vector<std::vector<int>> uniqueKeys;

    QString columnList() const; // quoted, comma-separated
};

namespace EntryCol {
enum {
    UserId,
    Id,
    Sgv,
    Direction,
    Device,
    Type,
    Rssi,
    Rawbg,
    Trend,
    Glucose,
    Mbg,
    Delta,
    Filtered,
    Unfiltered,
    Noise,
    Scale,
    Slope,
    Intercept,
    SystemTime,
    SourceEntity,
    RawJson,
    Date,
    UtcOffset,
    Count
};
}
namespace TreatmentCol {
enum {
    UserId,
    Id,
    EventType,
    Timestamp,
    Insulin,
    Carbs,
    Protein,
    Fat,
    Glucose,
    GlucoseType,
    FoodType,
    Temp,
    Rate,
    Duration,
    Units,
    Amount,
    Absolute,
    Medtronic,
    Type,
    AbsorptionTime,
    Unabsorbed,
    Ratio,
    TargetTop,
    TargetBottom,
    Fixed,
    Programmed,
    Reason,
    Notes,
    EnteredBy,
    SourceEntity,
    RawJson,
    CreatedAt,
    UtcOffset,
    Count
};
}
namespace DeviceStatusCol {
enum {
    UserId,
    Id,
    Device,
    PumpId,
    PumpBolusing,
    PumpSuspended,
    PumpModel,
    LoopCob,
    LoopIob,
    LoopVersion,
    LoopFailureReason,
    Snooze,
    OverrideActive,
    SourceEntity,
    RawJson,
    CreatedAt,
    UtcOffset,
    Count
};
}
namespace MetricsCol {
enum {
    UserId,
    DeviceStatusId,
    IobIob,
    IobActivity,
    IobBasalIob,
    IobBolusIob,
    IobNetBasalInsulin,
    IobBolusInsulin,
    IobTimestamp,
    SuggestedTemp,
    SuggestedBg,
    SuggestedTick,
    SuggestedEventualBg,
    SuggestedInsulinReq,
    SuggestedReservoir,
    SuggestedCob,
    SuggestedIob,
    EnactedTemp,
    EnactedBg,
    EnactedTick,
    EnactedEventualBg,
    EnactedInsulinReq,
    EnactedReservoir,
    EnactedCob,
    EnactedIob,
    EnactedDuration,
    EnactedRate,
    EnactedTimestamp,
    SourceEntity,
    CreatedAt,
    UtcOffset,
    Count
};
}
namespace ProfileCol {
enum {
    UserId,
    Id,
    DefaultProfile,
    Mills,
    Units,
    Timezone,
    StartDate,
    SourceEntity,
    RawJson,
    CreatedAt,
    UtcOffset,
    Count
};
}

const TableSpec &entriesTable();
const TableSpec &treatmentsTable();
const TableSpec &deviceStatusTable();
const TableSpec &deviceStatusMetricsTable();
const TableSpec &profileTable();
const TableSpec &tableFor(records::DataType type);

// Every table holding a participant's research rows (user_id), for consent
// changes and erasure.
QStringList researchTables();

} // namespace openaps::records
