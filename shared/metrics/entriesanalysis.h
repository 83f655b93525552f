#pragma once

#include "core/result.h"
#include "metrics/cgmmetrics.h"
#include "metrics/entriescsv.h"

#include <QList>

namespace openaps::metrics {

// What the desktop app charts for one participant: the readings in time
// order and their metrics, computed once when a file is loaded.
struct ParticipantAnalysis
{
    QString participant;
    QList<Reading> readings; // sorted by time
    Summary summary;
    std::array<AgpBin, agpBinCount> agp;
};

struct EntriesAnalysis
{
    QList<ParticipantAnalysis> participants;
    qint64 rows = 0;
    qint64 skipped = 0;
};

// Loads an entries CSV and computes everything the charts and the metrics
// table show. Heavy: call it off the GUI thread. `progress` as in loadEntriesCsv.
Result<EntriesAnalysis> analyseEntriesFile(const QString &path, const LoadProgress &progress = {});
EntriesAnalysis analyse(EntriesData data);

// Points for a line chart of `readings` (sorted): at most 2 x `buckets`
// points, keeping each time bucket's lowest and highest reading so that
// lows and highs stay visible however long the period.
struct ChartPoint
{
    qint64 utcMs;
    double mgdl;
};
QList<ChartPoint> downsample(const QList<Reading> &readings, int buckets);

} // namespace openaps::metrics
