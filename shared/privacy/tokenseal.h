#pragma once

#include "core/result.h"
#include "crypto/secrets.h"
#include "db/database.h"

#include <QString>
#include <QVariant>

#include <optional>

// The participants' Open Humans tokens at rest (participants.access_token_enc,
// refresh_token_enc): sealed with crypto::SecretBox and bound to their row
// and column, so a sealed value copied to another participant's row, or from
// the refresh column to the access column, does not open.
namespace openaps::privacy {

enum class TokenKind { Access, Refresh };

class TokenSeal
{
public:
    explicit TokenSeal(const QByteArray &secretKey) : m_box(secretKey) { }

    // `memberId`: the row's participants.member_id.
    QString seal(const QString &memberId, TokenKind kind, const QString &token) const;
    // Also opens the unbound form older versions wrote (bindUnboundTokens
    // converts it at the next migration).
    Result<QString> open(const QString &memberId, TokenKind kind, const QString &sealed) const;
    const crypto::SecretBox &box() const { return m_box; }

private:
    crypto::SecretBox m_box;
};

// A participant's row of tokens as stored, still sealed (NULL where none is
// stored); nullopt for no such participant or one who withdrew
// (deauthorized_at). Open them with TokenSeal::open and `memberId`.
struct SealedTokens
{
    QString memberId;
    QVariant access;
    QVariant refresh;
    QVariant expiresAt;
};
Result<std::optional<SealedTokens>> readSealedTokens(const db::Database &database, qint64 participantId);

// Whether any participant still has a token sealed before tokens were bound
// to their row (SecretBox's "v1" form).
Result<bool> hasUnboundTokens(const db::Database &database);

// Re-seals every such token bound to its own row, in one transaction;
// returns how many values changed. Idempotent. A value that does not open
// under this key is left as it is (its participant must log in again
// either way). Runs wherever the schema is migrated (`openaps-server
// migrate`, and every command that migrates at start-up).
Result<qint64> bindUnboundTokens(const db::Database &database, const TokenSeal &seal);

} // namespace openaps::privacy
