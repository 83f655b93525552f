#include "privacy/tombstones.h"

#include "db/sqlhelpers.h"

#include <QSqlDriver>

namespace openaps::privacy {

namespace {

bool isPostgres(const QSqlDatabase &db)
{
    return db.driverName() == QLatin1String("QPSQL");
}

} // namespace

// The statement that takes the member's lock, and its binds.
std::pair<QString, QVariantList> memberLock(const QString &tombstone, bool exclusive)
{
    // 8 hex digits of the tombstone (itself a keyed hash) name the lock; a
    // collision only makes one write wait for an unrelated erasure.
    bool ok = false;
    const qint32 key = qint32(tombstone.left(8).toUInt(&ok, 16));
    return { QStringLiteral("SELECT %1(CAST(? AS INTEGER), CAST(? AS INTEGER))")
                     .arg(exclusive ? QStringLiteral("pg_advisory_xact_lock")
                                    : QStringLiteral("pg_advisory_xact_lock_shared")),
             { memberLockClass, ok ? key : 0 } };
}

Status lockMemberName(const QSqlDatabase &db, const QString &tombstone, bool exclusive)
{
    if (!isPostgres(db))
        return {};
    const auto [statement, binds] = memberLock(tombstone, exclusive);
    auto q = sql::exec(db, statement, binds, "locking the member against an erasure");
    if (!q)
        return q.error();
    return {};
}

Result<bool> isTombstoned(const db::Database &database, const ParticipantKeys &keys, const QString &memberId)
{
    auto q = sql::exec(database, QStringLiteral("SELECT 1 FROM participant_tombstones WHERE tombstone = ?"),
                       { keys.tombstone(memberId) }, "looking up a tombstone");
    if (!q)
        return q.error();
    return q->next();
}

Result<bool> liftTombstone(const db::Database &database, const ParticipantKeys &keys, const QString &memberId)
{
    auto q = sql::exec(database, QStringLiteral("DELETE FROM participant_tombstones WHERE tombstone = ?"),
                       { keys.tombstone(memberId) }, "lifting a tombstone");
    if (!q)
        return q.error();
    return q->numRowsAffected() > 0;
}

Status addTombstone(const QSqlDatabase &db, const QString &tombstone)
{
    auto q = sql::exec(db,
                       QStringLiteral("INSERT INTO participant_tombstones (tombstone) VALUES (?) "
                                      "ON CONFLICT (tombstone) DO NOTHING"),
                       { tombstone }, "writing a tombstone");
    if (!q)
        return q.error();
    return {};
}

Result<QSet<QString>> allTombstones(const QSqlDatabase &db)
{
    auto q = sql::exec(db, QStringLiteral("SELECT tombstone FROM participant_tombstones"), {}, "reading tombstones");
    if (!q)
        return q.error();
    QSet<QString> all;
    while (q->next())
        all.insert(q->value(0).toString());
    return all;
}

Result<QSet<qint64>> lockSharingMembers(const QSqlDatabase &db, const ParticipantKeys &keys)
{
    auto stones = allTombstones(db);
    if (!stones)
        return stones.error();
    auto q = sql::exec(db,
                       QStringLiteral("SELECT p.member_id FROM participants p "
                                      "LEFT JOIN etl_participants e ON e.participant_id = p.id "
                                      "WHERE COALESCE(p.sharing_consent, '') <> 'none' "
                                      "AND COALESCE(e.consent, '') <> 'none'%1")
                               .arg(isPostgres(db) ? QStringLiteral(" FOR KEY SHARE OF p") : QString()),
                       {}, "finding the members who share");
    if (!q)
        return q.error();
    QSet<qint64> sharing;
    while (q->next()) {
        const QString member = q->value(0).toString();
        if (!stones->contains(keys.tombstone(member)))
            sharing.insert(keys.pseudonym(member));
    }
    return sharing;
}

namespace {

// The statement of WriteGuard's check, its binds and what it does.
struct GuardCheck
{
    QString statement;
    QVariantList binds;
    const char *what;
};

GuardCheck guardCheck(const QSqlDatabase &db, const WriteGuard &guard)
{
    const QString notErased = QStringLiteral("NOT EXISTS (SELECT 1 FROM participant_tombstones WHERE tombstone = ?)");
    if (guard.participantId)
        return { QStringLiteral("SELECT 1 FROM participants p WHERE p.id = ? AND %1%2")
                         .arg(notErased, isPostgres(db) ? QStringLiteral(" FOR KEY SHARE OF p") : QString()),
                 { *guard.participantId, guard.tombstone },
                 "checking the participant before writing" };
    return { QStringLiteral("SELECT 1 WHERE %1").arg(notErased),
             { guard.tombstone },
             "checking the member before writing" };
}

Error erasedMeanwhile()
{
    return makeError(erasedCode,
                     QStringLiteral("The participant was erased or left meanwhile; nothing more is written."));
}

} // namespace

Status WriteGuard::check(const QSqlDatabase &db) const
{
    // Without an account there is no row to lock: the member's lock instead.
    if (!participantId) {
        if (auto s = lockMemberName(db, tombstone, false); !s)
            return s;
    }
    const GuardCheck c = guardCheck(db, *this);
    auto q = sql::exec(db, c.statement, c.binds, c.what);
    if (!q)
        return q.error();
    if (!q->next())
        return erasedMeanwhile();
    return {};
}

int WriteGuard::addCheck(const QSqlDatabase &db, sql::Batch &batch) const
{
    if (!participantId && isPostgres(db)) {
        const auto [statement, binds] = memberLock(tombstone, false);
        batch.add(statement, binds, "locking the member against an erasure");
    }
    const GuardCheck c = guardCheck(db, *this);
    return batch.add(c.statement, c.binds, c.what);
}

Status WriteGuard::checked(const sql::Batch &batch, int check)
{
    sql::BatchRows rows = batch.rows(check);
    return rows.next() ? Status() : Status(erasedMeanwhile());
}

} // namespace openaps::privacy
