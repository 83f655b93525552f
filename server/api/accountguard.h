#pragma once

#include "core/result.h"
#include "db/database.h"

#include <chrono>

namespace openaps::api {

// Limits per researcher account, whatever address the requests come from
// (README, "Security"): email codes issued per hour, and failed code and
// password attempts per hour. Too many failures lock that kind of attempt,
// for an hour the first time and twice as long each time after (at most a
// day) until one succeeds. Counted in researcher_limits, so every instance
// sees the same counts.
class AccountGuard
{
public:
    enum class Kind { CodeIssued, CodeFailed, PasswordFailed };

    struct Limits
    {
        int codesPerHour = 5;
        int failedCodesPerHour = 10;
        int failedPasswordsPerHour = 10;
        std::chrono::seconds firstLockout { 3600 };
        std::chrono::seconds longestLockout { 24 * 3600 };
    };

    AccountGuard(db::Database database, Limits limits);

    // When `kind` is locked for the account: the seconds left, else 0.
    Result<int> lockedFor(qint64 researcherId, Kind kind, qint64 nowMs) const;
    // Counts one code about to be issued; false when the hour's cap is reached.
    Result<bool> takeCode(qint64 researcherId, qint64 nowMs);
    // Counts one failure; true when this one locked the account.
    Result<bool> fail(qint64 researcherId, Kind kind, qint64 nowMs);
    // A success ends the count and the back-off.
    Status succeed(qint64 researcherId, Kind kind);

private:
    // Counts one event in the hour's window; the count after it.
    Result<int> count(qint64 researcherId, Kind kind, qint64 nowMs);
    int limit(Kind kind) const;

    db::Database m_database;
    Limits m_limits;
};

} // namespace openaps::api
