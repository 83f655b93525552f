#include "openhumans/memberjob.h"

#include "openhumans/api.h"

namespace openaps::oh {

namespace {
constexpr int maxPages = 10000;
}

MemberJob::MemberJob(ClientContext context, QString accessToken, QObject *parent)
    : ValueJob(parent),
      m_context(std::move(context)),
      m_accessToken(std::move(accessToken))
{ }

void MemberJob::run()
{
    setDeadline(m_context.settings.operationTimeout);
    fetch(api::forMember(api::endpoint(m_context.settings, api::exchangeMemberPath), m_context));
}

void MemberJob::fetch(const QUrl &url)
{
    // `next` links normally carry the token already; adding it again keeps
    // them working when a server leaves it out.
    const QUrl pageUrl = api::forMember(api::withAccessToken(url, m_accessToken), m_context);
    m_seenPages.insert(pageUrl.toString());
    m_call = HttpCall::start(
            m_context.nam, api::request(m_context.settings, pageUrl), this, [this](Result<HttpResponse> reply) {
                if (!reply)
                    return finish(reply.error());
                if (!api::isSuccess(*reply))
                    return finish(api::errorFor(*reply));
                auto page = api::parseMemberPage(*reply);
                if (!page)
                    return finish(page.error());
                if (!m_member.projectMemberId.isEmpty() && m_member.projectMemberId != page->projectMemberId)
                    return finish(api::badResponse(QStringLiteral("pages of different members")));
                m_member.projectMemberId = page->projectMemberId;
                m_member.files.append(page->files);
                if (page->next.isEmpty())
                    return finish(m_member);
                if (m_seenPages.contains(
                            api::forMember(api::withAccessToken(page->next, m_accessToken), m_context).toString())
                    || m_seenPages.size() >= maxPages)
                    return finish(api::badResponse(QStringLiteral("the file list pages never end")));
                fetch(page->next);
            });
}

void MemberJob::cancelNetwork()
{
    if (m_call)
        m_call->abort();
}

} // namespace openaps::oh
