#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>

namespace openaps::jobs {

// Participant leases in the job_leases table (migration 0030), so that
// several server instances sharing one PostgreSQL never work on the same
// participant for the same job at the same time, and each participant is
// handled about once per cycle across all instances.
//
// A lease names its holder (one per process, see newHolderId()) and expires
// at expires_at. Holders renew their leases while working; an instance that
// dies stops renewing and its participants become claimable again once the
// leases expire. Claims are atomic: PostgreSQL takes candidate rows with
// FOR UPDATE SKIP LOCKED (concurrent claimers skip each other's rows
// instead of waiting); SQLite allows one writer at a time, which makes the
// same single UPDATE ... RETURNING atomic there.
//
// Usage (per cycle): enroll(); while (claimNext(cycleStart)) { work;
// renew() periodically; release() } — or let jobs::ParticipantRunner do it.
// Times are stored as UTC ("2024-01-31T12:00:00.000Z" text on SQLite).
class LeaseStore
{
public:
    LeaseStore(db::Database database, QString job, QString holder, std::chrono::seconds ttl,
               Clock clock = systemClock());

    const QString &job() const { return m_job; }
    const QString &holder() const { return m_holder; }
    std::chrono::seconds ttl() const { return m_ttl; }
    QDateTime now() const { return m_clock(); }

    // Gives every active participant (not deauthorised) a lease row for this
    // job, so claimNext() can see them. Cheap and idempotent.
    Status enroll();

    // Claims the next due participant: active, not held by a live lease, and
    // not finished at or after `dueBefore` (never finished counts as due).
    // Longest-waiting first. nullopt when none is left.
    Result<std::optional<qint64>> claimNext(const QDateTime &dueBefore);

    // Claims one participant now, whenever it last ran; false while another
    // holder's lease is live. For on-demand work (e.g. a token refresh).
    Result<bool> claim(qint64 participantId);

    // Pushes the expiry of these held leases one ttl ahead.
    Status renew(const QList<qint64> &participantIds);

    // Ends the lease; `finished` records last_finished_at (a finished run
    // is not due again until the next cycle), otherwise the participant is
    // immediately claimable again.
    Status release(qint64 participantId, bool ok, bool finished = true);

    // "host:pid:random", unique per process start.
    static QString newHolderId();

private:
    QString stamp(const QDateTime &t) const;

    db::Database m_database;
    QString m_job;
    QString m_holder;
    std::chrono::seconds m_ttl;
    Clock m_clock;
};

} // namespace openaps::jobs
