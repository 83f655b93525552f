#pragma once

#include "etl/derivedday.h"
#include "metrics/cgmmetrics.h"

#include <QList>
#include <QString>

#include <optional>

namespace openaps::etl {

// One row of participant_summary (migration 0100): the metrics of a period
// of local days, computed by shared/metrics exactly as the desktop app
// computes them for the same readings: the partial sums of the period's
// days added up and finished (metrics::finish).
struct PeriodSummary
{
    QString period; // all | month | last_14_days | last_90_days
    qint64 firstDay = 0; // local days since 1970-01-01, inclusive
    qint64 lastDay = 0;
    metrics::Summary metrics;
    int daysWithData = 0; // local days with at least one reading used
    bool sufficient = false; // metrics::isSufficient
    std::optional<double> closedLoopDaysPercent; // of the days with device status
    std::optional<double> basalUnitsPerDay; // over the days with temp basals
    std::optional<double> bolusUnitsPerDay; // over the days with treatments
    std::optional<double> carbsPerDay; // over the days with treatments
    QString mainDeviceGroup; // of the readings; empty: none known
    QString mainUploader; // of the device status rows; empty: none
};

// The rolling periods end with the local day of the newest reading.
constexpr int shortWindowDays = 14;
constexpr int longWindowDays = 90;

// The whole-history and rolling periods of a participant and the calendar
// months that overlap `changed` and have readings, from `months` (all of
// the participant's month sums) and `days` (at least the days of the
// months those periods cut: a period adds up its whole months and the
// days of the others, so that any computation of it adds the same numbers
// in the same order). `groupOf` maps a device to its device group
// (analytics_device_groups).
QList<PeriodSummary> summarizePeriods(const QMap<qint64, DerivedDay> &days, const QMap<qint64, PeriodSums> &months,
                                      const ChangedDays &changed, const QHash<QString, QString> &groupOf);
// The sums of each month (first day → sums) of `days`, added in day order.
QMap<qint64, PeriodSums> monthSums(const QMap<qint64, DerivedDay> &days);
// The month of a local day as its first and last day.
std::pair<qint64, qint64> monthOf(qint64 day);

} // namespace openaps::etl
