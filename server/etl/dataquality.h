#pragma once

#include "etl/derivedday.h"

#include <QList>
#include <QString>

#include <optional>

namespace openaps::etl {

// One row of data_quality (migration 0101): how complete and clean one
// LOCAL day of a participant's CGM data is.
struct DayQuality
{
    qint64 day = 0; // local days since 1970-01-01
    int expected = 0; // one reading per 5 minutes
    int received = 0; // readings used (metrics::Summary::readings)
    int gapsOver30 = 0; // between two readings of the day
    std::optional<double> longestGapMinutes; // between two readings of the day; empty below two
    qint64 duplicatesDropped = 0; // readings delivered in the files less those stored, and repeats
    int clamped = 0; // outside 39..400 mg/dL
    int notNumbers = 0; // sgv that is not a positive number
    qint64 badLines = 0; // unreadable records of the files, by the day of the record before them
    std::optional<qint64> firstUtcMs; // first and last reading of the day
    std::optional<qint64> lastUtcMs;
    QString uploader; // the device status family of most records, else the device group of most readings
};

constexpr int expectedReadingsPerDay = 24 * 12;
constexpr qint64 gapLimitMs = 30 * 60 * 1000;

// The row of one day: `day` with the readings of its entries (metrics::
// accumulate's counts), `tally` what the files held for it, and `groupOf`
// device → device group for the uploader when the day has no device status.
DayQuality dayQuality(const DerivedDay &day, const QList<EntryRow> &entries, const DayTally &tally,
                      const QHash<QString, QString> &groupOf);

} // namespace openaps::etl
