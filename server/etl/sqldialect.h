#pragma once

#include "db/database.h"

#include <QString>
#include <QVariant>

// What the derived tables need beyond records/localtimesql.h: times as
// numbers and values to bind, per backend (SQLite keeps times as ISO-8601
// UTC text, PostgreSQL as timestamptz and dates as date).
namespace openaps::etl {

// Column %1 as epoch milliseconds.
QString epochMsSql(const db::Database &database);
// Binding values for a time column and a date column.
QVariant timeValue(const db::Database &database, qint64 utcMs);
QVariant dateValue(qint64 day); // days since 1970-01-01
// A DATE (PostgreSQL) or 'YYYY-MM-DD' text (SQLite) as days since 1970-01-01.
qint64 dayOf(const QVariant &value);

} // namespace openaps::etl
