#pragma once

#include "core/result.h"
#include "db/database.h"
#include "privacy/tombstones.h"
#include "records/consent.h"

#include <optional>

namespace openaps::privacy {

// source_entity for a consent: openaps 0, nsf 1, both 2; none has none.
std::optional<int> sourceEntityFor(records::Consent consent);

// Stamps all of a participant's research and analytics rows with
// `sourceEntity` in one transaction (rows already stamped so are not
// touched), after `guard` allowed it. Returns the number of rows changed.
// `userId` is the member's pseudonym.
Result<qint64> restampSourceEntity(const db::Database &database, qint64 userId, int sourceEntity,
                                   const WriteGuard &guard);

// Consent "none": removes the participant's research rows, derived analytics,
// survey answers and the record of loaded files (so that a later consent loads everything
// again), in one transaction. Returns the number of rows removed.
Result<qint64> removeParticipantData(const db::Database &database, qint64 userId, std::optional<qint64> participantId);

} // namespace openaps::privacy
