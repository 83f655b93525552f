#pragma once

// Puts one row into any table, filling the columns that need a value, so
// the erasure test can seed every table the schema has without knowing them.

#include "db/database.h"

#include <QVariant>

namespace openaps::test {

// Inserts a row into `table` with `column` = `value`; other required columns
// get made-up values derived from `serial` (unique per call). False with
// `error` set when the row could not be made.
bool seedRow(const db::Database &database, const QString &table, const QString &column, const QVariant &value,
             int serial, QString *error);

// Rows of `table` where `column` = `value`.
qint64 countRows(const db::Database &database, const QString &table, const QString &column, const QVariant &value);

} // namespace openaps::test
