#pragma once

#include "core/result.h"
#include "db/database.h"
#include "jobs/leasestore.h"
#include "jobs/mastertoken.h"
#include "openhumans/client.h"
#include "privacy/tokenseal.h"

#include <QObject>

#include <functional>
#include <memory>

namespace openaps::jobs {

// A usable Open Humans access token for a participant, for the scheduled
// jobs (ingest, ETL). Tokens live sealed (privacy::TokenSeal) in
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
// With the project's master token (setMasterToken), a participant without
// usable tokens of their own (a member of the old system who never logged
// in here, or one whose login ended) is served with the master token acting
// for their project member id instead.
//
//   session->accessToken(participantId, this, [](Result<OhSession::Grant> grant) { ... });
class OhSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OhSession)

public:
    struct Grant
    {
        QString accessToken;
        QString projectMemberId; // set when accessToken is the master token acting for this member
        bool isMaster() const { return !projectMemberId.isEmpty(); }
    };
    using Callback = std::function<void(Result<Grant> grant)>;

    OhSession(db::Database database, oh::Client client, const QByteArray &secretKey, const Clock &clock = systemClock(),
              QObject *parent = nullptr);

    void setMargin(std::chrono::seconds margin) { m_margin = margin; }
    void setLeaseWait(std::chrono::milliseconds step, int attempts)
    {
        m_waitStep = step;
        m_waitAttempts = attempts;
    }

    void setMasterToken(std::shared_ptr<MasterToken> master) { m_master = std::move(master); }
    MasterToken *masterToken() const { return m_master.get(); }
    const oh::Client &client() const { return m_client; }

    // Calls back (on this object's thread, via `context`) with a token.
    void accessToken(qint64 participantId, QObject *context, Callback callback);
    // The stored token was refused before its time (revoked): refresh anyway.
    void refreshNow(qint64 participantId, QObject *context, Callback callback);

    struct Stored
    {
        QString accessToken;
        QString refreshToken;
        QDateTime expiresAt;
        QString memberId; // what the sealed values are bound to
    };
    // The decrypted pair; an Error with code "reauthorize" when none is stored.
    Result<Stored> stored(qint64 participantId) const;
    // Seals and stores a pair in one statement.
    Status store(qint64 participantId, const oh::TokenPair &pair) const;

private:
    using TokenCallback = std::function<void(Result<QString> accessToken)>;
    // The participant's own token, or else the master token when there is one.
    void withFallback(qint64 participantId, bool force, QObject *context, Callback callback);
    Result<Grant> masterGrant(qint64 participantId) const;
    void obtain(qint64 participantId, bool force, int attempt, QObject *context, TokenCallback callback);
    void refresh(qint64 participantId, const Stored &current, QObject *context, TokenCallback callback);
    void releaseLease(qint64 participantId, bool ok);

    db::Database m_database;
    oh::Client m_client;
    privacy::TokenSeal m_seal;
    Clock m_clock;
    LeaseStore m_leases;
    std::chrono::seconds m_margin { 300 };
    std::chrono::milliseconds m_waitStep { 2000 };
    int m_waitAttempts = 30;
    std::shared_ptr<MasterToken> m_master;
};

} // namespace openaps::jobs
