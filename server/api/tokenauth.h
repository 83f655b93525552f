#pragma once

#include "api/researcher.h"
#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"

#include <QByteArray>
#include <QString>

#include <chrono>

class QHttpServerRequest;

namespace openaps::api {

// Bearer tokens of the researcher API (README, "Researcher API (accounts)"): 32 random bytes,
// base64url, handed out by a login and stored only as a keyed hash (key =
// crypto::deriveKey(OPENAPS_SECRET_KEY, "api-token")), so a copy of the
// database cannot be used to sign in. Safe to use from any thread: it only
// holds immutable values and asks db::Database for the thread's connection.
class TokenAuth
{
public:
    TokenAuth(db::Database database, const QByteArray &secretKey, Clock clock = systemClock());

    // The approved researcher behind `Authorization: Bearer <token>`.
    // Errors: no-token (no Authorization header), bad-token (unknown, malformed,
    // expired or revoked token),
    // deactivated (the researcher is no longer approved), or a database
    // error (a 500). Records last use at most once a minute.
    Result<Researcher> authenticate(const QHttpServerRequest &request) const;
    Result<Researcher> authenticateToken(const QString &token) const;

    // The token from an Authorization header value, empty when there is none.
    static QString bearerToken(const QHttpServerRequest &request);
    // What is stored for a token.
    QString tokenHash(const QString &token) const;

    qint64 nowMs() const { return openaps::nowMs(m_clock); }

private:
    db::Database m_database;
    QByteArray m_key;
    Clock m_clock;
};

} // namespace openaps::api
