#pragma once

#include <QByteArray>
#include <QString>

// How the research database names a participant without their Open Humans
// member id (README, "ETL and research database", "Pseudonyms"). Both values
// are keyed hashes of the member id, so nothing a researcher receives
// addresses the participant in Open Humans or in a webhook, and without the
// server's key none can be reversed or recomputed.
namespace openaps::privacy {

class ParticipantKeys
{
public:
    // Pseudonyms are 16-digit numbers in [10^15, 2^53): never an Open Humans
    // member id (8 digits), and exact in every JSON reader, R and
    // spreadsheets (below 2^53).
    static constexpr qint64 firstPseudonym = 1000000000000000LL;
    static constexpr qint64 lastPseudonym = 9007199254740991LL;

    // Keys derived from OPENAPS_SECRET_KEY. `pseudonymSecret` (the optional
    // OPENAPS_PSEUDONYM_KEY) replaces it for pseudonyms only, so they can be
    // rotated without touching tokens or tombstones (README, "Key rotation").
    explicit ParticipantKeys(const QByteArray &secretKey, const QByteArray &pseudonymSecret = {});

    // The member's stable pseudonymous id: the `user_id` of every research
    // and analytics table, the same in every dataset and download.
    qint64 pseudonym(const QString &memberId) const;
    // The member's tombstone (64 hex digits): what stays after an erasure.
    QString tombstone(const QString &memberId) const;
    // A profile name as the research tables keep it: "profile-" and 8 hex
    // digits of a keyed hash, the same for one name everywhere, so a
    // profile switch still names the profile it switched to
    // (privacy/recordscrub.h).
    QString profileName(const QString &name) const;

    static bool isPseudonym(qint64 userId) { return userId >= firstPseudonym && userId <= lastPseudonym; }
    // "01234567" and " 1234567" are one member: digits without leading zeros.
    static QString canonicalMemberId(const QString &memberId);

private:
    QByteArray m_pseudonymKey;
    QByteArray m_tombstoneKey;
    QByteArray m_profileNameKey;
};

} // namespace openaps::privacy
