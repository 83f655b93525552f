#pragma once

#include "db/database.h"
#include "db/sqlbatch.h"
#include "etl/derivedday.h"
#include "etl/derivedinput.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariantList>

// The statements that write the derived rows (etl/derivedtables.h), added
// to a batch that the caller runs inside its transaction.
namespace openaps::etl {

// Inserts `rows` (each one value per column) into `table`, many rows per
// statement: a year of days costs a few statements, not hundreds.
void insertRows(sql::Batch &batch, const QString &table, const QStringList &columns, const QList<QVariantList> &rows,
                const char *what);
// Deletes `userId`'s rows of `table` whose `dayColumn` lies from `firstDay`
// to the last changed day (all rows when everything changed); `day` binds a day.
void clearDays(sql::Batch &batch, const QString &table, const QString &dayColumn, const QString &andWhere,
               qint64 userId, const ChangedDays &changed, qint64 firstDay, QVariant (*day)(qint64));

// The derived_days rows of the changed days, replaced by `computed`.
void writeDays(sql::Batch &batch, qint64 userId, const ChangedDays &changed, const QMap<qint64, DerivedDay> &computed);
// participant_summary: the whole-history and rolling periods, and the
// months the changed days touch (summarizePeriods: all `months`, the
// `days` of the months the periods cut).
void writeSummaries(const db::Database &database, sql::Batch &batch, qint64 userId,
                    const QMap<qint64, DerivedDay> &days, const QMap<qint64, PeriodSums> &months,
                    const ChangedDays &changed, const QHash<QString, QString> &groupOf, int sourceEntity);
// data_quality of the changed days, from their input `in`.
void writeQuality(const db::Database &database, sql::Batch &batch, qint64 userId, const DerivedInput &in,
                  const QMap<qint64, DerivedDay> &computed, const ChangedDays &changed,
                  const QHash<QString, QString> &groupOf, int sourceEntity);
// derived_months and derived_month_sums of the months the changed days
// touch: `bins` and `sums` (first day → bins, sums; the touched months).
void writeMonths(sql::Batch &batch, qint64 userId, const ChangedDays &changed, const QMap<qint64, GlucoseBins> &bins,
                 const QMap<qint64, PeriodSums> &sums);

} // namespace openaps::etl
