#pragma once

#include "api/researcher.h"
#include "api/workeranswer.h"
#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QHash>
#include <QHttpServerResponse>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>

class QHttpServerRequest;
class QHttpServerResponder;

namespace openaps::db {
class ReadReplica;
}
namespace openaps::http {
class WebServer;
class ExportStream;
class PendingReply;
} // namespace openaps::http

namespace openaps::api {

struct DownloadRecord;
struct ExportQuery;

// The data half of the researcher API (contract v1, "Data"):
//   GET /api/v1/datasets                  the datasets, their columns and documentation
//   GET /api/v1/data-dictionary.csv       the same documentation as CSV
//   GET /api/v1/participants              the participants in scope (participantlist.h)
//   GET /api/v1/export/{dataset}          a streamed CSV or NDJSON download
//   GET /api/v1/export/{dataset}/count    how many rows that would be
//   GET /api/v1/admin/downloads           the download audit, paged and filtered (admins)
//   GET /api/v1/admin/usage               downloads per researcher in a window (admins)
// Rows are only those the researcher's scope allows (source_entity), read
// from the read replica when one is configured (db::forReads);
// the token check and the audit use the primary. Each
// download is read by a worker thread with its own connection and written
// by the server's thread as the client takes it (ExportStream). Nothing
// here touches the database on the server's thread: the token check, the
// count, the audit list and the audit writes run on workers too, so a slow
// or locked table holds up only the request that needs it.
class ExportApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExportApi)

public:
    // Who is asking (api/workeranswer.h); also called again while a download runs.
    using Authenticate = api::Authenticate;

    // `exportsPerResearcher` (OPENAPS_API_EXPORTS_PER_RESEARCHER): one
    // researcher's downloads at once, so no one takes every worker; beyond
    // it 429 `too-many-exports` with Retry-After.
    ExportApi(db::Database database, Authenticate authenticate, int exportsPerResearcher = 2,
              QObject *parent = nullptr);
    // Stops running downloads and waits for their workers.
    ~ExportApi() override;

    // Exports, counts and the participants list read `replica` (before install()).
    void setReadReplica(std::shared_ptr<db::ReadReplica> replica) { m_replica = std::move(replica); }
    void install(http::WebServer &web);

    // Downloads at once; more wait for a worker (each holds a connection).
    static constexpr int maxConcurrentExports = 4;
    int runningExports() const { return int(m_exports.size()); }
    // Blocks until the audit rows of the downloads that ended are written.
    void waitForAuditWrites() { m_audit.waitForDone(); }

    // How often the tokens of running downloads are checked again: a
    // download stops this soon after its token is revoked or its
    // researcher deactivated (audited `revoked`).
    static constexpr std::chrono::milliseconds recheckInterval { 2000 };

private:
    void onExport(const QString &dataset, const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // `reads`: where the rows come from (db::forReads).
    void startExport(const std::shared_ptr<http::PendingReply> &reply, const QString &token,
                     const Researcher &researcher, const ExportQuery &query, const db::Database &reads);
    void recordOnWorker(const DownloadRecord &record);
    void recheckTokens();

    struct Running
    {
        http::ExportStream *stream = nullptr;
        qint64 researcherId = 0;
        QString token;
    };

    db::Database m_database;
    std::shared_ptr<db::ReadReplica> m_replica; // none: the rows come from m_database
    Authenticate m_authenticate;
    QThreadPool m_workers;
    QThreadPool m_counts; // COUNT(*) can take seconds: never on the thread that serves every request
    QThreadPool m_lookups; // token checks and the audit list
    QThreadPool m_audit; // audit writes, one at a time: a locked audit table holds up nothing else
    int m_exportsPerResearcher;
    QHash<quint64, Running> m_exports; // running downloads by a serial number
    quint64 m_nextExport = 0;
    QTimer m_recheck;
    bool m_rechecking = false;
};

} // namespace openaps::api
