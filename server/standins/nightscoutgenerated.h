#pragma once

#include "standins/nightscoutquery.h"

namespace openaps::synthetic {
class Generator;
}

namespace openaps::standins {

// The records of a synthetic participant that match a v1 query, newest
// first, at most `limit` (0: all), generated on demand: only the days the
// query reaches are made, so a stand-in can serve years of data without
// holding them. created_at with a local offset sorts by its text, so text
// bounds are widened by 15 hours before they become instants.
QList<QJsonObject> generatedMatches(const synthetic::Generator &generator, ns::Collection collection,
                                    const QList<nsquery::Condition> &conditions, int limit, const QDateTime &now = {});

} // namespace openaps::standins
