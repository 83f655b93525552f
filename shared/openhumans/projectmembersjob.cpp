#include "openhumans/projectmembersjob.h"

#include "openhumans/api.h"

namespace openaps::oh {

namespace {
constexpr int maxPages = 100000;
}

ProjectMembersJob::ProjectMembersJob(ClientContext context, QString masterToken, QObject *parent)
    : ValueJob(parent),
      m_context(std::move(context)),
      m_masterToken(std::move(masterToken))
{ }

void ProjectMembersJob::run()
{
    setDeadline(m_context.settings.operationTimeout);
    fetch(api::endpoint(m_context.settings, api::projectMembersPath));
}

void ProjectMembersJob::fetch(const QUrl &url)
{
    const QUrl pageUrl = api::withAccessToken(url, m_masterToken);
    m_seenPages.insert(pageUrl.toString());
    m_call = HttpCall::start(m_context.nam, api::request(m_context.settings, pageUrl), this,
                             [this](Result<HttpResponse> reply) {
                                 if (!reply)
                                     return finish(reply.error());
                                 if (!api::isSuccess(*reply))
                                     return finish(api::errorFor(*reply));
                                 auto page = api::parseMembersPage(*reply);
                                 if (!page)
                                     return finish(page.error());
                                 m_members.append(page->members);
                                 if (page->next.isEmpty())
                                     return finish(m_members);
                                 if (m_seenPages.contains(api::withAccessToken(page->next, m_masterToken).toString())
                                     || m_seenPages.size() >= maxPages)
                                     return finish(api::badResponse(QStringLiteral("the member list pages never end")));
                                 fetch(page->next);
                             });
}

void ProjectMembersJob::cancelNetwork()
{
    if (m_call)
        m_call->abort();
}

} // namespace openaps::oh
