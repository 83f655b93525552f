#pragma once

#include "core/result.h"
#include "db/database.h"
#include "db/sqlbatch.h"
#include "privacy/participantkeys.h"

#include <QSet>
#include <QSqlDatabase>

#include <optional>

// Tombstones of erased members (migration 0050) and the check every writer
// of participant data makes inside its own write transaction.
//
// The erasure (server/site/erasure.cpp, eraseMember) first locks the
// participant's row (PostgreSQL: FOR UPDATE), then writes the tombstone and
// deletes every row, in one transaction. A writer's transaction starts with
// WriteGuard::check, which takes the same row FOR KEY SHARE: an erasure that
// comes while a batch is open waits until the batch commits and then deletes
// its rows too; a batch that starts while an erasure is open waits and then
// finds the participant gone. SQLite has one writer at a time, so the check
// alone decides.
namespace openaps::privacy {

// The error code of a write refused because the member was erased (or
// withdrew) meanwhile: the caller stops this member's work, keeping nothing.
inline constexpr char erasedCode[] = "erased";
inline bool isErased(const Error &error)
{
    return error.code == QLatin1String(erasedCode);
}

// Whether the member was erased and has not confirmed sharing again since
// (the site asks an erased member who logs in again before anything is shared).
Result<bool> isTombstoned(const db::Database &database, const ParticipantKeys &keys, const QString &memberId);
// The member confirmed sharing again: the tombstone goes. True if there was one.
Result<bool> liftTombstone(const db::Database &database, const ParticipantKeys &keys, const QString &memberId);

// PostgreSQL, inside a transaction: the member's advisory lock (class
// memberLockClass, named by the tombstone), held until the transaction ends.
// Members without an account here (`import` of a project-wide download) have
// no row to lock: the erasure takes this lock exclusively, and a write for
// such a member takes it shared (WriteGuard::check), so the two cannot
// interleave either. Nothing on SQLite (one writer at a time).
inline constexpr qint32 memberLockClass = 0x0A9511; // "openaps member"
Status lockMemberName(const QSqlDatabase &db, const QString &tombstone, bool exclusive);

// Inside the erasure's transaction (idempotent).
Status addTombstone(const QSqlDatabase &db, const QString &tombstone);
// Every tombstone, for writers that handle many members at once.
Result<QSet<QString>> allTombstones(const QSqlDatabase &db);

// Inside a write transaction: the pseudonyms of the members whose data may
// be kept at all: an account here, no tombstone, and a consent other than
// "none" (as the site last saved it and as the ETL last read it). On
// PostgreSQL their rows are locked FOR KEY SHARE, as WriteGuard::check does.
// For writers that handle many members at once (the survey import).
Result<QSet<qint64>> lockSharingMembers(const QSqlDatabase &db, const ParticipantKeys &keys);

// Who a write is for.
struct WriteGuard
{
    // participants.id; none for members without an account here (`import`
    // of a project-wide download), for whom only the tombstone counts.
    std::optional<qint64> participantId;
    QString tombstone; // ParticipantKeys::tombstone of the member

    static WriteGuard forMember(const ParticipantKeys &keys, const QString &memberId,
                                std::optional<qint64> participantId)
    {
        return WriteGuard { participantId, keys.tombstone(memberId) };
    }

    // In an open write transaction on `db`: an `erasedCode` error when the
    // participant no longer exists or is tombstoned. On PostgreSQL the
    // participant's row stays locked (FOR KEY SHARE) until the transaction
    // ends; without a participantId, the member's lock (lockMemberName) shared.
    Status check(const QSqlDatabase &db) const;
    // The same check as the first statements of `batch` (`db` its
    // connection), in one round trip with what follows it: the statements
    // after it run only once the lock is held. checked() after the batch ran,
    // with what this returned.
    int addCheck(const QSqlDatabase &db, sql::Batch &batch) const;
    static Status checked(const sql::Batch &batch, int check);
};

} // namespace openaps::privacy
