#pragma once

#include "openhumans/pagedjob.h"
#include "openhumans/types.h"

namespace openaps::oh {

// GET exchange-member with the member's access token, following `next`
// until it is null, so the result lists every file of the member.
// Errors: "token-expired" (refresh and try again), "unauthorized"
// (withdrawn), "bad-response", transport errors.
class MemberJob final : public PagedJob<Member>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemberJob)

public:
    MemberJob(ClientContext context, QString accessToken, QObject *parent);

private:
    QUrl firstPage() const override;
    QUrl pageUrl(const QUrl &url) const override;
    Result<QUrl> takePage(const HttpResponse &reply) override;

    QString m_accessToken;
};

} // namespace openaps::oh
