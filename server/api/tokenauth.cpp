#include "api/tokenauth.h"

#include "api/apilog.h"
#include "crypto/secrets.h"

#include <QHttpServerRequest>
#include <QSqlError>
#include <QSqlQuery>

namespace openaps::api {

namespace {

// Writing last_used on every request would turn each download into a write;
// once a minute is enough to see which tokens are alive.
constexpr qint64 lastUsedResolutionMs = 60 * 1000;

Error badToken()
{
    return makeError("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
}

} // namespace

TokenAuth::TokenAuth(db::Database database, const QByteArray &secretKey, Clock clock)
    : m_database(std::move(database)),
      m_key(crypto::deriveKey(secretKey, QByteArrayLiteral("api-token"))),
      m_clock(clock ? std::move(clock) : systemClock())
{ }

QString TokenAuth::bearerToken(const QHttpServerRequest &request)
{
    const QByteArray header = request.value("Authorization").trimmed();
    static const QByteArray scheme = QByteArrayLiteral("bearer ");
    if (header.size() <= scheme.size() || header.left(scheme.size()).toLower() != scheme)
        return {};
    return QString::fromLatin1(header.mid(scheme.size()).trimmed());
}

QString TokenAuth::tokenHash(const QString &token) const
{
    return crypto::keyedHash(m_key, token.toLatin1(), 32);
}

Result<Researcher> TokenAuth::authenticate(const QHttpServerRequest &request) const
{
    return authenticateToken(bearerToken(request));
}

Result<Researcher> TokenAuth::authenticateToken(const QString &token) const
{
    if (token.isEmpty())
        return makeError("no-token", QStringLiteral("You are not signed in. Please sign in first."));
    // A real token is 43 base64url characters; anything far off is not worth a query.
    if (token.size() < 20 || token.size() > 200)
        return badToken();
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const QString hash = tokenHash(token);
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("SELECT t.expires_ms, t.revoked_ms, t.last_used_ms, r.id, r.email, r.name, "
                             "r.institution, r.scope, r.is_admin, r.status "
                             "FROM api_tokens t JOIN researchers r ON r.id = t.researcher_id WHERE t.token_hash = ?"));
    q.addBindValue(hash);
    if (!q.exec())
        return db::sqlError("checking an API token", q.lastError());
    if (!q.next())
        return badToken();
    const qint64 now = openaps::nowMs(m_clock);
    if (!q.value(1).isNull() || q.value(0).toLongLong() <= now)
        return badToken();
    Researcher researcher;
    researcher.id = q.value(3).toLongLong();
    researcher.email = q.value(4).toString();
    researcher.name = q.value(5).toString();
    researcher.institution = q.value(6).toString();
    const auto scope = parseScope(q.value(7).toString());
    researcher.isAdmin = q.value(8).toBool();
    if (q.value(9).toString() != QLatin1String("approved") || !scope)
        return makeError("deactivated",
                         QStringLiteral("Your researcher account is not active. Please contact the "
                                        "data commons administrators."));
    researcher.scope = *scope;
    const bool stale = q.value(2).isNull() || now - q.value(2).toLongLong() >= lastUsedResolutionMs;
    q.finish();
    if (stale) {
        QSqlQuery touch(*db);
        touch.prepare(QStringLiteral("UPDATE api_tokens SET last_used_ms = ? WHERE token_hash = ?"));
        touch.addBindValue(now);
        touch.addBindValue(hash);
        // Bookkeeping only: a failed write must not refuse a valid token.
        if (!touch.exec())
            qCWarning(lcApi, "could not record token use for researcher %lld: %s", researcher.id,
                      qPrintable(db::sqlErrorText(touch.lastError())));
    }
    return researcher;
}

} // namespace openaps::api
