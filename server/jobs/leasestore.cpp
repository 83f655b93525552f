#include "jobs/leasestore.h"

#include "db/sqlhelpers.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>

namespace openaps::jobs {

LeaseStore::LeaseStore(db::Database database, QString job, QString holder, std::chrono::seconds ttl, Clock clock)
    : m_database(std::move(database)),
      m_job(std::move(job)),
      m_holder(std::move(holder)),
      m_ttl(ttl),
      m_clock(std::move(clock))
{ }

QString LeaseStore::newHolderId()
{
    return QStringLiteral("%1:%2:%3")
            .arg(QSysInfo::machineHostName())
            .arg(QCoreApplication::applicationPid())
            .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}

QString LeaseStore::stamp(const QDateTime &t) const
{
    // One fixed text form: SQLite compares these as text.
    return t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

Status LeaseStore::enroll()
{
    auto q = sql::exec(m_database,
                       QStringLiteral("INSERT INTO job_leases (job, participant_id) SELECT ?, id FROM participants "
                                      "WHERE deauthorized_at IS NULL ON CONFLICT DO NOTHING"),
                       { m_job }, "enrolling participants");
    if (!q)
        return q.error();
    return {};
}

Result<std::optional<qint64>> LeaseStore::claimNext(const QDateTime &dueBefore)
{
    const QDateTime now = m_clock();
    const QString lock = m_database.isPostgres() ? QStringLiteral(" FOR UPDATE OF l SKIP LOCKED") : QString();
    const QString sql =
            QStringLiteral("UPDATE job_leases SET holder = ?, expires_at = ?, last_started_at = ? "
                           "WHERE job = ? AND participant_id = ("
                           " SELECT l.participant_id FROM job_leases l JOIN participants p ON p.id = l.participant_id"
                           " WHERE l.job = ? AND p.deauthorized_at IS NULL"
                           " AND (l.expires_at IS NULL OR l.expires_at < ?)"
                           " AND (l.last_finished_at IS NULL OR l.last_finished_at < ?)"
                           " ORDER BY l.last_finished_at NULLS FIRST, l.participant_id LIMIT 1%1) "
                           "RETURNING participant_id")
                    .arg(lock);
    auto q = sql::exec(
            m_database, sql,
            { m_holder, stamp(now.addSecs(m_ttl.count())), stamp(now), m_job, m_job, stamp(now), stamp(dueBefore) },
            "claiming a participant");
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<qint64>();
    return std::optional<qint64>(q->value(0).toLongLong());
}

Result<bool> LeaseStore::claim(qint64 participantId)
{
    const QDateTime now = m_clock();
    auto q = sql::exec(
            m_database,
            QStringLiteral("INSERT INTO job_leases (job, participant_id, holder, expires_at, last_started_at) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (job, participant_id) DO UPDATE SET "
                           "holder = excluded.holder, expires_at = excluded.expires_at, "
                           "last_started_at = excluded.last_started_at "
                           "WHERE job_leases.expires_at IS NULL OR job_leases.expires_at < ? "
                           "OR job_leases.holder = excluded.holder "
                           "RETURNING participant_id"),
            { m_job, participantId, m_holder, stamp(now.addSecs(m_ttl.count())), stamp(now), stamp(now) },
            "claiming a participant");
    if (!q)
        return q.error();
    return q->next();
}

Status LeaseStore::renew(const QList<qint64> &participantIds)
{
    const QString expires = stamp(m_clock().addSecs(m_ttl.count()));
    for (qint64 id : participantIds) {
        auto q = sql::exec(m_database,
                           QStringLiteral("UPDATE job_leases SET expires_at = ? "
                                          "WHERE job = ? AND participant_id = ? AND holder = ?"),
                           { expires, m_job, id, m_holder }, "renewing a lease");
        if (!q)
            return q.error();
    }
    return {};
}

Status LeaseStore::release(qint64 participantId, bool ok, bool finished)
{
    const QString sql = finished
            ? QStringLiteral("UPDATE job_leases SET holder = NULL, expires_at = NULL, last_finished_at = ?, "
                             "last_ok = ? WHERE job = ? AND participant_id = ? AND holder = ?")
            : QStringLiteral("UPDATE job_leases SET holder = NULL, expires_at = NULL "
                             "WHERE job = ? AND participant_id = ? AND holder = ?");
    const QVariantList binds = finished ? QVariantList { stamp(m_clock()), ok, m_job, participantId, m_holder }
                                        : QVariantList { m_job, participantId, m_holder };
    auto q = sql::exec(m_database, sql, binds, "releasing a lease");
    if (!q)
        return q.error();
    return {};
}

} // namespace openaps::jobs
