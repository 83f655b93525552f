#pragma once

#include "openhumans/pagedjob.h"
#include "openhumans/types.h"

namespace openaps::oh {

// GET the project's members endpoint with the master access token,
// following `next` until it is null: every member of the project, whether
// or not they ever logged in here. Errors: "token-expired" (master tokens
// live 24 hours unless the project turned expiry off; there is no refresh,
// the operator makes a new one), "unauthorized", "bad-response", transport.
class ProjectMembersJob final : public PagedJob<QList<ProjectMember>>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectMembersJob)

public:
    ProjectMembersJob(ClientContext context, QString masterToken, QObject *parent);

private:
    QUrl firstPage() const override;
    QUrl pageUrl(const QUrl &url) const override;
    Result<QUrl> takePage(const HttpResponse &reply) override;

    QString m_masterToken;
};

} // namespace openaps::oh
