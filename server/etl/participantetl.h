#pragma once

#include "core/result.h"
#include "core/step.h"
#include "db/database.h"
#include "etl/etlstate.h"
#include "etl/fileloader.h"
#include "openhumans/client.h"
#include "privacy/participantkeys.h"
#include "privacy/tombstones.h"
#include "records/datatype.h"

#include <QPointer>
#include <QTemporaryFile>

#include <memory>

class QThreadPool;

namespace openaps::jobs {
class OhAccess;
class OhSession;
}

namespace openaps::etl {

// What one participant's pass did.
struct ParticipantSummary
{
    QString consent; // openaps | nsf | both | none
    bool consentChanged = false;
    bool removed = false; // consent "none": rows removed
    bool skipped = false; // tombstoned (erased, not confirmed again) or erased during the pass: nothing kept
    int filesLoaded = 0;
    int filesFailed = 0;
    FileReport rows; // summed over the files loaded
    QStringList errors; // plain words, no URLs or content
};

// One participant's ETL pass, asynchronous:
//  1. an access token (jobs::OhSession, refreshed when about to expire);
//  2. the member's Open Humans files (exchange-member, all pages);
//  3. the consent file (newest; none at all = "openaps", the old system's
//     only project): "none" removes the participant's rows and ends; a
//     changed consent restamps source_entity on all their rows;
//  4. each data file that is new or changed since the last pass (etl_files),
//     profiles first: streamed to a temporary file, then loaded on a worker
//     thread (FileLoader), the outcome recorded per file;
//  5. the participant's analytics refreshed, the pass recorded.
// A failed file is recorded and retried next cycle; the other files go on.
// finished() comes once; the object must outlive its worker tasks (it is
// deleted only after finished()).
class ParticipantEtl final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParticipantEtl)

public:
    struct Context
    {
        db::Database database;
        oh::Client client;
        jobs::OhSession *session = nullptr;
        QThreadPool *pool = nullptr; // database work runs here
        QString tempDir; // downloads are staged here
        privacy::ParticipantKeys keys; // the member's pseudonym and tombstone
        std::function<void()> beforeBatchCommit = {}; // tests: inside each batch, before COMMIT
    };

    ParticipantEtl(Context context, qint64 participantId, QObject *parent = nullptr);
    ~ParticipantEtl() override;

    void start();
    qint64 participantId() const { return m_participantId; }
    // Valid after finished(): the summary, or why the pass could not run.
    const Result<ParticipantSummary> &result() const { return m_result; }

private:
    void onListed(const oh::Member &member);
    void readConsent(const oh::MemberFile &file);
    void applyConsent(const QString &consent);
    void loadNextFile();
    void onDownloaded(const oh::MemberFile &file, records::DataType type, const Result<oh::DownloadResult> &result);
    void refreshAnalytics();
    void finish(const QString &error = {});
    // The member was erased (or is tombstoned): stop, keeping and recording nothing.
    void stopErased(const QString &why);
    // Runs `work` on the pool, then `then` back on this object's thread.
    void onWorker(std::function<Status()> work, std::function<void(Status)> then);

    Context m_context;
    qint64 m_participantId;
    qint64 m_userId = 0; // the member's pseudonym
    privacy::WriteGuard m_guard;
    int m_sourceEntity = 0;
    std::optional<oh::Client> m_client;
    QString m_token;
    QPointer<jobs::OhAccess> m_access;
    EtlState m_state;
    QList<QPair<oh::MemberFile, records::DataType>> m_pending;
    std::unique_ptr<QTemporaryFile> m_download;
    ParticipantSummary m_summary;
    Result<ParticipantSummary> m_result { makeError("pending", QStringLiteral("The pass has not finished.")) };
};

} // namespace openaps::etl
