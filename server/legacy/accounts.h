#pragma once

#include "core/result.h"
#include "legacy/legacymembers.h"

namespace openaps::legacy {

// What a migrated account holds instead of a password hash when its old one
// is missing or is no bcrypt hash: no password matches it, and the first
// sign-in attempt emails the owner a reset code (api/accountroutes.cpp).
inline QString noPasswordHash()
{
    return QStringLiteral("!legacy-no-password");
}

// openaps.app_users → researchers: the address (lower-cased, as this system
// keeps them), the bcrypt hash as it is (verified at the first sign-in and
// replaced by argon2id then), admin flag, scope (0 openaps, 1 nsf, 2 all),
// approved or deactivated, and the old usage counters (sign-ins, last
// sign-in, downloads and their MiB), with the name, organisation and
// description of the researcher's application. An address that already has
// an account here is skipped.
Result<TableCounts> copyAccounts(const MemberContext &context);

// openaps.researcher_applications without an account: waiting ones become
// pending researchers, refused ones rejected researchers.
Result<TableCounts> copyApplications(const MemberContext &context);

} // namespace openaps::legacy
