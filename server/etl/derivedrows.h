#pragma once

#include "core/result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariantList>

namespace openaps::etl {

// Inserts `rows` (each one value per column) into `table`, many rows per
// statement: a year of days costs a few round trips, not hundreds.
Status insertRows(const QSqlDatabase &db, const QString &table, const QStringList &columns,
                  const QList<QVariantList> &rows, const char *what);

} // namespace openaps::etl
