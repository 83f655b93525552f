#include "api/accountguard.h"

#include "db/sqlhelpers.h"

#include <QSqlQuery>

namespace openaps::api {

namespace {

constexpr qint64 hourMs = 3600 * 1000;

QString kindName(AccountGuard::Kind kind)
{
    switch (kind) {
    case AccountGuard::Kind::CodeIssued:
        return QStringLiteral("code-issued");
    case AccountGuard::Kind::CodeFailed:
        return QStringLiteral("code-failed");
    case AccountGuard::Kind::PasswordFailed:
        break;
    }
    return QStringLiteral("password-failed");
}

} // namespace

AccountGuard::AccountGuard(db::Database database, Limits limits) : m_database(std::move(database)), m_limits(limits) { }

int AccountGuard::limit(Kind kind) const
{
    switch (kind) {
    case Kind::CodeIssued:
        return m_limits.codesPerHour;
    case Kind::CodeFailed:
        return m_limits.failedCodesPerHour;
    case Kind::PasswordFailed:
        break;
    }
    return m_limits.failedPasswordsPerHour;
}

Result<int> AccountGuard::lockedFor(qint64 researcherId, Kind kind, qint64 nowMs) const
{
    auto q = sql::exec(m_database,
                       QStringLiteral("SELECT locked_until_ms FROM researcher_limits WHERE researcher_id = ? AND "
                                      "kind = ?"),
                       { researcherId, kindName(kind) }, "reading an account's limits");
    if (!q)
        return q.error();
    const qint64 until = q->next() ? q->value(0).toLongLong() : 0;
    return until > nowMs ? int((until - nowMs + 999) / 1000) : 0;
}

Result<int> AccountGuard::count(qint64 researcherId, Kind kind, qint64 nowMs)
{
    // One statement counts, so concurrent requests cannot share a count; a
    // window older than an hour starts again at this event.
    auto q = sql::exec(m_database,
                       QStringLiteral("INSERT INTO researcher_limits (researcher_id, kind, window_start_ms, hits) "
                                      "VALUES (?, ?, ?, 1) ON CONFLICT (researcher_id, kind) DO UPDATE SET "
                                      "hits = CASE WHEN researcher_limits.window_start_ms <= ? THEN 1 "
                                      "ELSE researcher_limits.hits + 1 END, "
                                      "window_start_ms = CASE WHEN researcher_limits.window_start_ms <= ? THEN ? "
                                      "ELSE researcher_limits.window_start_ms END RETURNING hits"),
                       { researcherId, kindName(kind), nowMs, nowMs - hourMs, nowMs - hourMs, nowMs },
                       "counting for an account's limits");
    if (!q)
        return q.error();
    if (!q->next())
        return makeError("database", QStringLiteral("Counting for an account's limits returned nothing."));
    return q->value(0).toInt();
}

Result<bool> AccountGuard::takeCode(qint64 researcherId, qint64 nowMs)
{
    auto hits = count(researcherId, Kind::CodeIssued, nowMs);
    if (!hits)
        return hits.error();
    return *hits <= m_limits.codesPerHour;
}

Result<bool> AccountGuard::fail(qint64 researcherId, Kind kind, qint64 nowMs)
{
    auto hits = count(researcherId, kind, nowMs);
    if (!hits)
        return hits.error();
    if (*hits < limit(kind))
        return false;
    // Locked: an hour, doubled for every lockout since the last success.
    auto q = sql::exec(m_database,
                       QStringLiteral("SELECT lockouts FROM researcher_limits WHERE researcher_id = ? AND kind = ?"),
                       { researcherId, kindName(kind) }, "reading an account's lockouts");
    if (!q)
        return q.error();
    const int lockouts = q->next() ? q->value(0).toInt() : 0;
    q->finish();
    const qint64 lockMs = qMin(qint64(m_limits.firstLockout.count()) * 1000 << qMin(lockouts, 16),
                               qint64(m_limits.longestLockout.count()) * 1000);
    auto locked = sql::exec(m_database,
                            QStringLiteral("UPDATE researcher_limits SET locked_until_ms = ?, lockouts = lockouts + 1, "
                                           "hits = 0, window_start_ms = ? WHERE researcher_id = ? AND kind = ?"),
                            { nowMs + lockMs, nowMs, researcherId, kindName(kind) }, "locking an account");
    if (!locked)
        return locked.error();
    return true;
}

Status AccountGuard::succeed(qint64 researcherId, Kind kind)
{
    auto q = sql::exec(m_database,
                       QStringLiteral("UPDATE researcher_limits SET hits = 0, lockouts = 0 WHERE researcher_id = ? AND "
                                      "kind = ?"),
                       { researcherId, kindName(kind) }, "clearing an account's failures");
    return q ? Status() : Status(q.error());
}

} // namespace openaps::api
