#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QSqlDatabase>

namespace openaps::etl {

// The derived datasets (migration 0100): participant_summary, computed
// from the research tables with the desktop app's metrics (shared/metrics).
//
// Incremental: each loaded file widens the participant's pending range
// (derived_pending, the UTC span of its records); a computation rewrites
// the whole-history and rolling periods and the calendar months that range
// touches, then clears it. Without a pending range a participant that has
// no summary yet is computed in full; one that has is left alone.
//
// Widens `userId`'s pending range to include fromMs..toMs (UTC ms).
Status markDerivedPending(const db::Database &database, qint64 userId, qint64 fromMs, qint64 toMs);
// Recomputes what is pending for `userId`, inside the caller's transaction
// on `db` (etl/analytics.h refreshes the analytics first, in the same one).
Status writeDerivedDatasets(const db::Database &database, const QSqlDatabase &db, qint64 userId);

} // namespace openaps::etl
