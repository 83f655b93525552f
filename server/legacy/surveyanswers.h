#pragma once

#include "core/result.h"
#include "legacy/legacymembers.h"

namespace openaps::legacy {

// openaps.member_demographics → member_demographics through the survey
// import's own code (survey::importSurveyAnswers): the same conversions
// (birth and diagnosis as years only, numbers out of free text), the member
// id typed into the form stored only as a pseudonym, and only answers of
// members who share. A batch of rows per transaction.
Result<TableCounts> copySurveyAnswers(const MemberContext &context, MemberDirectory &directory);

} // namespace openaps::legacy
