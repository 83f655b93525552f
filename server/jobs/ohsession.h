#pragma once

#include "core/result.h"
#include "crypto/secrets.h"
#include "db/database.h"
#include "jobs/leasestore.h"
#include "openhumans/client.h"

#include <QObject>

#include <functional>

namespace openaps::jobs {

// A usable Open Humans access token for a participant, for the scheduled
// jobs (ingest, ETL). Tokens live sealed (crypto::SecretBox) in
// participants.access_token_enc / refresh_token_enc / token_expires_at.
//
// The stored access token is used while it stays valid for `margin` more;
// only then is it refreshed. Open Humans rotates refresh tokens (the old one
// dies on use), so:
//  - a refresh happens under a lease (job "oh-token"), so two jobs or two
//    instances never spend the same refresh token; a second caller waits for
//    the lease and then reads the pair the first one stored;
//  - the new pair is written in one UPDATE before anyone uses it.
// A refused refresh ("invalid-grant") means the participant must log in
// again: the error code is "reauthorize".
//
//   session->accessToken(participantId, this, [](Result<QString> token) { ... });
class OhSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OhSession)

public:
    using Callback = std::function<void(Result<QString> accessToken)>;

    OhSession(db::Database database, oh::Client client, const QByteArray &secretKey, Clock clock = systemClock(),
              QObject *parent = nullptr);

    void setMargin(std::chrono::seconds margin) { m_margin = margin; }
    void setLeaseWait(std::chrono::milliseconds step, int attempts)
    {
        m_waitStep = step;
        m_waitAttempts = attempts;
    }

    // Calls back (on this object's thread, via `context`) with a token.
    void accessToken(qint64 participantId, QObject *context, Callback callback);
    // The stored token was refused before its time (revoked): refresh anyway.
    void refreshNow(qint64 participantId, QObject *context, Callback callback);

    struct Stored
    {
        QString accessToken;
        QString refreshToken;
        QDateTime expiresAt;
    };
    // The decrypted pair; an Error with code "reauthorize" when none is stored.
    Result<Stored> stored(qint64 participantId) const;
    // Seals and stores a pair in one statement.
    Status store(qint64 participantId, const oh::TokenPair &pair) const;

private:
    void obtain(qint64 participantId, bool force, int attempt, QObject *context, Callback callback);
    void refresh(qint64 participantId, const Stored &current, QObject *context, Callback callback);
    void releaseLease(qint64 participantId, bool ok);

    db::Database m_database;
    oh::Client m_client;
    crypto::SecretBox m_box;
    Clock m_clock;
    LeaseStore m_leases;
    std::chrono::seconds m_margin { 300 };
    std::chrono::milliseconds m_waitStep { 2000 };
    int m_waitAttempts = 30;
};

} // namespace openaps::jobs
