#pragma once

#include "core/httpcall.h"
#include "openhumans/job.h"
#include "openhumans/types.h"

#include <QPointer>
#include <QSet>

namespace openaps::oh {

// GET the project's members endpoint with the master access token,
// following `next` until it is null: every member of the project, whether
// or not they ever logged in here. Errors: "token-expired" (master tokens
// live 24 hours unless the project turned expiry off; there is no refresh,
// the operator makes a new one), "unauthorized", "bad-response", transport.
class ProjectMembersJob final : public ValueJob<QList<ProjectMember>>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProjectMembersJob)

public:
    ProjectMembersJob(ClientContext context, QString masterToken, QObject *parent);

private:
    void run() override;
    void cancelNetwork() override;
    void fetch(const QUrl &url);

    ClientContext m_context;
    QString m_masterToken;
    QList<ProjectMember> m_members;
    QSet<QString> m_seenPages;
    QPointer<HttpCall> m_call;
};

} // namespace openaps::oh
