#pragma once

#include "core/result.h"
#include "db/database.h"
#include "privacy/participantkeys.h"

// Rows loaded before the ETL scrubbed free text and device identifiers
// (privacy/recordscrub.h) are scrubbed in place by `openaps-server migrate`,
// once (recorded in data_rewrites, migration 0070). Other commands refuse to
// start while that is pending.
namespace openaps::etl {

inline constexpr char scrubRewrite[] = "scrub-identifiers";

// Whether the rewrite `name` (data_rewrites) has not been done yet.
Result<bool> rewritePending(const db::Database &database, const char *name);

// Scrubs every stored research row as the ETL now maps documents: raw_json
// and the typed columns taken from it (device, entered_by, reason, notes,
// food_type, pump_id, loop_failure_reason, default_profile), in batches of
// one transaction each; then rebuilds analytics_device_groups and records
// the rewrite. Idempotent. Returns the number of rows changed.
Result<qint64> scrubStoredRows(const db::Database &database, const privacy::ParticipantKeys &keys);

} // namespace openaps::etl
