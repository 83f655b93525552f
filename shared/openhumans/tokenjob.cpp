#include "openhumans/tokenjob.h"

#include "openhumans/api.h"

namespace openaps::oh {

TokenJob::TokenJob(ClientContext context, const QUrlQuery &form, QObject *parent)
    : ValueJob(parent),
      m_context(std::move(context)),
      m_form(form) // QUrlQuery has no move constructor
{ }

void TokenJob::run()
{
    setDeadline(m_context.settings.operationTimeout);
    HttpRequest post = api::formPost(m_context.settings, api::endpoint(m_context.settings, api::tokenPath), m_form);
    const QByteArray credentials = (m_context.settings.clientId + QLatin1Char(':') + m_context.settings.clientSecret)
                                           .toUtf8();
    post.request.setRawHeader("Authorization", "Basic " + credentials.toBase64());
    m_call = HttpCall::start(m_context.nam, std::move(post), this, [this](Result<HttpResponse> reply) {
        if (!reply)
            return finish(reply.error());
        if (!api::isSuccess(*reply))
            return finish(api::errorFor(*reply));
        finish(api::parseTokenPair(*reply, m_context.clock()));
    });
}

void TokenJob::cancelNetwork()
{
    if (m_call)
        m_call->abort();
}

} // namespace openaps::oh
