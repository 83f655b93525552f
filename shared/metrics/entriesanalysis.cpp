#include "metrics/entriesanalysis.h"

#include <algorithm>

namespace openaps::metrics {

EntriesAnalysis analyse(EntriesData data)
{
    EntriesAnalysis out;
    out.rows = data.rows;
    out.skipped = data.skipped;
    QList<Reading> pooled;
    for (const QString &id : std::as_const(data.participants)) {
        ParticipantAnalysis p;
        p.participant = id;
        p.readings = data.readings.take(id);
        std::stable_sort(p.readings.begin(), p.readings.end(),
                         [](const Reading &a, const Reading &b) { return a.utcMs < b.utcMs; });
        p.summary = summarize(p.readings);
        p.agp = agp(p.readings);
        out.participants.append(std::move(p));
    }
    // Pooled figures: per-participant duplicates are removed above; readings of
    // different participants at the same instant are distinct readings, so the
    // pool shifts each participant's times apart before summarising.
    qint64 shift = 0;
    for (const ParticipantAnalysis &p : std::as_const(out.participants)) {
        if (p.readings.isEmpty())
            continue;
        const qint64 base = p.readings.first().utcMs;
        for (const Reading &r : p.readings)
            pooled.append({ shift + (r.utcMs - base), r.offsetMinutes, r.mgdl });
        shift += p.readings.last().utcMs - base + cgmIntervalMs;
    }
    out.all = summarize(pooled);
    return out;
}

Result<EntriesAnalysis> analyseEntriesFile(const QString &path, const LoadProgress &progress)
{
    auto data = loadEntriesCsvFile(path, progress);
    if (!data)
        return data.error();
    return analyse(std::move(*data));
}

QList<ChartPoint> downsample(const QList<Reading> &readings, int buckets)
{
    QList<ChartPoint> out;
    if (readings.isEmpty() || buckets <= 0)
        return out;
    if (readings.size() <= 2 * buckets) {
        out.reserve(readings.size());
        for (const Reading &r : readings)
            out.append({ r.utcMs, r.mgdl });
        return out;
    }
    const qint64 first = readings.first().utcMs;
    const qint64 span = std::max<qint64>(1, readings.last().utcMs - first + 1);
    qsizetype i = 0;
    while (i < readings.size()) {
        const qint64 bucket = (readings[i].utcMs - first) * buckets / span;
        qsizetype lo = i, hi = i, j = i;
        while (j < readings.size() && (readings[j].utcMs - first) * buckets / span == bucket) {
            if (readings[j].mgdl < readings[lo].mgdl)
                lo = j;
            if (readings[j].mgdl > readings[hi].mgdl)
                hi = j;
            ++j;
        }
        const qsizetype a = std::min(lo, hi), b = std::max(lo, hi);
        out.append({ readings[a].utcMs, readings[a].mgdl });
        if (b != a)
            out.append({ readings[b].utcMs, readings[b].mgdl });
        i = j;
    }
    return out;
}

} // namespace openaps::metrics
