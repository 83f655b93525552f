#pragma once

#include "core/httpcall.h"
#include "openhumans/job.h"
#include "openhumans/types.h"

#include <QPointer>
#include <QSet>

namespace openaps::oh {

// GET exchange-member with the member's access token, following `next`
// until it is null, so the result lists every file of the member.
// Errors: "token-expired" (refresh and try again), "unauthorized"
// (withdrawn), "bad-response", transport errors.
class MemberJob final : public ValueJob<Member>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemberJob)

public:
    MemberJob(ClientContext context, QString accessToken, QObject *parent);

private:
    void run() override;
    void cancelNetwork() override;
    void fetch(const QUrl &url);

    ClientContext m_context;
    QString m_accessToken;
    Member m_member;
    QSet<QString> m_seenPages; // a server that loops its `next` must not keep us forever
    QPointer<HttpCall> m_call;
};

} // namespace openaps::oh
