#include "openhumans/memberjob.h"

namespace openaps::oh {

MemberJob::MemberJob(ClientContext context, QString accessToken, QObject *parent)
    : PagedJob(std::move(context), 10000, QStringLiteral("the file list pages never end"), parent),
      m_accessToken(std::move(accessToken))
{ }

QUrl MemberJob::firstPage() const
{
    return api::endpoint(m_context.settings, api::exchangeMemberPath);
}

QUrl MemberJob::pageUrl(const QUrl &url) const
{
    // `next` links normally carry the token already; adding it again keeps
    // them working when a server leaves it out.
    return api::forMember(api::withAccessToken(url, m_accessToken), m_context);
}

Result<QUrl> MemberJob::takePage(const HttpResponse &reply)
{
    auto page = api::parseMemberPage(reply);
    if (!page)
        return page.error();
    if (!m_value.projectMemberId.isEmpty() && m_value.projectMemberId != page->projectMemberId)
        return api::badResponse(QStringLiteral("pages of different members"));
    m_value.projectMemberId = page->projectMemberId;
    m_value.files.append(page->files);
    return page->next;
}

} // namespace openaps::oh
