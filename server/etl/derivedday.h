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
