#include "standins/nightscoutgenerated.h"

#include "synthetic/generator.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace openaps::standins {

using ns::Collection;
using nsquery::Key;

namespace {

constexpr qint64 kDayMs = 24LL * 3600 * 1000;
// More than the largest UTC offset (14 h): a record's text is its wall clock.
constexpr qint64 kTextSlackMs = 15LL * 3600 * 1000;

// The instant a text bound stands for, when it reads as one.
std::optional<qint64> instantOf(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid()) {
        const QDate date = QDate::fromString(text.left(10), Qt::ISODate);
        if (!date.isValid())
            return std::nullopt;
        t = QDateTime(date, QTime(0, 0), Qt::UTC);
    }
    return t.toMSecsSinceEpoch();
}

} // namespace

QList<QJsonObject> generatedMatches(const synthetic::Generator &generator, Collection collection,
                                    const QList<nsquery::Condition> &conditions, int limit, const QDateTime &now)
{
    const bool numeric = ns::hasNumericDateField(collection);
    const QString field = ns::dateField(collection);
    const qint64 slack = numeric ? 0 : kTextSlackMs;
    qint64 lo = generator.options().start.toMSecsSinceEpoch();
    qint64 hi = generator.options().end.toMSecsSinceEpoch();
    // A real site holds nothing from the future: the demo's generators run
    // ahead so that data keeps "arriving" as the clock moves on.
    if (now.isValid())
        hi = std::min(hi, now.toMSecsSinceEpoch() + 1);
    for (const nsquery::Condition &c : conditions) {
        if (c.field != field)
            continue;
        const std::optional<qint64> bound = numeric
                ? (std::isnan(c.number) ? std::nullopt : std::optional<qint64>(qint64(c.number)))
                : instantOf(c.text);
        if (!bound)
            continue;
        if (c.op != QLatin1String("gt") && c.op != QLatin1String("gte"))
            hi = std::min(hi, *bound + slack + 1);
        if (c.op != QLatin1String("lt") && c.op != QLatin1String("lte"))
            lo = std::max(lo, *bound - slack);
    }

    using Found = std::vector<std::pair<Key, QJsonObject>>;
    std::vector<Found> chunks; // newest chunk first
    size_t total = 0;
    // Newest first, a day at a time, until `limit` records are certain to be
    // the newest: nothing generated later (older instants) can sort above them.
    const qint64 chunk = collection == Collection::Profiles ? std::max<qint64>(1, hi - lo) : kDayMs;
    for (qint64 end = hi; end > lo;) {
        const qint64 start = std::max(lo, end - chunk);
        Found &found = chunks.emplace_back();
        generator.generate(collection, QDateTime::fromMSecsSinceEpoch(start, Qt::UTC),
                           QDateTime::fromMSecsSinceEpoch(end, Qt::UTC), [&](const QJsonObject &record) {
                               if (nsquery::matchesAll(collection, record, conditions))
                                   found.emplace_back(nsquery::keyOf(collection, record), record);
                           });
        total += found.size();
        end = start;
        if (limit > 0 && total >= size_t(limit)) {
            const QDateTime edge = QDateTime::fromMSecsSinceEpoch(start + slack, Qt::UTC);
            const Key safe { double(start), ns::isoUtc(edge) };
            size_t certain = 0;
            for (const Found &c : chunks)
                certain += size_t(std::count_if(c.cbegin(), c.cend(), [&](const auto &f) {
                    return !nsquery::keyLess(collection, f.first, safe);
                }));
            if (certain >= size_t(limit))
                break;
        }
    }
    // Oldest first in generation order, sorted by key, then reversed: ties
    // come out as a stored list of the same records would give them.
    Found all;
    all.reserve(total);
    for (auto c = chunks.rbegin(); c != chunks.rend(); ++c)
        std::move(c->begin(), c->end(), std::back_inserter(all));
    std::stable_sort(all.begin(), all.end(), [collection](const auto &a, const auto &b) {
        return nsquery::keyLess(collection, a.first, b.first);
    });
    QList<QJsonObject> out;
    out.reserve(qsizetype(limit > 0 ? std::min(all.size(), size_t(limit)) : all.size()));
    for (auto it = all.rbegin(); it != all.rend() && (limit == 0 || out.size() < limit); ++it)
        out.append(std::move(it->second));
    return out;
}

} // namespace openaps::standins
