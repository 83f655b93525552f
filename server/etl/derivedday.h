#pragma once

#include "etl/derivedinput.h"
#include "metrics/cgmmetrics.h"
#include "metrics/glucosebins.h"

#include <QMap>
#include <QString>

#include <array>

namespace openaps::etl {

// Entries of one device on one day (analytics_device_groups adds them up).
struct DeviceDay
{
    qint64 entries = 0; // of any type
    qint64 firstMs = 0;
    qint64 lastMs = 0;
    qint64 readings = 0; // sensor glucose that is a positive number (the day's main device group)
};

// Sensor glucose per 15-minute bin of the local day (shared with the
// cohort views, which read the derived days and months).
using metrics::addBins;
using metrics::addTo;
using metrics::BinSum;
using metrics::encodeBins;
using metrics::GlucoseBins;

// One row of derived_days (migration 0140): what the derived datasets add
// up from one LOCAL day of one participant.
struct DerivedDay
{
    qint64 day = 0; // local days since 1970-01-01
    qint64 sgvRows = 0; // sensor glucose rows, used or not
    metrics::Partial cgm; // of the day's sensor glucose (metrics::accumulate)
    QMap<QString, DeviceDay> devices;
    DayActivity activity;
    GlucoseBins bins;
    std::optional<int> sourceEntity; // of the day's entries
};

// What the periods of participant_summary and the device groups add up
// from days: one day's, or a calendar month's (derived_month_sums,
// migration 0190: its days added in day order), so that a period adds up
// its whole months and only the days of the months it cuts.
struct PeriodSums
{
    metrics::Partial cgm;
    qint64 daysWithData = 0; // with a reading used
    QMap<QString, DeviceDay> devices;
    qint64 loopDays = 0; // with device status
    qint64 closedLoopDays = 0;
    qint64 basalDays = 0; // with temp basals
    double basalUnits = 0;
    qint64 treatmentDays = 0;
    double bolusUnits = 0;
    double carbs = 0;
    QHash<QString, qint64> uploaders;
    std::optional<qint64> firstSgvDay; // of the days with sensor glucose rows
    std::optional<qint64> lastSgvDay;
    std::optional<int> sourceEntity; // the highest of the entries'

    void add(const struct DerivedDay &day);
    void add(const PeriodSums &other);
};
// The column sums of derived_month_sums: everything but the source entity
// (a column of its own, which a consent change restamps).
QString encodeSums(const PeriodSums &sums);
PeriodSums decodeSums(const QString &text);

// The days of `input` (every day with entries or activity), computed.
QMap<qint64, DerivedDay> deriveDays(const DerivedInput &input);
// The sensor glucose of one day's entries, in time order.
QList<metrics::Reading> sensorGlucose(const QList<EntryRow> &entries);

// The text forms of the columns devices and uploaders;
// decoding adds to what is there.
QString encodeDevices(const QMap<QString, DeviceDay> &devices);
void addDevices(const QString &text, QMap<QString, DeviceDay> &devices);
QString encodeCounts(const QHash<QString, qint64> &counts);
void addCounts(const QString &text, QHash<QString, qint64> &counts);

} // namespace openaps::etl
