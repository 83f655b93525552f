#pragma once

#include "core/httpcall.h"
#include "openhumans/job.h"
#include "openhumans/types.h"

#include <QPointer>

namespace openaps::oh {

// POST files/delete/ with exactly one of file_id, file_basename (every file
// of that name) or all_files. Deleting something already gone succeeds.
class DeleteJob final : public ValueJob<void>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeleteJob)

public:
    DeleteJob(ClientContext context, QString accessToken, DeleteTarget target, QObject *parent);

private:
    void run() override;
    void cancelNetwork() override;

    ClientContext m_context;
    QString m_accessToken;
    DeleteTarget m_target;
    QPointer<HttpCall> m_call;
};

} // namespace openaps::oh
