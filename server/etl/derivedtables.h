#pragma once

#include "core/result.h"
#include "db/database.h"
#include "etl/fileloader.h"
#include "privacy/tombstones.h"

#include <QSqlDatabase>

namespace openaps::etl {

// The derived datasets (migrations 0100, 0101): participant_summary and
// data_quality, computed
// from the research tables with the desktop app's metrics (shared/metrics).
//
// Incremental: each loaded file widens the participant's pending range
// (derived_pending, the UTC span of its records); a computation rewrites
// the whole-history and rolling periods and the calendar months that range
// touches, and the data_quality rows of the days in it, then clears it. Without a pending range a participant that has
// no summary yet is computed in full; one that has is left alone.
//
// Widens `userId`'s pending range to include fromMs..toMs (UTC ms).
Status markDerivedPending(const db::Database &database, qint64 userId, qint64 fromMs, qint64 toMs);
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
// Recomputes what is pending for `userId`, inside the caller's transaction
// on `db` (etl/analytics.h refreshes the analytics first, in the same one).
Status writeDerivedDatasets(const db::Database &database, const QSqlDatabase &db, qint64 userId);

} // namespace openaps::etl
