#pragma once

#include "core/result.h"
#include "db/database.h"
#include "privacy/participantkeys.h"

#include <QDate>

namespace openaps::survey {

// analytics_demographics from member_demographics, as a whole: country names
// normalised, height in cm, weight in kg, age and years since diagnosis on
// `today` with brackets (see demographicscleaning.h). Only answers of members
// who share (privacy::lockSharingMembers). One transaction, so a reader sees
// the old rows or the new ones.
Status refreshDemographics(const db::Database &database, const privacy::ParticipantKeys &keys, const QDate &today);

} // namespace openaps::survey
