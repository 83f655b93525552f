#include "etl/dataquality.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace openaps::etl {

namespace { } // namespace

QList<DayQuality> dayQuality(const DerivedInput &in, const ChangedDays &changed)
{
    const auto wanted = [&changed](qint64 day) {
        return changed.everything || (day >= changed.firstDay && day <= changed.lastDay);
    };
    // The readings of each wanted day (readings are in time order).
    QMap<qint64, QList<metrics::Reading>> readings;
    QMap<qint64, QHash<int, qint64>> groups;
    for (size_t i = 0; i < in.readingDay.size(); ++i) {
        const qint64 day = in.readingDay[i];
        if (!wanted(day))
            continue;
        readings[day].append(in.readings[qsizetype(i)]);
        if (in.readingGroup[i] >= 0)
            ++groups[day][in.readingGroup[i]];
    }
    for (auto it = in.tallies.cbegin(); it != in.tallies.cend(); ++it) {
        if (wanted(it.key()))
            readings[it.key()]; // a day of bad lines only
    }

    QList<DayQuality> out;
    for (auto it = readings.cbegin(); it != readings.cend(); ++it) {
        DayQuality q;
        q.day = it.key();
        q.expected = expectedReadingsPerDay;
        const metrics::Summary s = metrics::summarize(it.value());
        q.received = s.readings;
        q.clamped = s.clamped;
        q.notNumbers = s.dropped;
        const DayTally tally = in.tallies.value(q.day);
        // Stored rows are one per instant already; what the files held
        // beyond them was dropped as a duplicate on loading.
        q.duplicatesDropped = s.duplicates + std::max<qint64>(0, tally.readings - qint64(it.value().size()));
        q.badLines = tally.badLines;
        if (!s.isEmpty()) {
            q.firstUtcMs = s.firstUtcMs;
            q.lastUtcMs = s.lastUtcMs;
        }
        qint64 previous = -1;
        qint64 longest = -1;
        for (const metrics::Reading &r : it.value()) {
            if (!std::isfinite(r.mgdl) || r.mgdl <= 0)
                continue;
            if (previous >= 0 && r.utcMs > previous) {
                const qint64 gap = r.utcMs - previous;
                longest = std::max(longest, gap);
                q.gapsOver30 += gap > gapLimitMs ? 1 : 0;
            }
            previous = r.utcMs;
        }
        if (longest >= 0)
            q.longestGapMinutes = double(longest) / 60000.0;
        const DayActivity activity = in.days.value(q.day);
        q.uploader = mostCommon(activity.uploaders);
        if (q.uploader.isEmpty() && groups.contains(q.day))
            q.uploader = in.deviceGroups.value(mostCommon(groups.value(q.day)));
        out.append(q);
    }
    return out;
}

} // namespace openaps::etl
