#pragma once

#include "core/result.h"
#include "jobs/ohsession.h"
#include "openhumans/client.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace openaps::jobs {

// Runs one participant's Open Humans operations with a usable access token
// from OhSession (which refreshes only near expiry, under a lease, and
// stores the rotated pair before use). An operation answered with
// "Expired token." (revoked early, clock skew) gets one forced refresh and
// one more try. For a member served with the project's master token there
// is nothing to refresh: "Expired token." is reported (MasterToken) and
// comes back as "master-token-expired".
class OhAccess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OhAccess)

public:
    OhAccess(OhSession *tokens, qint64 participantId, QObject *parent);

    // `make` builds the job with the project's client (acting for the
    // member when the token is the master token) and a token; `done` gets
    // its result, or the token's Error ("reauthorize" when the participant
    // must log in again).
    template <typename T>
    using Make = std::function<oh::ValueJob<T> *(const oh::Client &client, const QString &accessToken)>;

    template <typename T> void call(Make<T> make, std::function<void(Result<T>)> done)
    {
        withToken(false, [this, make, done](Result<OhSession::Grant> grant) {
            if (!grant)
                return done(grant.error());
            runOnce<T>(*grant, make, done, true);
        });
    }

private:
    template <typename T>
    void runOnce(const OhSession::Grant &grant, Make<T> make, std::function<void(Result<T>)> done, bool mayRetry)
    {
        oh::ValueJob<T> *job = make(clientFor(grant), grant.accessToken);
        connect(job, &oh::Job::finished, this, [this, job, make, done, mayRetry, master = grant.isMaster()] {
            const Result<T> result = job->result();
            if (!result.ok() && master)
                return done(masterError(result.error()));
            if (!result.ok() && mayRetry && result.error().code == QLatin1String("token-expired")) {
                withToken(true, [this, make, done](Result<OhSession::Grant> fresh) {
                    if (!fresh)
                        return done(fresh.error());
                    runOnce<T>(*fresh, make, done, false);
                });
                return;
            }
            done(result);
        });
        job->start();
    }

    void withToken(bool forceRefresh, std::function<void(Result<OhSession::Grant>)> callback);
    oh::Client clientFor(const OhSession::Grant &grant) const;
    Error masterError(const Error &error) const;

    QPointer<OhSession> m_tokens;
    qint64 m_participantId;
};

} // namespace openaps::jobs
