#pragma once

#include "core/result.h"
#include "db/database.h"
#include "jobs/mastertoken.h"
#include "openhumans/client.h"
#include "privacy/participantkeys.h"

#include <QObject>

#include <functional>
#include <memory>

namespace openaps::jobs {

// With the master token, the start of an ETL or ingest cycle: every member
// the project's members endpoint lists (all pages) gets a participants row,
// so the participant pass loads and transfers them like anyone who logged in
// here. Their row holds no tokens; OhSession acts for them with the master
// token. Tombstoned members (erased) are skipped; rows that exist are left
// as they are (a withdrawn member stays withdrawn). An expired token is
// reported (MasterToken::report), never a silent stop: the pass goes on for
// everyone who has tokens of their own.
//
//   MasterMembers::sync(database, client, master, keys, this, [](Result<int> added) { ... });
class MasterMembers final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MasterMembers)

public:
    using Done = std::function<void(Result<int> added)>;

    static void sync(db::Database database, const oh::Client &client, std::shared_ptr<MasterToken> master,
                     privacy::ParticipantKeys keys, QObject *context, Done done);

private:
    MasterMembers(db::Database database, std::shared_ptr<MasterToken> master, privacy::ParticipantKeys keys,
                  QObject *parent);
    Result<int> store(const QList<oh::ProjectMember> &members) const;

    db::Database m_database;
    std::shared_ptr<MasterToken> m_master;
    privacy::ParticipantKeys m_keys;
};

} // namespace openaps::jobs
