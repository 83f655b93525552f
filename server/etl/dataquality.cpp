#include "etl/dataquality.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace openaps::etl {

DayQuality dayQuality(const DerivedDay &day, const QList<EntryRow> &entries, const DayTally &tally,
                      const QHash<QString, QString> &groupOf)
{
    DayQuality q;
    q.day = day.day;
    q.expected = expectedReadingsPerDay;
    const metrics::Partial &s = day.cgm;
    q.received = int(s.readings);
    q.clamped = int(s.clamped);
    q.notNumbers = int(s.dropped);
    // Stored rows are one per instant already; what the files held
    // beyond them was dropped as a duplicate on loading.
    q.duplicatesDropped = s.duplicates + std::max<qint64>(0, tally.readings - day.sgvRows);
    q.badLines = tally.badLines;
    if (!s.isEmpty()) {
        q.firstUtcMs = s.firstUtcMs;
        q.lastUtcMs = s.lastUtcMs;
    }
    qint64 previous = -1;
    qint64 longest = -1;
    for (const EntryRow &row : entries) {
        const metrics::Reading &r = row.reading;
        if (!row.sensorGlucose || !std::isfinite(r.mgdl) || r.mgdl <= 0)
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
    q.uploader = mostCommon(day.activity.uploaders);
    if (q.uploader.isEmpty()) {
        QHash<QString, qint64> groups;
        for (auto it = day.devices.cbegin(); it != day.devices.cend(); ++it) {
            const QString group = groupOf.value(it.key());
            if (it->readings > 0 && !group.isEmpty())
                groups[group] += it->readings;
        }
        q.uploader = mostCommon(groups);
    }
    return q;
}

} // namespace openaps::etl
