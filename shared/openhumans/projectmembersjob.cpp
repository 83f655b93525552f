#include "openhumans/projectmembersjob.h"

namespace openaps::oh {

ProjectMembersJob::ProjectMembersJob(ClientContext context, QString masterToken, QObject *parent)
    : PagedJob(std::move(context), 100000, QStringLiteral("the member list pages never end"), parent),
      m_masterToken(std::move(masterToken))
{ }

QUrl ProjectMembersJob::firstPage() const
{
    return api::endpoint(m_context.settings, api::projectMembersPath);
}

QUrl ProjectMembersJob::pageUrl(const QUrl &url) const
{
    return api::withAccessToken(url, m_masterToken);
}

Result<QUrl> ProjectMembersJob::takePage(const HttpResponse &reply)
{
    auto page = api::parseMembersPage(reply);
    if (!page)
        return page.error();
    m_value.append(page->members);
    return page->next;
}

} // namespace openaps::oh
