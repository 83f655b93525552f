#include "privacy/tokenseal.h"

#include "db/sqlhelpers.h"

namespace openaps::privacy {

namespace {

// Not secret: names what a sealed value belongs to.
QByteArray binding(const QString &memberId, TokenKind kind)
{
    return (kind == TokenKind::Access ? QByteArrayLiteral("oh-access-token\n")
                                      : QByteArrayLiteral("oh-refresh-token\n"))
            + memberId.toUtf8();
}

const QString unboundPattern = QStringLiteral("v1:%");

} // namespace

QString TokenSeal::seal(const QString &memberId, TokenKind kind, const QString &token) const
{
    return m_box.encrypt(token.toUtf8(), binding(memberId, kind));
}

Result<QString> TokenSeal::open(const QString &memberId, TokenKind kind, const QString &sealed) const
{
    // Unbound values exist only until the next migrate binds them (and while
    // an instance of an older version still writes them during an upgrade).
    auto plain = crypto::SecretBox::isUnbound(sealed) ? m_box.decrypt(sealed)
                                                      : m_box.decrypt(sealed, binding(memberId, kind));
    if (!plain)
        return plain.error();
    return QString::fromUtf8(*plain);
}

Result<std::optional<SealedTokens>> readSealedTokens(const db::Database &database, qint64 participantId)
{
    auto q = sql::exec(database,
                       QStringLiteral("SELECT access_token_enc, refresh_token_enc, token_expires_at, member_id "
                                      "FROM participants WHERE id = ? AND deauthorized_at IS NULL"),
                       { participantId }, "reading tokens");
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<SealedTokens>();
    return std::optional<SealedTokens>(SealedTokens { q->value(3).toString(), q->value(0), q->value(1), q->value(2) });
}

Result<bool> hasUnboundTokens(const db::Database &database)
{
    auto q = sql::exec(database,
                       QStringLiteral("SELECT 1 FROM participants WHERE access_token_enc LIKE ? "
                                      "OR refresh_token_enc LIKE ? LIMIT 1"),
                       { unboundPattern, unboundPattern }, "looking for unbound tokens");
    if (!q)
        return q.error();
    return q->next();
}

Result<qint64> bindUnboundTokens(const db::Database &database, const TokenSeal &seal)
{
    qint64 changed = 0;
    const Status s = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        auto rows = sql::exec(db,
                              QStringLiteral("SELECT id, member_id, access_token_enc, refresh_token_enc "
                                             "FROM participants WHERE access_token_enc LIKE ? "
                                             "OR refresh_token_enc LIKE ?"),
                              { unboundPattern, unboundPattern }, "reading unbound tokens");
        if (!rows)
            return rows.error();
        struct Row
        {
            qint64 id;
            QString member;
            QVariant access, refresh;
        };
        QList<Row> found;
        while (rows->next())
            found.append({ rows->value(0).toLongLong(), rows->value(1).toString(), rows->value(2), rows->value(3) });
        rows->finish();
        // The value bound to its row, or unchanged when it is not unbound or does not open.
        const auto rebind = [&](const Row &row, const QVariant &value, TokenKind kind) {
            if (value.isNull() || !crypto::SecretBox::isUnbound(value.toString()))
                return value;
            auto plain = seal.box().decrypt(value.toString());
            if (!plain)
                return value;
            ++changed;
            return QVariant(seal.seal(row.member, kind, QString::fromUtf8(*plain)));
        };
        for (const Row &row : std::as_const(found)) {
            auto q = sql::exec(db,
                               QStringLiteral("UPDATE participants SET access_token_enc = ?, refresh_token_enc = ? "
                                              "WHERE id = ?"),
                               { rebind(row, row.access, TokenKind::Access),
                                 rebind(row, row.refresh, TokenKind::Refresh), row.id },
                               "binding tokens to their row");
            if (!q)
                return q.error();
        }
        return {};
    });
    if (!s)
        return s.error();
    return changed;
}

} // namespace openaps::privacy
