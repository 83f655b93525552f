#include "jobs/mastermembers.h"

#include "db/sqlhelpers.h"
#include "jobs/jobslog.h"
#include "privacy/tombstones.h"

namespace openaps::jobs {

MasterMembers::MasterMembers(db::Database database, std::shared_ptr<MasterToken> master, privacy::ParticipantKeys keys,
                             QObject *parent)
    : QObject(parent),
      m_database(std::move(database)),
      m_master(std::move(master)),
      m_keys(std::move(keys))
{ }

void MasterMembers::sync(db::Database database, const oh::Client &client, std::shared_ptr<MasterToken> master,
                         privacy::ParticipantKeys keys, QObject *context, Done done)
{
    auto *self = new MasterMembers(std::move(database), std::move(master), std::move(keys), context);
    oh::ProjectMembersJob *job = client.projectMembers(self->m_master->current(), self);
    connect(job, &oh::Job::finished, self, [self, job, done = std::move(done)] {
        const Result<QList<oh::ProjectMember>> &members = job->result();
        Result<int> added = members ? self->store(*members) : Result<int>(self->m_master->reportError(members.error()));
        if (members && added)
            self->m_master->report(MasterToken::State::Ok, int(members->size()));
        if (!added && !added.error().code.startsWith(QLatin1String("master-token")))
            qCWarning(lcJobs, "project members: %s", qPrintable(added.error().message));
        self->deleteLater();
        done(added);
    });
    job->start();
}

Result<int> MasterMembers::store(const QList<oh::ProjectMember> &members) const
{
    int added = 0;
    const Status s = sql::inTransaction(m_database, [&](const QSqlDatabase &db) -> Status {
        auto stones = privacy::allTombstones(db);
        if (!stones)
            return stones.error();
        for (const oh::ProjectMember &member : members) {
            // Erasure sticks: an erased member comes back only by logging in
            // again and confirming on the site.
            if (stones->contains(m_keys.tombstone(member.projectMemberId)))
                continue;
            auto q = sql::exec(db,
                               QStringLiteral("INSERT INTO participants (member_id) VALUES (?) "
                                              "ON CONFLICT (member_id) DO NOTHING"),
                               { member.projectMemberId }, "adding a project member");
            if (!q)
                return q.error();
            added += q->numRowsAffected() > 0 ? 1 : 0;
        }
        return {};
    });
    if (!s)
        return s.error();
    if (added > 0)
        qCInfo(lcJobs, "project members: %d new of %lld listed", added, qint64(members.size()));
    return added;
}

} // namespace openaps::jobs
