#pragma once

#include "core/result.h"
#include "db/database.h"
#include "etl/fileloader.h"
#include "metrics/cgmmetrics.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>
#include <vector>

namespace openaps::etl {

// Treatments and device status of one LOCAL day, summed.
struct DayActivity
{
    bool hasTreatments = false;
    double bolusUnits = 0; // treatments with insulin
    double carbs = 0; // grams
    std::optional<double> basalUnits; // delivered by the temp basals recorded; empty without any
    std::optional<bool> closedLoop; // analytics_loop_type_by_day; empty without device status
    QHash<QString, qint64> uploaders; // device_status.device (a family) → rows
};

// Everything the derived datasets of one participant are computed from.
// Days are LOCAL calendar days as days since 1970-01-01.
struct DerivedInput
{
    // Sensor glucose (entries of type sgv) in time order, with values that
    // are not numbers as NaN (metrics::summarize drops and counts them).
    QList<metrics::Reading> readings;
    std::vector<qint64> readingDay; // localDay of each reading
    std::vector<int> readingGroup; // index into deviceGroups
    QStringList deviceGroups; // analytics_device_groups: xDrip, Libre, ...
    QMap<qint64, DayActivity> days;
    QMap<qint64, DayTally> tallies; // summed over the participant's loaded files
    int sourceEntity = 0;
};

// Reads a participant's input inside the caller's transaction on `db`.
// Needs the participant's analytics (etl/analytics.h) refreshed first.
Result<DerivedInput> readDerivedInput(const db::Database &database, const QSqlDatabase &db, qint64 userId);

// Insulin of temp basals: each runs for its duration or until the next one
// starts, whichever is first, at its absolute rate (else `rate`), split
// into the local days it spans. `temps` are (utc ms, offset min, U/h,
// minutes) in time order; the result maps local day → units.
struct TempBasal
{
    qint64 utcMs = 0;
    int offsetMinutes = 0;
    double unitsPerHour = 0;
    double minutes = 0;
};
QMap<qint64, double> basalByDay(const QList<TempBasal> &temps);

// The key counted most often (the smallest of a tie); a default key without counts.
template <typename Key> Key mostCommon(const QHash<Key, qint64> &counts)
{
    Key best {};
    qint64 most = 0;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > most || (it.value() == most && it.key() < best)) {
            best = it.key();
            most = it.value();
        }
    }
    return best;
}

} // namespace openaps::etl
