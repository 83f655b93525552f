#include "legacy/legacymembers.h"

#include "db/sqlhelpers.h"
#include "privacy/participantdata.h"
#include "privacy/tokenseal.h"
#include "records/consent.h"

#include <QDateTime>
#include <QSet>

namespace openaps::legacy {

namespace {

constexpr char membersTable[] = "register.openhumans_openhumansmember";

// Tombstones and the participants here; a dry run against a target without
// the schema sees neither.
Result<QSet<QString>> tombstones(const MemberContext &context)
{
    auto db = context.target.connection();
    if (!db)
        return db.error();
    auto all = privacy::allTombstones(*db);
    if (!all && context.book->dryRun())
        return QSet<QString>();
    return all;
}

QString noToken()
{
    return QStringLiteral("no Open Humans token (the member must log in again)");
}

// The rows of `query` on the old member register (its first column the
// Open Humans member id), with what decides whether a row's member can come
// across: the id must be a number, and the member not erased here.
class OldMembers
{
public:
    static Result<OldMembers> read(const MemberContext &context, const QString &query, const QVariantList &binds)
    {
        auto stones = tombstones(context);
        if (!stones)
            return stones.error();
        auto source = context.source.connection();
        if (!source)
            return source.error();
        auto q = sql::exec(*source, query, binds, "reading the old members");
        if (!q)
            return q.error();
        return OldMembers(context, std::move(*stones), std::move(*q));
    }

    bool next() { return m_rows.next(); }
    QVariant value(int column) const { return m_rows.value(column); }
    // The current row's member id (canonical), or why it is left out.
    QString memberId() const { return privacy::ParticipantKeys::canonicalMemberId(m_rows.value(0).toString()); }
    std::optional<QString> exclusion(const QString &memberId) const
    {
        bool numeric = false;
        memberId.toLongLong(&numeric);
        if (!numeric)
            return QStringLiteral("member id is not a number");
        if (m_tombstones.contains(m_context->keys.tombstone(memberId)))
            return reason::erased();
        return std::nullopt;
    }

private:
    OldMembers(const MemberContext &context, QSet<QString> tombstones, QSqlQuery rows)
        : m_context(&context),
          m_tombstones(std::move(tombstones)),
          m_rows(std::move(rows))
    { }

    const MemberContext *m_context;
    QSet<QString> m_tombstones;
    QSqlQuery m_rows;
};

} // namespace

int LegacyMember::sourceEntity() const
{
    const auto parsed = records::parseConsent(consent());
    const auto entity = parsed ? privacy::sourceEntityFor(*parsed) : std::nullopt;
    return entity.value_or(0);
}

LegacyMember *MemberDirectory::find(qint64 oldUserId)
{
    auto it = m_members.find(oldUserId);
    return it == m_members.end() || it->erased ? nullptr : &it.value();
}

QString MemberDirectory::reasonFor(qint64 oldUserId) const
{
    return m_excluded.value(oldUserId, reason::leftProject());
}

Result<TableCounts> copyMembers(const MemberContext &context)
{
    const QString table = QLatin1String(membersTable);
    auto after = context.book->position(table);
    if (!after)
        return after.error();
    // Hundreds of rows: one read.
    auto q = OldMembers::read(context,
                              QStringLiteral("SELECT oh_id, user_id, access_token, refresh_token, token_expires FROM "
                                             "register.openhumans_openhumansmember WHERE user_id > ? ORDER BY user_id"),
                              { *after });
    if (!q)
        return q.error();
    const privacy::TokenSeal seal(context.secretKey);
    TableCounts counts;
    qint64 last = *after;
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const bool dry = context.book->dryRun();
    Status s = sql::inTransaction(context.target, [&](const QSqlDatabase &db) -> Status {
        while (q->next()) {
            ++counts.read;
            last = q->value(1).toLongLong();
            const QString memberId = q->memberId();
            if (const auto excluded = q->exclusion(memberId)) {
                if (*excluded == reason::erased())
                    counts.skip(*excluded);
                else
                    counts.fail(*excluded);
                continue;
            }
            const QString access = q->value(2).toString();
            const QString refresh = q->value(3).toString();
            if (access.isEmpty() || refresh.isEmpty()) {
                counts.fail(noToken());
                continue;
            }
            if (dry) {
                auto here = sql::exec(db, QStringLiteral("SELECT 1 FROM participants WHERE member_id = ?"),
                                      { memberId }, "looking up a member");
                if (here && here->next())
                    counts.skip(QStringLiteral("already registered here (their own tokens are kept)"));
                else
                    ++counts.copied;
                continue;
            }
            auto inserted = sql::exec(
                    db,
                    QStringLiteral("INSERT INTO participants (member_id, access_token_enc, refresh_token_enc, "
                                   "token_expires_at, updated_at) VALUES (?, ?, ?, ?, ?) "
                                   "ON CONFLICT (member_id) DO NOTHING"),
                    { memberId, seal.seal(memberId, privacy::TokenKind::Access, access),
                      seal.seal(memberId, privacy::TokenKind::Refresh, refresh), q->value(4).toDateTime().toUTC(),
                      now },
                    "copying a member");
            if (!inserted)
                return inserted.error();
            if (inserted->numRowsAffected() > 0)
                ++counts.copied;
            else
                counts.skip(QStringLiteral("already registered here (their own tokens are kept)"));
        }
        return {};
    });
    if (!s && !dry)
        return s.error();
    if (auto s = context.book->advance(table, last, counts); !s)
        return s.error();
    if (context.progress)
        context.progress(QStringLiteral("%1: %2 rows read").arg(table).arg(counts.read));
    return counts;
}

Result<MemberDirectory> loadDirectory(const MemberContext &context)
{
    auto q = OldMembers::read(context,
                              QStringLiteral("SELECT oh_id, access_token = '' OR refresh_token = '' "
                                             "FROM register.openhumans_openhumansmember"),
                              {});
    if (!q)
        return q.error();
    MemberDirectory directory;
    while (q->next()) {
        const QString memberId = q->memberId();
        const qint64 oldUserId = memberId.toLongLong();
        if (const auto excluded = q->exclusion(memberId)) {
            if (oldUserId != 0)
                directory.exclude(oldUserId, *excluded);
            continue;
        }
        if (q->value(1).toBool()) {
            directory.exclude(oldUserId, noToken());
            continue;
        }
        LegacyMember member;
        member.memberId = memberId;
        member.pseudonym = context.keys.pseudonym(memberId);
        auto here = sql::exec(context.target,
                              QStringLiteral("SELECT p.id, p.deauthorized_at, p.rejoin_pending_at, p.sharing_consent, "
                                             "e.consent, c.consent, c.record_ms FROM participants p "
                                             "LEFT JOIN etl_participants e ON e.participant_id = p.id "
                                             "LEFT JOIN legacy_member_consent c ON c.participant_id = p.id "
                                             "WHERE p.member_id = ?"),
                              { memberId }, "looking up a member");
        if (!here && !context.book->dryRun())
            return here.error();
        if (here && here->next()) {
            if (!here->value(1).isNull() || !here->value(2).isNull()) {
                directory.exclude(oldUserId, QStringLiteral("member left (deauthorised here)"));
                continue;
            }
            member.participantId = here->value(0).toLongLong();
            // What the site saved, else what the ETL read from Open Humans.
            for (int column : { 3, 4 }) {
                if (!member.knownConsent && !here->value(column).toString().isEmpty())
                    member.knownConsent = here->value(column).toString();
            }
            if (!here->value(5).isNull()) {
                member.stampedConsent = here->value(5).toString();
                member.stampedMs = here->value(6).toLongLong();
            }
        } else if (!context.book->dryRun()) {
            // Not copied (counted with the members).
            directory.exclude(oldUserId, QStringLiteral("member could not be copied"));
            continue;
        }
        if (member.consent() == QLatin1String("none")) {
            directory.exclude(oldUserId, QStringLiteral("member does not share (consent none)"));
            continue;
        }
        member.guard = privacy::WriteGuard::forMember(context.keys, memberId,
                                                      member.participantId ? std::optional<qint64>(member.participantId)
                                                                           : std::nullopt);
        directory.add(oldUserId, member);
    }
    return directory;
}

Status saveStamps(const db::Database &target, MemberDirectory &directory)
{
    for (LegacyMember &member : directory.members()) {
        if (!member.stampChanged || member.participantId == 0)
            continue;
        auto q = sql::exec(target,
                           QStringLiteral("INSERT INTO legacy_member_consent (participant_id, consent, record_ms) "
                                          "VALUES (?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET "
                                          "consent = excluded.consent, record_ms = excluded.record_ms "
                                          "WHERE excluded.record_ms > legacy_member_consent.record_ms"),
                           { member.participantId, member.stampedConsent, member.stampedMs },
                           "remembering a member's consent");
        if (!q)
            return q.error();
        member.stampChanged = false;
    }
    return {};
}

} // namespace openaps::legacy
