#pragma once

#include "core/httpcall.h"
#include "openhumans/job.h"
#include "openhumans/types.h"

#include <QPointer>
#include <QUrlQuery>

namespace openaps::oh {

// POST /oauth2/token/ with HTTP Basic client_id:client_secret, for a code
// exchange or a refresh. The result is the new TokenPair; after a refresh the
// old refresh token is dead, so persist the new pair before anything else.
// Errors: "invalid-grant" (code or refresh token no longer valid: the
// participant must log in again), "invalid-client", transport errors.
class TokenJob final : public ValueJob<TokenPair>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenJob)

public:
    TokenJob(ClientContext context, const QUrlQuery &form, QObject *parent);

private:
    void run() override;
    void cancelNetwork() override;

    ClientContext m_context;
    QUrlQuery m_form;
    QPointer<HttpCall> m_call;
};

} // namespace openaps::oh
