#include "site/sessionstore.h"

#include "crypto/secrets.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace openaps::site {

SessionStore::SessionStore(db::Database database, const QByteArray &secretKey, std::chrono::seconds lifetime,
                           Clock clock)
    : m_database(std::move(database)),
      m_key(crypto::deriveKey(secretKey, QByteArrayLiteral("site-session"))),
      m_lifetime(lifetime),
      m_clock(std::move(clock)),
      m_statements(std::make_unique<StatementCache>(m_database))
{ }

QString SessionStore::idHash(const QString &cookie) const
{
    return crypto::keyedHash(m_key, cookie.toLatin1(), 32);
}

Result<Session> SessionStore::create(qint64 participantId, const QString &oauthState)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const qint64 now = nowMs(m_clock);
    Session session;
    session.cookie = crypto::randomToken(32);
    session.participantId = participantId;
    session.csrfToken = crypto::randomToken(32);
    session.oauthState = oauthState;
    session.expiresMs = now + qint64((participantId > 0 ? m_lifetime : preLoginLifetime).count()) * 1000;
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("INSERT INTO site_sessions (id_hash, participant_id, csrf_token, "
                             "oauth_state, created_ms, seen_ms, expires_ms) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    q.addBindValue(idHash(session.cookie));
    q.addBindValue(participantId > 0 ? QVariant(participantId) : QVariant(QMetaType::fromType<qint64>()));
    q.addBindValue(session.csrfToken);
    q.addBindValue(oauthState.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(oauthState));
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(session.expiresMs);
    if (!q.exec())
        return db::sqlError("creating a session", q.lastError());
    return session;
}

Result<std::optional<Session>> SessionStore::find(const QString &cookie) const
{
    if (cookie.isEmpty() || cookie.size() > 128)
        return std::optional<Session>();
    auto prepared = m_statements->prepared(QStringLiteral("SELECT participant_id, csrf_token, oauth_state, expires_ms "
                                                          "FROM site_sessions WHERE id_hash = ? AND expires_ms > ?"));
    if (!prepared)
        return prepared.error();
    QSqlQuery &q = **prepared;
    q.bindValue(0, idHash(cookie));
    q.bindValue(1, nowMs(m_clock));
    if (!q.exec())
        return db::sqlError("reading a session", q.lastError());
    std::optional<Session> found;
    if (q.next()) {
        Session session;
        session.cookie = cookie;
        session.participantId = q.value(0).toLongLong();
        session.csrfToken = q.value(1).toString();
        session.oauthState = q.value(2).toString();
        session.expiresMs = q.value(3).toLongLong();
        found = session;
    }
    q.finish();
    return found;
}

Result<Session> SessionStore::rotate(const QString &oldCookie, qint64 participantId)
{
    if (auto dropped = destroy(oldCookie); !dropped)
        return dropped.error();
    return create(participantId);
}

Status SessionStore::destroy(const QString &cookie)
{
    if (cookie.isEmpty())
        return {};
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("DELETE FROM site_sessions WHERE id_hash = ?"));
    q.addBindValue(idHash(cookie));
    if (!q.exec())
        return db::sqlError("ending a session", q.lastError());
    return {};
}

Result<int> SessionStore::purgeExpired()
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("DELETE FROM site_sessions WHERE expires_ms <= ?"));
    q.addBindValue(nowMs(m_clock));
    if (!q.exec())
        return db::sqlError("removing expired sessions", q.lastError());
    return q.numRowsAffected();
}

} // namespace openaps::site
