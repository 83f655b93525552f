#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"

#include <QHostAddress>

#include <chrono>

namespace openaps::http {

// Per-client limit on form posts, counted in fixed windows in the database
// (an IPv6 client is its /64)
// so every server instance sees the same counts. Clients are stored as a
// keyed hash of their address, never the address itself.
class RateLimiter
{
public:
    struct Decision
    {
        bool allowed = true;
        int retryAfterSeconds = 0; // when not allowed
    };

    RateLimiter(db::Database database, const QByteArray &secretKey, int limit, std::chrono::seconds window,
                Clock clock);

    // Counts one POST from `client` and says whether it may go ahead.
    Result<Decision> hit(const QHostAddress &client);
    // Drops the counters of windows that have ended.
    Status purgeOld();
    // What one client is: its IPv4 address, or its IPv6 /64.
    static QByteArray bucketOf(const QHostAddress &client);

private:
    db::Database m_database;
    QByteArray m_key;
    int m_limit;
    qint64 m_windowMs;
    Clock m_clock;
};

} // namespace openaps::http
