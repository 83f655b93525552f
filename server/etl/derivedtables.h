#pragma once

#include "core/result.h"
#include "db/database.h"
#include "db/sqlbatch.h"
#include "etl/derivedinput.h"
#include "etl/fileloader.h"
#include "privacy/tombstones.h"

#include <QSqlDatabase>

namespace openaps::etl {

// The derived datasets (migrations 0100, 0101, 0140): participant_summary
// and data_quality, and the analytics that add up over days
// (analytics_device_groups, analytics_glucose_time_of_day), computed from
// the research tables with the desktop app's metrics (shared/metrics).
//
// Incremental: each loaded file widens the participant's pending range
// (derived_pending, the UTC span of its records). A computation reads the
// rows of the local days in that range only and rewrites their derived_days
// rows (the partial sums of each day) and data_quality rows; every period
// (the whole history, the rolling periods and the calendar months the range
// touches) is then the sum of its days, the analytics the sum of the days
// (device groups) or of the months (glucose bins), so a new day costs a day
// and not the history. The days add up by calendar month too
// (derived_month_sums, migration 0190): a period adds the sums of its whole
// months and the days of the months it cuts, so a refresh reads the months
// and a few months of days, not a year of days. Sums over days equal the computation over all
// readings (metrics::Partial). Without a pending range a participant that
// has no summary yet is computed in full; one that has is left alone.
//
// Widens `userId`'s pending range to include fromMs..toMs (UTC ms).
Status markDerivedPending(const db::Database &database, qint64 userId, qint64 fromMs, qint64 toMs);
// Inside a write transaction: every participant with derived days is
// computed in full at their next refresh (after device names changed).
Status markAllDerivedPending(const QSqlDatabase &db);
// After a file loaded: its span made pending and its per-day counts
// (derived_file_days) recorded under `file` (the Open Humans file id, or the
// name of an imported file), replacing those of an earlier load of it.
// `guard` is checked first, in the same transaction: nothing is noted for a
// member erased meanwhile.
Status noteLoadedFile(const db::Database &database, qint64 userId, const QString &file, const FileReport &report,
                      const privacy::WriteGuard &guard = {});
// Whether `userId` has readings but no summary yet (data loaded before
// migration 0100): the ETL then computes everything at the next pass,
// new files or not.
Result<bool> derivedMissing(const db::Database &database, qint64 userId);
// The local days pending for `userId` (everything without a summary yet;
// empty when nothing is pending): reads added to a batch, read() after it ran.
class PendingReads
{
public:
    PendingReads(sql::Batch &batch, qint64 userId);
    ChangedDays read(const sql::Batch &batch) const;

private:
    int m_pending = -1;
    int m_summary = -1;
};
Result<ChangedDays> pendingDays(const QSqlDatabase &db, qint64 userId);
// Recomputes `changed` for `userId` and clears the pending range, inside
// the caller's transaction on the connection of `batch`; the statements
// `batch` holds already run first, in the same round trip (etl/analytics.h
// refreshes the loop types there). The last writes are left in `batch`
// for the caller to run, with its own (the generation bump).
Status writeDerivedDatasets(const db::Database &database, sql::Batch &batch, qint64 userId, const ChangedDays &changed);
// The same for what is pending, inside the caller's transaction on `db`.
Status writeDerivedDatasets(const db::Database &database, const QSqlDatabase &db, qint64 userId);

} // namespace openaps::etl
