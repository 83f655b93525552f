#include "metrics/entriesanalysis.h"

#include <algorithm>

namespace openaps::metrics {

EntriesAnalysis analyse(EntriesData data)
{
    EntriesAnalysis out;
    out.rows = data.rows;
    out.skipped = data.skipped;
    for (const QString &id : std::as_const(data.participants)) {
        ParticipantAnalysis p;
        p.participant = id;
        p.readings = data.readings.take(id);
        const auto earlier = [](const Reading &a, const Reading &b) { return a.utcMs < b.utcMs; };
        if (!std::is_sorted(p.readings.begin(), p.readings.end(), earlier)) // the API sends them sorted
            std::stable_sort(p.readings.begin(), p.readings.end(), earlier);
        p.summary = summarize(p.readings);
        p.agp = agp(p.readings);
        out.participants.append(std::move(p));
    }
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
