#pragma once

#include <QJsonObject>
#include <QJsonValue>

#include <initializer_list>
#include <optional>

// Lenient readers for Nightscout's loosely typed JSON: numbers arrive as
// numbers or strings ("30", "1.425", ""), booleans as true/"true"/1, and
// nested objects may be missing at any level.
namespace openaps::records::json {

// obj["a"]["b"]..., Undefined if any level is missing or not an object.
QJsonValue at(const QJsonObject &object, std::initializer_list<const char *> path);

std::optional<double> number(const QJsonValue &value);
std::optional<bool> boolean(const QJsonValue &value);
// Strings as they are, numbers without a spurious ".0", objects and arrays
// as compact JSON; null/missing give an empty, null QByteArray.
QByteArray text(const QJsonValue &value);

// A plausible UTC offset in minutes from a `utcOffset` field.
std::optional<int> utcOffset(const QJsonValue &value);

// The Nightscout document id: "_id" (also mongoexport's {"$oid": ...}), then
// "id", then "uuid". Empty if none.
QByteArray documentId(const QJsonObject &object);

// A stable id for a document without one: a hash of its canonical JSON, so
// the same document always gets the same id and de-duplicates.
QByteArray syntheticId(const QJsonObject &object);

} // namespace openaps::records::json
