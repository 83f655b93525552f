#pragma once

#include "core/result.h"
#include "db/database.h"
#include "privacy/participantkeys.h"

// Rows loaded before the ETL scrubbed free text and device identifiers
// (privacy/recordscrub.h), and survey answers stored before typed answers
// were scrubbed, are scrubbed in place by `openaps-server migrate`, once
// each (recorded in data_rewrites, migrations 0070 and 0120). Other commands
// refuse to start while one is pending.
namespace openaps::etl {

inline constexpr char scrubRewrite[] = "scrub-identifiers";

// Whether the rewrite `name` (data_rewrites) has not been done yet.
Result<bool> rewritePending(const db::Database &database, const char *name);

inline constexpr char surveyScrubRewrite[] = "scrub-survey-answers";

// Scrubs every stored research row as the ETL now maps documents: raw_json
// and the typed columns taken from it (device, entered_by, reason, notes,
// food_type, pump_id, loop_failure_reason, default_profile), in batches of
// one transaction each; then rebuilds analytics_device_groups and records
// the rewrite. Idempotent. Returns the number of rows changed.
Result<qint64> scrubStoredRows(const db::Database &database, const privacy::ParticipantKeys &keys);

// Survey answers stored before typed answers were scrubbed
// (survey/answerscrub.h): scrubbed in place as the import now stores them,
// in one transaction, then analytics_demographics rebuilt and the rewrite
// recorded. Idempotent. Returns the number of answers changed.
Result<qint64> scrubStoredSurveyAnswers(const db::Database &database, const privacy::ParticipantKeys &keys);

} // namespace openaps::etl
