#pragma once

#include "core/httpcall.h"
#include "openhumans/job.h"
#include "openhumans/types.h"

#include <QPointer>

namespace openaps::oh {

// The three-step direct upload:
//   1. POST upload/direct/ (filename, metadata JSON) → 201 {id, url}
//   2. PUT the raw bytes to url, with no Content-Type (the signed storage
//      URL was made without one, so sending one breaks the signature)
//   3. POST upload/complete/ (file_id) → {"status":"ok","size":N}
// The result is the new file id and the size Open Humans recorded, which
// must equal the bytes sent. An Error keeps the cause's code ("token-expired",
// "server-error", ...; "size-mismatch" for a wrong size) and its message
// names the step; failedStep() tells which.
class UploadJob final : public ValueJob<UploadResult>
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadJob)

public:
    enum class Step { None, Register, Transfer, Complete };

    UploadJob(ClientContext context, QString accessToken, UploadRequest upload, QObject *parent);

    Step failedStep() const { return m_failedStep; }

private:
    void run() override;
    void cancelNetwork() override;
    void transfer(const QUrl &storageUrl);
    void complete();
    void failAt(Step step, const Error &cause);

    ClientContext m_context;
    QString m_accessToken;
    UploadRequest m_upload;
    QString m_fileId;
    Step m_failedStep = Step::None;
    QPointer<HttpCall> m_call;
};

} // namespace openaps::oh
