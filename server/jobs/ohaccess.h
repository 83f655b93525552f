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
// one more try.
class OhAccess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OhAccess)

public:
    OhAccess(OhSession *tokens, qint64 participantId, QObject *parent);

    // `make` builds the job for a token; `done` gets its result, or the
    // token's Error ("reauthorize" when the participant must log in again).
    template <typename T>
    void call(std::function<oh::ValueJob<T> *(const QString &accessToken)> make, std::function<void(Result<T>)> done)
    {
        withToken(false, [this, make, done](Result<QString> token) {
            if (!token)
                return done(token.error());
            runOnce<T>(*token, make, done, true);
        });
    }

private:
    template <typename T>
    void runOnce(const QString &token, std::function<oh::ValueJob<T> *(const QString &)> make,
                 std::function<void(Result<T>)> done, bool mayRetry)
    {
        oh::ValueJob<T> *job = make(token);
        connect(job, &oh::Job::finished, this, [this, job, make, done, mayRetry] {
            const Result<T> result = job->result();
            if (!result.ok() && mayRetry && result.error().code == QLatin1String("token-expired")) {
                withToken(true, [this, make, done](Result<QString> fresh) {
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

    void withToken(bool forceRefresh, std::function<void(Result<QString>)> callback);

    QPointer<OhSession> m_tokens;
    qint64 m_participantId;
};

} // namespace openaps::jobs
