#include "openhumans/deletejob.h"

#include "openhumans/api.h"

namespace openaps::oh {

DeleteJob::DeleteJob(ClientContext context, QString accessToken, DeleteTarget target, QObject *parent)
    : ValueJob(parent),
      m_context(std::move(context)),
      m_accessToken(std::move(accessToken)),
      m_target(std::move(target))
{ }

void DeleteJob::run()
{
    setDeadline(m_context.settings.operationTimeout);
    QUrlQuery form;
    switch (m_target.kind) {
    case DeleteTarget::Kind::FileId:
        form.addQueryItem(QStringLiteral("file_id"), m_target.value);
        break;
    case DeleteTarget::Kind::Basename:
        form.addQueryItem(QStringLiteral("file_basename"), m_target.value);
        break;
    case DeleteTarget::Kind::AllFiles:
        form.addQueryItem(QStringLiteral("all_files"), QStringLiteral("true"));
        break;
    }
    if (m_target.kind != DeleteTarget::Kind::AllFiles && m_target.value.isEmpty())
        return finish(makeError("bad-request", QStringLiteral("Nothing to delete was named.")));
    api::addMember(form, m_context);
    const QUrl url = api::withAccessToken(api::endpoint(m_context.settings, api::deletePath), m_accessToken);
    m_call = HttpCall::start(m_context.nam, api::formPost(m_context.settings, url, form), this,
                             [this](Result<HttpResponse> reply) {
                                 if (!reply)
                                     return finish(reply.error());
                                 if (!api::isSuccess(*reply))
                                     return finish(api::errorFor(*reply));
                                 finish(Status());
                             });
}

void DeleteJob::cancelNetwork()
{
    if (m_call)
        m_call->abort();
}

} // namespace openaps::oh
