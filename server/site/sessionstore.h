#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"
#include "site/statementcache.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace openaps::site {

struct Session
{
    QString cookie; // the value the browser holds; never stored
    qint64 participantId = 0; // 0 until the Open Humans login completed
    QString csrfToken;
    QString oauthState; // set while a login is under way
    qint64 expiresMs = 0;

    bool loggedIn() const { return participantId > 0; }
};

// Server-side sessions in the database, so a restart or a second server
// instance keeps everyone logged in. Only a keyed hash of the cookie value
// is stored. Lifetime is absolute (from creation), so reads never write.
class SessionStore
{
public:
    SessionStore(db::Database database, const QByteArray &secretKey, std::chrono::seconds lifetime, Clock clock);

    // Before login a session only carries the OAuth state for the trip to
    // Open Humans and back; anyone can make one, so it must not stay long.
    static constexpr std::chrono::seconds preLoginLifetime { 15 * 60 };

    // A new session with a fresh cookie value and CSRF token; one without a
    // participant (pre-login) lives preLoginLifetime, others lifetime().
    Result<Session> create(qint64 participantId, const QString &oauthState = {});
    // The live session for a cookie value, or nullopt (unknown or expired).
    Result<std::optional<Session>> find(const QString &cookie) const;
    // Login: drops the pre-login session and starts a new one for the
    // participant, so an id planted before login is worth nothing after it.
    Result<Session> rotate(const QString &oldCookie, qint64 participantId);
    Status destroy(const QString &cookie);
    // Removes expired sessions; returns how many.
    Result<int> purgeExpired();

    std::chrono::seconds lifetime() const { return m_lifetime; }

private:
    QString idHash(const QString &cookie) const;

    db::Database m_database;
    QByteArray m_key;
    std::chrono::seconds m_lifetime;
    Clock m_clock;
    std::unique_ptr<StatementCache> m_statements; // find() runs on every page view
};

} // namespace openaps::site
