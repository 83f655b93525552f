#include "jobs/ohaccess.h"

namespace openaps::jobs {

OhAccess::OhAccess(OhSession *tokens, qint64 participantId, QObject *parent)
    : QObject(parent),
      m_tokens(tokens),
      m_participantId(participantId)
{ }

void OhAccess::withToken(bool forceRefresh, std::function<void(Result<OhSession::Grant>)> callback)
{
    if (!m_tokens) {
        callback(makeError("shutting-down", QStringLiteral("The server is shutting down.")));
        return;
    }
    if (forceRefresh)
        m_tokens->refreshNow(m_participantId, this, std::move(callback));
    else
        m_tokens->accessToken(m_participantId, this, std::move(callback));
}

oh::Client OhAccess::clientFor(const OhSession::Grant &grant) const
{
    return m_tokens->client().forMember(grant.projectMemberId);
}

Error OhAccess::masterError(const Error &error) const
{
    MasterToken *master = m_tokens ? m_tokens->masterToken() : nullptr;
    return master ? master->reportError(error) : error;
}

} // namespace openaps::jobs
