#pragma once

#include "core/result.h"
#include "db/database.h"
#include "privacy/tombstones.h"

#include <QSqlDatabase>

namespace openaps::etl {

// Derived analytics (migration 0032), rebuilt from the research tables.
// Each refresh replaces its rows inside one transaction, so a reader sees
// either the old rows or the new ones, never an empty or missing table.
//
// Per participant, in the participant's LOCAL time (UTC + utc_offset; rows
// without an offset count as UTC):
//  - analytics_glucose_time_of_day: sensor glucose (type 'sgv', 39..600
//    mg/dL; Dexcom's error codes below 39 are left out) in 96 fifteen-minute
//    bins, mean/min/max in mg/dL and the mean in mmol/L (÷ 18.01559);
//  - analytics_loop_type_by_day: "closed loop" on days with an enacted loop
//    decision (OpenAPS/AAPS/Loop enacted) or Loop IOB, else "open loop";
//  - analytics_device_groups: entries per device, grouped (xDrip, Libre,
//    MiaoMiao, Dexcom, Medtronic, OpenAPS, AndroidAPS, Loop, else as named).
// Then, in the same transaction, the derived datasets that depend on them
// (etl/derivedtables.h: participant_summary).
// `userId` is the member's pseudonym; `guard` is checked first, in the same
// transaction (privacy/tombstones.h).
Status refreshParticipantAnalytics(const db::Database &database, qint64 userId, const privacy::WriteGuard &guard = {});

// Inside a write transaction: analytics_device_groups of every participant
// again from their entries (after `migrate` scrubbed device names).
Status rebuildDeviceGroups(const QSqlDatabase &db);
// Removes a participant's analytics rows (consent "none", erasure).
Status removeParticipantAnalytics(const db::Database &database, qint64 userId);

} // namespace openaps::etl
