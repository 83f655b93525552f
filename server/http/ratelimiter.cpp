#include "http/ratelimiter.h"

#include "crypto/secrets.h"

#include <QSqlError>
#include <QSqlQuery>

namespace openaps::http {

RateLimiter::RateLimiter(db::Database database, const QByteArray &secretKey, int limit, std::chrono::seconds window,
                         Clock clock)
    : m_database(std::move(database)),
      m_key(crypto::deriveKey(secretKey, QByteArrayLiteral("site-rate-limit"))),
      m_limit(limit),
      m_windowMs(qMax<qint64>(1000, qint64(window.count()) * 1000)),
      m_clock(std::move(clock))
{ }

QByteArray RateLimiter::bucketOf(const QHostAddress &client)
{
    // IPv4-mapped IPv6 and plain IPv4 must count as the same client.
    bool isV4 = false;
    const quint32 v4 = client.toIPv4Address(&isV4);
    if (isV4 || client.protocol() != QAbstractSocket::IPv6Protocol)
        return QHostAddress(v4).toString().toLatin1();
    // An IPv6 client gets a whole /64 (RFC 6177; SLAAC needs it), and
    // picks any address in it: the /64 is the client.
    Q_IPV6ADDR bytes = client.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString().toLatin1() + "/64";
}

Result<RateLimiter::Decision> RateLimiter::hit(const QHostAddress &client)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const qint64 now = nowMs(m_clock);
    const qint64 window = now - now % m_windowMs;
    const QByteArray address = bucketOf(client);
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("INSERT INTO site_rate_limits (bucket, window_ms, hits) VALUES (?, ?, 1) "
                             "ON CONFLICT (bucket, window_ms) DO UPDATE "
                             "SET hits = site_rate_limits.hits + 1 RETURNING hits"));
    q.addBindValue(crypto::keyedHash(m_key, address, 16));
    q.addBindValue(window);
    if (!q.exec() || !q.next())
        return db::sqlError("counting a form post", q.lastError());
    const int hits = q.value(0).toInt();
    Decision decision;
    decision.allowed = hits <= m_limit;
    if (!decision.allowed)
        decision.retryAfterSeconds = int((window + m_windowMs - now + 999) / 1000);
    return decision;
}

Status RateLimiter::purgeOld()
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const qint64 now = nowMs(m_clock);
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("DELETE FROM site_rate_limits WHERE window_ms < ?"));
    q.addBindValue(now - now % m_windowMs);
    if (!q.exec())
        return db::sqlError("removing old rate-limit counters", q.lastError());
    return {};
}

} // namespace openaps::http
