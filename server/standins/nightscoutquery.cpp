#include "standins/nightscoutquery.h"

#include "standins/nightscoutstore.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <limits>

namespace openaps::standins::nsquery {

using ns::Collection;

namespace {

constexpr double kNoNumber = std::numeric_limits<double>::quiet_NaN();

bool numericField(Collection collection, const QString &field)
{
    // Nightscout turns these query values into numbers for entries.
    return collection == Collection::Entries
            && (field == QLatin1String("date") || field == QLatin1String("sgv") || field == QLatin1String("mbg"));
}

template <typename T> bool compare(const T &value, const QString &op, const T &bound)
{
    if (op == QLatin1String("gt"))
        return value > bound;
    if (op == QLatin1String("gte"))
        return value >= bound;
    if (op == QLatin1String("lt"))
        return value < bound;
    if (op == QLatin1String("lte"))
        return value <= bound;
    return value == bound;
}

} // namespace

Result<QList<Condition>> conditions(Collection collection, const QUrlQuery &query, const QDateTime &now)
{
    static const QRegularExpression pattern(QStringLiteral(R"(^find\[([^\]\[]+)\](?:\[\$([a-z]+)\])?$)"));
    static const QStringList known { QStringLiteral("eq"), QStringLiteral("gt"), QStringLiteral("gte"),
                                     QStringLiteral("lt"), QStringLiteral("lte") };
    QList<Condition> out;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!key.startsWith(QLatin1String("find")))
            continue;
        const auto m = pattern.match(key);
        if (!m.hasMatch())
            return makeError("bad-request", QStringLiteral("Cannot read the filter %1.").arg(key));
        Condition c { m.captured(1), m.captured(2).isEmpty() ? QStringLiteral("eq") : m.captured(2), value, kNoNumber };
        if (!known.contains(c.op))
            return makeError("bad-request", QStringLiteral("The stand-in does not support $%1.").arg(c.op));
        if (numericField(collection, c.field)) {
            bool ok = false;
            c.number = value.toDouble(&ok);
            if (!ok)
                c.number = kNoNumber;
        }
        out.append(c);
    }
    const QString field = ns::dateField(collection);
    const bool numeric = ns::hasNumericDateField(collection);
    const bool dateFiltered = std::any_of(out.cbegin(), out.cend(), [&](const Condition &c) {
        return c.field == field || (numeric && c.field == QLatin1String("dateString"));
    });
    if (!dateFiltered && collection != Collection::Profiles) {
        // Nightscout's silent default: only the last 4 days.
        const QDateTime since = now.addMSecs(-NightscoutStore::kDefaultWindowMs);
        out.append({ field, QStringLiteral("gte"), ns::boundValue(collection, since),
                     numeric ? double(since.toMSecsSinceEpoch()) : kNoNumber });
    }
    return out;
}

int count(Collection collection, const QUrlQuery &query)
{
    if (query.hasQueryItem(QStringLiteral("count"))) {
        bool ok = false;
        const int asked = query.queryItemValue(QStringLiteral("count")).toInt(&ok);
        if (ok && asked >= 0)
            return asked;
    }
    switch (collection) {
    case Collection::Entries:
        return NightscoutStore::kDefaultEntriesCount;
    case Collection::Treatments:
        return NightscoutStore::kDefaultTreatmentsCount;
    case Collection::DeviceStatus:
        return NightscoutStore::kDefaultDeviceStatusCount;
    case Collection::Profiles:
        return 0;
    }
    return 0;
}

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

bool matchesAll(Collection collection, const QJsonObject &record, const QList<Condition> &conditions)
{
    return std::all_of(conditions.cbegin(), conditions.cend(),
                       [&](const Condition &c) { return matches(collection, record, c); });
}

Key keyOf(Collection collection, const QJsonObject &record)
{
    const QJsonValue v = record.value(ns::dateField(collection));
    if (ns::hasNumericDateField(collection))
        return { v.isDouble() ? v.toDouble() : kNoNumber, {} };
    return { kNoNumber, v.isString() ? v.toString() : QString() };
}

bool keyLess(Collection collection, const Key &a, const Key &b)
{
    // Records without a usable date sort first and never match a date filter.
    if (ns::hasNumericDateField(collection)) {
        if (std::isnan(a.number) || std::isnan(b.number))
            return std::isnan(a.number) && !std::isnan(b.number);
        return a.number < b.number;
    }
    return a.text < b.text;
}

} // namespace openaps::standins::nsquery
