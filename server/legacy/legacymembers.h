#pragma once

#include "core/result.h"
#include "db/database.h"
#include "legacy/migrationbook.h"
#include "privacy/participantkeys.h"
#include "privacy/tombstones.h"

#include <QHash>
#include <QString>

#include <functional>
#include <optional>

namespace openaps::legacy {

using ProgressLine = std::function<void(const QString &)>;

// A member whose old rows are migrated.
struct LegacyMember
{
    QString memberId; // canonical Open Humans project member id
    qint64 participantId = 0; // 0 in a dry run for a member not yet copied
    qint64 pseudonym = 0;
    privacy::WriteGuard guard;
    // The consent this system already knows (the site saved it or the ETL
    // read it): it wins over the old records' stamps.
    std::optional<QString> knownConsent;
    // Otherwise: the newest old record's `sharing_consent` and its time.
    QString stampedConsent;
    qint64 stampedMs = -1;
    bool stampChanged = false;
    bool erased = false; // meanwhile: nothing more is written

    // openaps 0, nsf 1, both 2; the old system's default (OpenAPS) without a word.
    int sourceEntity() const;
    QString consent() const { return knownConsent.value_or(stampedConsent); }
};

// Who among the old database's members is migrated, by the old `user_id`.
class MemberDirectory
{
public:
    // Null for members whose rows are not migrated (or who were erased meanwhile).
    LegacyMember *find(qint64 oldUserId);
    // Why rows of a member not in the directory are skipped.
    QString reasonFor(qint64 oldUserId) const;
    QHash<qint64, LegacyMember> &members() { return m_members; }

    void add(qint64 oldUserId, const LegacyMember &member) { m_members.insert(oldUserId, member); }
    void exclude(qint64 oldUserId, const QString &reason) { m_excluded.insert(oldUserId, reason); }

private:
    QHash<qint64, LegacyMember> m_members;
    QHash<qint64, QString> m_excluded;
};

// The reasons rows are skipped for, as the report prints them.
namespace reason {
inline QString leftProject()
{
    return QStringLiteral("member is no longer in the project");
}
inline QString erased()
{
    return QStringLiteral("member was erased");
}
} // namespace reason

struct MemberContext
{
    db::Database source;
    db::Database target;
    privacy::ParticipantKeys keys;
    QByteArray secretKey; // seals the Open Humans tokens as the site does
    MigrationBook *book = nullptr;
    ProgressLine progress;
};

// register.openhumans_openhumansmember → participants: member id and both
// Open Humans tokens with their expiry, the tokens sealed as the site seals
// its own (privacy::TokenSeal, bound to the member), so the ingest and ETL go on with them. A
// member already registered here keeps their own, newer tokens; erased
// members (a tombstone) are not copied.
Result<TableCounts> copyMembers(const MemberContext &context);

// Every old member whose rows are migrated (still in the project, registered
// here, not erased, not deauthorised here), with stamps of earlier runs.
Result<MemberDirectory> loadDirectory(const MemberContext &context);

// Remembers the members' newest consent stamps (legacy_member_consent).
Status saveStamps(const db::Database &target, MemberDirectory &directory);

} // namespace openaps::legacy
