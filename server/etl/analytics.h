#pragma once

#include "core/result.h"
#include "db/database.h"
#include "db/sqlbatch.h"
#include "etl/derivedday.h"
#include "privacy/tombstones.h"

#include <QSqlDatabase>

namespace openaps::etl {

// Derived analytics (migration 0032), kept up to date from the research
// tables. Each refresh rewrites what changed inside one transaction, so a
// reader sees either the old rows or the new ones, never an empty or
// missing table.
//
// Per participant, in the participant's LOCAL time (UTC + utc_offset; rows
// without an offset count as UTC):
//  - analytics_glucose_time_of_day: sensor glucose (type 'sgv', 39..600
//    mg/dL; Dexcom's error codes below 39 are left out) in 96 fifteen-minute
//    bins, mean/min/max in mg/dL and the mean in mmol/L (÷ 18.01559), added
//    up from the months (derived_months), which add up their days;
//  - analytics_loop_type_by_day: "closed loop" on days with an enacted loop
//    decision (OpenAPS/AAPS/Loop enacted) or Loop IOB, else "open loop";
//    the changed days again;
//  - analytics_device_groups: entries per device, grouped (xDrip, Libre,
//    MiaoMiao, Dexcom, Medtronic, OpenAPS, AndroidAPS, Loop, else as named),
//    added up from the days.
// The days that changed are those pending (etl/derivedtables.h), in the
// same transaction as the derived datasets; nothing pending, nothing done.
// `userId` is the member's pseudonym; `guard` is checked first, in the same
// transaction (privacy/tombstones.h).
// Recompute::Everything ignores what is pending and recomputes all of it
// (data copied in bulk rather than loaded file by file).
enum class Recompute { Pending, Everything };
Status refreshParticipantAnalytics(const db::Database &database, qint64 userId, const privacy::WriteGuard &guard = {},
                                   Recompute what = Recompute::Pending);

// Inside the refresh's transaction, added to its batch: `userId`'s device
// groups from the sums of all of their `months` and their entries without
// a time (`withoutTime`, device → entries), and their glucose by time of
// day from `bins`.
void writeDeviceGroups(const db::Database &database, sql::Batch &batch, qint64 userId,
                       const QMap<qint64, PeriodSums> &months, const QHash<QString, qint64> &withoutTime,
                       int sourceEntity);
void writeGlucoseTimeOfDay(sql::Batch &batch, qint64 userId, const GlucoseBins &bins, int sourceEntity);
// The entries without a time, per device (they belong to no day): a read
// added to `batch`, and what it read.
int addUndatedEntriesRead(sql::Batch &batch, qint64 userId);
QHash<QString, qint64> undatedEntries(sql::BatchRows rows);

// Inside a write transaction: analytics_device_groups of every participant
// again from their entries (after `migrate` scrubbed device names), and
// everything of theirs pending (the derived days hold device names too).
Status rebuildDeviceGroups(const QSqlDatabase &db);
// Removes a participant's analytics rows and derived days (consent "none", erasure).
Status removeParticipantAnalytics(const db::Database &database, qint64 userId);

} // namespace openaps::etl
