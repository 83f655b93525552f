#include "standins/nightscoutstore.h"

#include "standins/nightscoutgenerated.h"
#include "standins/nightscoutquery.h"
#include "synthetic/generator.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace openaps::standins {

using ns::Collection;

NightscoutStore::Bucket &NightscoutStore::bucket(Collection collection) const
{
    return m_buckets[int(collection)];
}

QString NightscoutStore::newObjectId()
{
    // Like a MongoDB ObjectId: seconds, then a counter.
    const quint32 seconds = quint32(QDateTime::currentSecsSinceEpoch());
    return QStringLiteral("%1%2").arg(seconds, 8, 16, QLatin1Char('0')).arg(++m_sequence, 16, 16, QLatin1Char('0'));
}

void NightscoutStore::add(Collection collection, const QJsonObject &record)
{
    const nsquery::Key key = nsquery::keyOf(collection, record);
    Stored stored { key.number, key.text, record };
    if (!record.contains(QLatin1String("_id")))
        stored.record.insert(QStringLiteral("_id"), newObjectId());
    Bucket &b = bucket(collection);
    b.sorted.push_back(std::move(stored));
    b.dirty = true;
}

void NightscoutStore::add(Collection collection, const QList<QJsonObject> &records)
{
    bucket(collection).sorted.reserve(bucket(collection).sorted.size() + size_t(records.size()));
    for (const QJsonObject &record : records)
        add(collection, record);
}

void NightscoutStore::seed(const synthetic::Generator &generator, const QDateTime &from, const QDateTime &to)
{
    for (Collection c : { Collection::Entries, Collection::Treatments, Collection::DeviceStatus, Collection::Profiles })
        generator.generate(c, from, to, [this, c](const QJsonObject &record) { add(c, record); });
}

void NightscoutStore::clear()
{
    for (Bucket &b : m_buckets)
        b = Bucket();
}

qsizetype NightscoutStore::size(Collection collection) const
{
    return qsizetype(bucket(collection).sorted.size());
}

void NightscoutStore::sortIfNeeded(Collection collection) const
{
    Bucket &b = bucket(collection);
    if (!b.dirty)
        return;
    std::stable_sort(b.sorted.begin(), b.sorted.end(), [collection](const Stored &x, const Stored &y) {
        return nsquery::keyLess(collection, { x.number, x.text }, { y.number, y.text });
    });
    b.dirty = false;
}

Result<QList<QJsonObject>> NightscoutStore::query(Collection collection, const QUrlQuery &query,
                                                  const QDateTime &now) const
{
    const auto parsed = nsquery::conditions(collection, query, now);
    if (!parsed)
        return parsed.error();
    const QList<nsquery::Condition> &conditions = *parsed;
    const int limit = nsquery::count(collection, query);
    const QString field = ns::dateField(collection);
    const bool numeric = ns::hasNumericDateField(collection);

    sortIfNeeded(collection);
    const std::vector<Stored> &records = bucket(collection).sorted;
    // Start below the tightest upper bound on the date field instead of
    // scanning years of records from the newest.
    auto end = records.end();
    for (const nsquery::Condition &c : conditions) {
        if (c.field != field || (c.op != QLatin1String("lt") && c.op != QLatin1String("lte")))
            continue;
        auto bound = numeric ? std::upper_bound(records.begin(), records.end(), c.number,
                                                [](double v, const Stored &s) { return v < s.number; })
                             : std::upper_bound(records.begin(), records.end(), c.text,
                                                [](const QString &v, const Stored &s) { return v < s.text; });
        end = std::min(end, bound);
    }
    const auto belowLowerBound = [&](const Stored &s) {
        return std::any_of(conditions.cbegin(), conditions.cend(), [&](const nsquery::Condition &c) {
            const bool lower = c.op == QLatin1String("gt") || c.op == QLatin1String("gte");
            return lower && c.field == field && !nsquery::matches(collection, s.record, c);
        });
    };
    QList<QJsonObject> out;
    for (auto it = end; it != records.begin();) {
        --it;
        if (nsquery::matchesAll(collection, it->record, conditions)) {
            out.append(it->record);
            if (limit > 0 && out.size() >= limit)
                break;
        } else if (belowLowerBound(*it)) {
            break; // sorted: nothing older can match
        }
    }
    if (!m_generator)
        return out;

    // Merge with the generated participant, newest first, stored records first on ties.
    const QList<QJsonObject> generated = generatedMatches(*m_generator, collection, conditions, limit, now);
    QList<QJsonObject> merged;
    qsizetype i = 0, j = 0;
    while ((i < out.size() || j < generated.size()) && (limit == 0 || merged.size() < limit)) {
        const bool takeStored = j >= generated.size()
                || (i < out.size()
                    && !nsquery::keyLess(collection, nsquery::keyOf(collection, out[i]),
                                         nsquery::keyOf(collection, generated[j])));
        merged.append(takeStored ? out[i++] : generated[j++]);
    }
    return merged;
}

QList<QJsonObject> NightscoutStore::allProfiles() const
{
    // profile.json ignores find and count: a query with neither, no default window.
    return query(Collection::Profiles, QUrlQuery(), QDateTime()).value();
}

} // namespace openaps::standins
