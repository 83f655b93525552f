#include "standins/nightscoutstore.h"

#include "synthetic/generator.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <limits>

namespace openaps::standins {

using ns::Collection;

namespace {

constexpr double kNoNumber = std::numeric_limits<double>::quiet_NaN();

bool numericField(Collection collection, const QString &field)
{
    // Nightscout turns these query values into numbers for entries.
    return collection == Collection::Entries
            && (field == QLatin1String("date") || field == QLatin1String("sgv")
                || field == QLatin1String("mbg"));
}

// One find[...] condition.
struct Condition
{
    QString field;
    QString op; // eq, gt, gte, lt, lte
    QString text;
    double number = kNoNumber;
};

template <typename T>
bool compare(const T &value, const QString &op, const T &bound)
{
    if (op == QLatin1String("gt")) return value > bound;
    if (op == QLatin1String("gte")) return value >= bound;
    if (op == QLatin1String("lt")) return value < bound;
    if (op == QLatin1String("lte")) return value <= bound;
    return value == bound;
}

// MongoDB compares only values of the same type: a string `date` never
// matches a number, a number `created_at` never matches a string.
bool matches(Collection collection, const QJsonObject &record, const Condition &c)
{
    const QJsonValue value = record.value(c.field);
    if (numericField(collection, c.field))
        return value.isDouble() && !std::isnan(c.number) && compare(value.toDouble(), c.op, c.number);
    if (value.isString())
        return compare(value.toString(), c.op, c.text);
    if (value.isDouble() && c.op == QLatin1String("eq"))
        return value.toDouble() == c.text.toDouble();
    if (value.isBool() && c.op == QLatin1String("eq"))
        return (value.toBool() ? QLatin1String("true") : QLatin1String("false")) == c.text;
    return false;
}

Result<QList<Condition>> parseConditions(Collection collection, const QUrlQuery &query)
{
    static const QRegularExpression pattern(QStringLiteral(R"(^find\[([^\]\[]+)\](?:\[\$([a-z]+)\])?$)"));
    QList<Condition> conditions;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!key.startsWith(QLatin1String("find")))
            continue;
        const auto m = pattern.match(key);
        if (!m.hasMatch())
            return makeError("bad-request", QStringLiteral("Cannot read the filter %1.").arg(key));
        Condition c;
        c.field = m.captured(1);
        c.op = m.captured(2).isEmpty() ? QStringLiteral("eq") : m.captured(2);
        static const QStringList known { QStringLiteral("eq"), QStringLiteral("gt"), QStringLiteral("gte"),
                                         QStringLiteral("lt"), QStringLiteral("lte") };
        if (!known.contains(c.op))
            return makeError("bad-request", QStringLiteral("The stand-in does not support $%1.").arg(c.op));
        c.text = value;
        if (numericField(collection, c.field)) {
            bool ok = false;
            c.number = value.toDouble(&ok);
            if (!ok)
                c.number = kNoNumber;
        }
        conditions.append(c);
    }
    return conditions;
}

int defaultCount(Collection collection)
{
    switch (collection) {
    case Collection::Entries: return NightscoutStore::kDefaultEntriesCount;
    case Collection::Treatments: return NightscoutStore::kDefaultTreatmentsCount;
    case Collection::DeviceStatus: return NightscoutStore::kDefaultDeviceStatusCount;
    case Collection::Profiles: return 0;
    }
    return 0;
}

} // namespace

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
    Stored s { kNoNumber, QString(), ++m_sequence, record };
    if (!record.contains(QLatin1String("_id")))
        s.record.insert(QStringLiteral("_id"), newObjectId());
    const QJsonValue key = record.value(ns::dateField(collection));
    if (ns::hasNumericDateField(collection))
        s.number = key.isDouble() ? key.toDouble() : kNoNumber;
    else
        s.text = key.isString() ? key.toString() : QString();
    Bucket &b = bucket(collection);
    b.sorted.push_back(std::move(s));
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
    for (Collection c : { Collection::Entries, Collection::Treatments, Collection::DeviceStatus,
                          Collection::Profiles })
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
    const bool numeric = ns::hasNumericDateField(collection);
    // Records without a usable date sort first and never match a date filter.
    std::stable_sort(b.sorted.begin(), b.sorted.end(), [numeric](const Stored &x, const Stored &y) {
        if (numeric) {
            if (std::isnan(x.number) || std::isnan(y.number))
                return std::isnan(x.number) && !std::isnan(y.number);
            return x.number < y.number;
        }
        return x.text < y.text;
    });
    b.dirty = false;
}

Result<QList<QJsonObject>> NightscoutStore::query(Collection collection, const QUrlQuery &query,
                                                  const QDateTime &now) const
{
    auto parsed = parseConditions(collection, query);
    if (!parsed)
        return parsed.error();
    QList<Condition> conditions = *parsed;
    const QString field = ns::dateField(collection);
    const bool numeric = ns::hasNumericDateField(collection);
    const bool dateFiltered = std::any_of(conditions.cbegin(), conditions.cend(), [&](const Condition &c) {
        return c.field == field || (numeric && c.field == QLatin1String("dateString"));
    });
    if (!dateFiltered && collection != Collection::Profiles) {
        // Nightscout's silent default: only the last 4 days.
        const QDateTime since = now.addMSecs(-kDefaultWindowMs);
        Condition c { field, QStringLiteral("gte"), ns::boundValue(collection, since), kNoNumber };
        if (numeric)
            c.number = double(since.toMSecsSinceEpoch());
        conditions.append(c);
    }
    int count = defaultCount(collection);
    if (query.hasQueryItem(QStringLiteral("count"))) {
        bool ok = false;
        const int asked = query.queryItemValue(QStringLiteral("count")).toInt(&ok);
        if (ok && asked >= 0)
            count = asked;
    }

    sortIfNeeded(collection);
    const std::vector<Stored> &records = bucket(collection).sorted;
    // Start below the tightest upper bound on the date field instead of
    // scanning years of records from the newest.
    auto end = records.end();
    for (const Condition &c : std::as_const(conditions)) {
        if (c.field != field || (c.op != QLatin1String("lt") && c.op != QLatin1String("lte")))
            continue;
        auto bound = numeric ? std::upper_bound(records.begin(), records.end(), c.number,
                                                [](double v, const Stored &s) { return v < s.number; })
                             : std::upper_bound(records.begin(), records.end(), c.text,
                                                [](const QString &v, const Stored &s) { return v < s.text; });
        if (bound < end)
            end = bound;
    }
    QList<QJsonObject> out;
    for (auto it = end; it != records.begin();) {
        --it;
        const bool all = std::all_of(conditions.cbegin(), conditions.cend(), [&](const Condition &c) {
            return matches(collection, it->record, c);
        });
        if (all) {
            out.append(it->record);
            if (count > 0 && out.size() >= count)
                break;
        } else if (std::any_of(conditions.cbegin(), conditions.cend(), [&](const Condition &c) {
                       const bool lower = c.op == QLatin1String("gt") || c.op == QLatin1String("gte");
                       return lower && c.field == field && !matches(collection, it->record, c)
                               && (numeric ? !std::isnan(it->number) : true);
                   })) {
            break; // below the lower bound: nothing older can match
        }
    }
    return out;
}

QList<QJsonObject> NightscoutStore::allProfiles() const
{
    sortIfNeeded(Collection::Profiles);
    QList<QJsonObject> out;
    const auto &records = bucket(Collection::Profiles).sorted;
    for (auto it = records.rbegin(); it != records.rend(); ++it)
        out.append(it->record);
    return out;
}

} // namespace openaps::standins
