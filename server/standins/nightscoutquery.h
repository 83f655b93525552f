#pragma once

#include "core/result.h"
#include "nightscout/collection.h"

#include <QJsonObject>
#include <QUrlQuery>

namespace openaps::standins::nsquery {

// One `find[field]` / `find[field][$op]` condition of a v1 query.
struct Condition
{
    QString field;
    QString op; // eq, gt, gte, lt, lte
    QString text;
    double number = 0; // NaN when the value is not a number
};

// The find conditions of a query, with Nightscout's 4-day default added
// when the query does not filter on the collection's date field.
Result<QList<Condition>> conditions(ns::Collection collection, const QUrlQuery &query, const QDateTime &now);

// `count`, or the collection's default; 0 means no limit.
int count(ns::Collection collection, const QUrlQuery &query);

// MongoDB semantics: values of different types never match; `date` (and
// sgv, mbg) of entries compare as numbers, everything else as text.
bool matches(ns::Collection collection, const QJsonObject &record, const Condition &condition);
bool matchesAll(ns::Collection collection, const QJsonObject &record, const QList<Condition> &conditions);

// The sort key of a record: its date field as a number (NaN when absent)
// or as text (empty when absent).
struct Key
{
    double number;
    QString text;
};
Key keyOf(ns::Collection collection, const QJsonObject &record);
bool keyLess(ns::Collection collection, const Key &a, const Key &b);

} // namespace openaps::standins::nsquery
