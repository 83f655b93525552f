#pragma once

#include "core/result.h"
#include "db/database.h"
#include "db/sqlbatch.h"
#include "etl/fileloader.h"
#include "metrics/cgmmetrics.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace openaps::etl {

// The LOCAL days (days since 1970-01-01) a computation covers: all of a
// participant's days, or `firstDay` to `lastDay` (empty when first > last).
struct ChangedDays
{
    bool everything = true;
    qint64 firstDay = 0;
    qint64 lastDay = 0;

    bool contains(qint64 day) const { return everything || (day >= firstDay && day <= lastDay); }
    bool isEmpty() const { return !everything && firstDay > lastDay; }
};

// One entry row as the derived datasets need it.
struct EntryRow
{
    metrics::Reading reading; // mgdl NaN for a value that is not a number
    QString device; // 'unknown' without one
    bool sensorGlucose = false; // type sgv
    int sourceEntity = 0;
};

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

// What the derived days of one participant are computed from: the rows of
// the days in `changed`, by LOCAL day.
struct DerivedInput
{
    QMap<qint64, QList<EntryRow>> entries; // in time order
    QMap<qint64, DayActivity> days;
    QMap<qint64, DayTally> tallies; // summed over the participant's loaded files
};

// The reads of the rows of the days `changed` covers, added to a batch
// (sql::Batch) that runs inside the caller's transaction; read() after the
// batch ran. Needs analytics_loop_type_by_day of those days refreshed
// first (etl/analytics.h), earlier in the same batch or before it.
class InputReads
{
public:
    InputReads(const db::Database &database, sql::Batch &batch, qint64 userId, const ChangedDays &changed);
    DerivedInput read(const sql::Batch &batch) const;

private:
    ChangedDays m_changed;
    int m_entries = -1;
    int m_treatments = -1;
    int m_temps = -1;
    int m_tempBefore = -1;
    int m_tempAfter = -1;
    int m_loops = -1;
    int m_uploaders = -1;
    int m_tallies = -1;
};

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
