#include "privacy/participantkeys.h"

#include "crypto/secrets.h"

#include <QtEndian>

namespace openaps::privacy {

ParticipantKeys::ParticipantKeys(const QByteArray &secretKey, const QByteArray &pseudonymSecret)
    : m_pseudonymKey(crypto::deriveKey(pseudonymSecret.isEmpty() ? secretKey : pseudonymSecret,
                                       QByteArrayLiteral("participant-pseudonym"))),
      m_tombstoneKey(crypto::deriveKey(secretKey, QByteArrayLiteral("participant-tombstone"))),
      m_profileNameKey(crypto::deriveKey(secretKey, QByteArrayLiteral("profile-name")))
{ }

QString ParticipantKeys::canonicalMemberId(const QString &memberId)
{
    QString trimmed = memberId.trimmed();
    bool digits = !trimmed.isEmpty();
    for (const QChar c : trimmed)
        digits = digits && c.isDigit() && c.unicode() < 128;
    if (!digits)
        return trimmed;
    int zeros = 0;
    while (zeros + 1 < trimmed.size() && trimmed.at(zeros) == QLatin1Char('0'))
        ++zeros;
    return trimmed.mid(zeros);
}

qint64 ParticipantKeys::pseudonym(const QString &memberId) const
{
    const QByteArray digest = QByteArray::fromHex(
            crypto::keyedHash(m_pseudonymKey, canonicalMemberId(memberId).toUtf8(), 16).toLatin1());
    const quint64 h = qFromBigEndian<quint64>(digest.constData());
    // The modulo's bias is below 2^-10 of a value: irrelevant for a name.
    constexpr quint64 span = quint64(lastPseudonym - firstPseudonym + 1);
    return firstPseudonym + qint64(h % span);
}

QString ParticipantKeys::tombstone(const QString &memberId) const
{
    return crypto::keyedHash(m_tombstoneKey, canonicalMemberId(memberId).toUtf8(), 32);
}

QString ParticipantKeys::profileName(const QString &name) const
{
    return QStringLiteral("profile-") + crypto::keyedHash(m_profileNameKey, name.toUtf8(), 4);
}

} // namespace openaps::privacy
