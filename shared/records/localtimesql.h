#pragma once

#include <QString>

// SQL for the participant's LOCAL time of a UTC timestamp column of a
// research table: UTC + its `utc_offset` (minutes; rows without one count
// as UTC), for each backend. The analytics the ETL builds and the cohort
// views the researcher API computes use the same expressions.
namespace openaps::records {

struct LocalTimeSql
{
    QString minuteOfDay; // 0..1439 of column %1
    QString day; // the local calendar day of column %1
    QString binLabel; // "HH:MM" of the 15-minute bin %1

    static LocalTimeSql forBackend(bool postgres);
};

} // namespace openaps::records
