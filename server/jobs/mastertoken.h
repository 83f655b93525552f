#pragma once

#include "core/result.h"
#include "db/database.h"
#include "jobs/leasestore.h"

#include <QString>

#include <memory>

namespace openaps {
class Config;
}

namespace openaps::jobs {

// The Open Humans project's master access token (OPENAPS_OH_MASTER_TOKEN),
// with which the ETL and ingest serve every project member, also those who
// never logged in here (README, "Master token: every member of the
// project"). Master tokens expire 24 hours after they are made unless
// the project turns expiry off, and cannot be refreshed: the operator makes
// a new one. So:
//  - current() re-reads OPENAPS_OH_MASTER_TOKEN_FILE when the value came from
//    a file, and a rotated token is used from the next call on;
//  - what the jobs found is kept in oh_master_token_status (one row, read by
//    /healthz and /metrics on every instance) and an expired or refused
//    token is logged as an error naming the setting, once per token value.
// The token itself is never logged or stored.
class MasterToken
{
public:
    enum class State { Ok, Expired, Refused };

    // The setting as configured: a value, and the file it came from, if any.
    struct Setting
    {
        QString value;
        QString file;
        static Setting fromConfig(const Config &config);
    };

    MasterToken(db::Database database, Setting setting, Clock clock = systemClock());
    // Null when the setting is empty (no master token configured).
    static std::shared_ptr<MasterToken> create(const db::Database &database, const Setting &setting,
                                               Clock clock = systemClock());

    QString current() const;
    void setValue(const QString &value) { m_value = value; } // a rotation without a file

    // `members`: how many the members endpoint listed (Ok only).
    void report(State state, int members = 0);
    // An Open Humans error seen with the master token: "token-expired" and
    // "unauthorized" are reported (Expired, Refused) and come back as
    // "master-token-expired" / "master-token-refused" errors, which never
    // count as a member's withdrawal; others pass unchanged.
    Error reportError(const Error &error);

private:
    db::Database m_database;
    mutable QString m_value;
    QString m_file;
    Clock m_clock;
    QString m_loggedFor; // the state and token already logged, so one bad token is one error line
};

} // namespace openaps::jobs
