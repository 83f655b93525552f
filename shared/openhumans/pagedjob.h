#pragma once

#include "core/httpcall.h"
#include "openhumans/api.h"
#include "openhumans/job.h"

#include <QPointer>
#include <QSet>

namespace openaps::oh {

// A ValueJob that GETs a list's pages, following `next` until it is null
// (MemberJob, ProjectMembersJob). A server that loops its `next`, or sends
// more than `maxPages` pages, must not keep us forever: that is a
// "bad-response" naming `endless`.
template <typename T> class PagedJob : public ValueJob<T>
{
protected:
    PagedJob(ClientContext context, int maxPages, QString endless, QObject *parent)
        : ValueJob<T>(parent),
          m_context(std::move(context)),
          m_maxPages(maxPages),
          m_endless(std::move(endless))
    { }

    // The first page's URL.
    virtual QUrl firstPage() const = 0;
    // What to GET for `url` (the first page's, or a `next`): with the token.
    virtual QUrl pageUrl(const QUrl &url) const = 0;
    // Adds one page's answer to `m_value`: its `next` (empty for the last
    // page), or an error.
    virtual Result<QUrl> takePage(const HttpResponse &reply) = 0;

    ClientContext m_context;
    T m_value;

private:
    void run() override
    {
        this->setDeadline(m_context.settings.operationTimeout);
        fetch(firstPage());
    }

    void cancelNetwork() override
    {
        if (m_call)
            m_call->abort();
    }

    void fetch(const QUrl &url)
    {
        const QUrl page = pageUrl(url);
        m_seenPages.insert(page.toString());
        m_call = HttpCall::start(
                m_context.nam, api::request(m_context.settings, page), this, [this](Result<HttpResponse> reply) {
                    if (!reply)
                        return this->finish(reply.error());
                    if (!api::isSuccess(*reply))
                        return this->finish(api::errorFor(*reply));
                    auto next = takePage(*reply);
                    if (!next)
                        return this->finish(next.error());
                    if (next->isEmpty())
                        return this->finish(m_value);
                    if (m_seenPages.contains(pageUrl(*next).toString()) || m_seenPages.size() >= m_maxPages)
                        return this->finish(api::badResponse(m_endless));
                    fetch(*next);
                });
    }

    int m_maxPages;
    QString m_endless;
    QSet<QString> m_seenPages;
    QPointer<HttpCall> m_call;
};

} // namespace openaps::oh
