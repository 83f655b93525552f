#pragma once

#include "metrics/entriesanalysis.h"
#include "metrics/localdata.h"
#include "units.h"

#include <QPair>
#include <QStringList>

class QChart;

namespace openaps::desktop {

// A stretch of time on the glucose and loop charts, UTC milliseconds.
struct TimeRange
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
    bool isEmpty() const { return toMs <= fromMs; }
    qint64 span() const { return toMs - fromMs; }
};
// From the first to the last reading, treatment or loop cycle.
TimeRange wholeRange(const metrics::ParticipantAnalysis &participant, const metrics::ParticipantRecords *records);

// The charts of the local view, built from the metrics the core library
// computed; series and bar sets carry object names for tests. The glucose
// and AGP charts shade the target range (series "targetRange"). Glucose is
// drawn in `unit`; the glucose chart shows `range` (empty: everything),
// at most 3,000 points of it (each time bucket's lowest and highest), with
// insulin ("insulin") and carbs ("carbs") as markers when `records` has any
// in the range and the range is at most markerDays long.
inline constexpr int markerDays = 31;
QChart *glucoseChart(const metrics::ParticipantAnalysis &participant, GlucoseUnit unit = GlucoseUnit::MgDl,
                     const metrics::ParticipantRecords *records = nullptr, TimeRange range = {});
// Insulin ("iob", U) and carbs ("cob", g) on board over `range`, from the device status downloads.
QChart *loopChart(const metrics::ParticipantRecords &records, TimeRange range);
// With less data than the consensus asks for (metrics::isSufficient), the
// AGP's title carries the warning agpWarning() gives (empty: enough data).
QChart *agpChart(const metrics::ParticipantAnalysis &participant, GlucoseUnit unit = GlucoseUnit::MgDl);
QString agpWarning(const metrics::Summary &summary);
QChart *rangeChart(const metrics::Summary &summary, GlucoseUnit unit = GlucoseUnit::MgDl);

// The metrics table's rows: (what, value as shown), glucose in `unit`.
QList<QPair<QString, QString>> metricRows(const metrics::Summary &summary, GlucoseUnit unit = GlucoseUnit::MgDl);
// The five bands in chart order, their limits in `unit`.
QStringList bandNames(GlucoseUnit unit = GlucoseUnit::MgDl);
// The consensus target range as written in `unit`: "70–180 mg/dL", "3.9–10.0 mmol/L".
QString targetRangeText(GlucoseUnit unit);

} // namespace openaps::desktop
