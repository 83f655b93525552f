#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QMutex>

#include <chrono>
#include <memory>
#include <optional>

namespace openaps {
class Config;
}

namespace openaps::db {

// What happens to a heavy read while the replica is down or lags too far
// (OPENAPS_DATABASE_READ_FALLBACK).
enum class ReplicaFallback { Primary, Error };

struct ReplicaPolicy
{
    std::chrono::seconds maxLag { 30 }; // OPENAPS_DATABASE_READ_MAX_LAG
    ReplicaFallback fallback = ReplicaFallback::Primary;
    // A replica found down is asked again only after this long, so a host
    // that does not answer holds up one read for its connect timeout, not all.
    std::chrono::milliseconds retryDown { 2000 };
};

// What the last look at the replica found.
struct ReplicaState
{
    enum class Health { Unknown, Ok, Lagging, Down };
    Health health = Health::Unknown;
    std::optional<double> lagSeconds; // none: down, or the replica could not tell
    qint64 checkedAtMs = 0; // 0: never looked at
    QString problem; // why not ok, for the log only: it may name the host

    QString healthName() const;
};

// Where heavy reads went since the start (for /metrics).
struct ReplicaReads
{
    qint64 replica = 0;
    qint64 primary = 0; // fell back while the replica was down or lagging
    qint64 refused = 0; // answered 503 (fallback=error)
};

// A PostgreSQL streaming replica (hot standby) that takes the heavy reads
// off the primary: exports, counts, cohort views, the participants list,
// release jobs (forReads below). Authorisation, tokens, sessions, audit
// rows and release state stay on the primary, so a replica that lags never
// widens what a researcher may see. Shared by the APIs and the health
// routes of a process; thread-safe.
class ReadReplica
{
public:
    ReadReplica(Database replica, ReplicaPolicy policy);

    // From OPENAPS_DATABASE_READ_URL, _MAX_LAG and _FALLBACK (validated by
    // Config::validate); nullptr when no replica is configured.
    static Result<std::shared_ptr<ReadReplica>> fromConfig(const Config &config);

    const Database &database() const { return m_replica; }
    const ReplicaPolicy &policy() const { return m_policy; }

    // Looks at the replica on the calling thread's connection: does it
    // answer, and how far behind the primary is its replay. A replica found
    // down within policy().retryDown is not asked again. Logs each change
    // of health.
    ReplicaState check();
    ReplicaState state() const;
    ReplicaReads reads() const;

    // The database a heavy read goes to now (forReads below).
    Result<Database> route(const Database &primary);

private:
    ReplicaState measure() const;
    void remember(const ReplicaState &state);

    Database m_replica;
    ReplicaPolicy m_policy;
    mutable QMutex m_mutex;
    ReplicaState m_state;
    ReplicaReads m_reads;
};

// Where a heavy read (an export, a count, a cohort view, the participants
// list, a release job) goes now: the replica while it answers within its
// lag limit, else `primary` or the error `replica-unavailable`, as its
// policy says; without a replica, `primary`. Never for what decides who may
// read: that is the primary's.
Result<Database> forReads(const Database &primary, const std::shared_ptr<ReadReplica> &replica);

} // namespace openaps::db
