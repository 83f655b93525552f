#pragma once

#include "core/result.h"
#include "db/database.h"
#include "privacy/participantkeys.h"

// Databases from before pseudonyms (migration 0051) name members in their
// research and analytics tables by the Open Humans member id, a number below
// ParticipantKeys::firstPseudonym. This converts them in place.
namespace openaps::privacy {

// Whether any table with a `user_id` column still holds a member id.
Result<bool> hasMemberIds(const db::Database &database);

// Rewrites every member id in every table with a `user_id` column to the
// member's pseudonym, one transaction per table; rows of tombstoned members
// are deleted instead. Idempotent: pseudonyms are left alone. Returns the
// number of rows changed. Needs UPDATE on those tables (`openaps-server
// migrate` runs it as the owner).
Result<qint64> convertMemberIds(const db::Database &database, const ParticipantKeys &keys);

} // namespace openaps::privacy
