#pragma once

#include <QTimeZone>

#include <optional>
#include <vector>

namespace openaps::etl {

// The time zones a participant's Nightscout profiles named, each from the
// profile's start. Gives the UTC offset at an instant for records that state
// none themselves (DST included: the offset is the zone's at that instant).
class TimeZoneHistory
{
public:
    // `zoneId` as found in a profile ("America/Los_Angeles", "ETC/GMT+5").
    // Unknown zones are ignored; returns whether the zone was recognised.
    bool add(qint64 fromMs, const QString &zoneId);
    bool isEmpty() const { return m_zones.empty(); }

    // Offset in minutes (local = UTC + offset), or nullopt without zones.
    // Before the first profile the first zone applies.
    std::optional<int> offsetAt(qint64 ms) const;

    // The IANA zone for a profile's spelling, matching case-insensitively.
    static std::optional<QTimeZone> zoneFor(const QString &zoneId);

private:
    struct Span
    {
        qint64 from;
        QTimeZone zone;
    };
    std::vector<Span> m_zones; // sorted by `from`
    // The last interval with a constant offset, so a run of records costs
    // one zone look-up per DST period rather than one per record.
    mutable const QTimeZone *m_cachedZone = nullptr;
    mutable qint64 m_cacheFrom = 0;
    mutable qint64 m_cacheTo = -1;
    mutable int m_cachedOffset = 0;
};

} // namespace openaps::etl
