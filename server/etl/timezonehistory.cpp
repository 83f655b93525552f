#include "etl/timezonehistory.h"

#include <QDateTime>
#include <QHash>

#include <algorithm>
#include <limits>

namespace openaps::etl {

std::optional<QTimeZone> TimeZoneHistory::zoneFor(const QString &zoneId)
{
    const QByteArray id = zoneId.trimmed().toUtf8();
    if (id.isEmpty())
        return std::nullopt;
    if (QTimeZone zone(id); zone.isValid())
        return zone;
    // Profiles carry hand-typed spellings such as "ETC/GMT+5"; the system
    // list lacks the Etc/ zones, which QTimeZone still knows by exact name.
    static const QHash<QByteArray, QByteArray> byLowerCase = [] {
        QHash<QByteArray, QByteArray> map;
        QList<QByteArray> ids = QTimeZone::availableTimeZoneIds();
        ids << "Etc/GMT"
            << "Etc/UTC";
        for (int hours = 1; hours <= 14; ++hours) {
            ids << "Etc/GMT-" + QByteArray::number(hours);
            if (hours <= 12)
                ids << "Etc/GMT+" + QByteArray::number(hours);
        }
        for (const QByteArray &known : ids)
            map.insert(known.toLower(), known);
        return map;
    }();
    const auto it = byLowerCase.constFind(id.toLower());
    if (it == byLowerCase.constEnd())
        return std::nullopt;
    return QTimeZone(it.value());
}

bool TimeZoneHistory::add(qint64 fromMs, const QString &zoneId)
{
    auto zone = zoneFor(zoneId);
    if (!zone || !zone->isValid())
        return false;
    const auto at = std::upper_bound(m_zones.begin(), m_zones.end(), fromMs,
                                     [](qint64 ms, const Span &s) { return ms < s.from; });
    m_zones.insert(at, Span { fromMs, *zone });
    m_cachedZone = nullptr;
    return true;
}

std::optional<int> TimeZoneHistory::offsetAt(qint64 ms) const
{
    if (m_zones.empty())
        return std::nullopt;
    const auto after = std::upper_bound(m_zones.begin(), m_zones.end(), ms,
                                        [](qint64 v, const Span &s) { return v < s.from; });
    const size_t index = after == m_zones.begin() ? 0 : size_t(after - m_zones.begin()) - 1;
    const Span &span = m_zones[index];
    if (m_cachedZone == &span.zone && ms >= m_cacheFrom && ms < m_cacheTo)
        return m_cachedOffset;

    constexpr qint64 lowest = std::numeric_limits<qint64>::min();
    constexpr qint64 highest = std::numeric_limits<qint64>::max();
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    const int offset = span.zone.offsetFromUtc(at) / 60;
    const auto previous = span.zone.previousTransition(at.addMSecs(1));
    const auto next = span.zone.nextTransition(at);
    // Valid until the zone's next transition or the next profile's start.
    m_cacheFrom = previous.atUtc.isValid() ? previous.atUtc.toMSecsSinceEpoch() : lowest;
    m_cacheTo = next.atUtc.isValid() ? next.atUtc.toMSecsSinceEpoch() : highest;
    if (index > 0)
        m_cacheFrom = std::max(m_cacheFrom, span.from);
    if (index + 1 < m_zones.size())
        m_cacheTo = std::min(m_cacheTo, m_zones[index + 1].from);
    m_cachedZone = &span.zone;
    m_cachedOffset = offset;
    return offset;
}

} // namespace openaps::etl
