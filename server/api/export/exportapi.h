#pragma once

#include "api/researcher.h"
#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QHash>
#include <QHttpServerResponse>
#include <QObject>
#include <QThreadPool>

#include <functional>

class QHttpServerRequest;
class QHttpServerResponder;

namespace openaps::http {
class WebServer;
}

namespace openaps::api {

class ExportStream;

// The data half of the researcher API (contract v1, "Data"):
//   GET /api/v1/datasets                  the datasets and their columns
//   GET /api/v1/export/{dataset}          a streamed CSV or NDJSON download
//   GET /api/v1/export/{dataset}/count    how many rows that would be
//   GET /api/v1/admin/downloads?limit=N   the download audit (admins)
// Rows are only those the researcher's scope allows (source_entity). Each
// download is read by a worker thread with its own connection and written
// by the server's thread as the client takes it (ExportStream).
class ExportApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExportApi)

public:
    // Who is asking: the bearer token's researcher, or an error answered as
    // it is (bad-token → 401). TokenAuth::authenticate in production.
    using Authenticate = std::function<Result<Researcher>(const QHttpServerRequest &)>;

    // `exportsPerResearcher` (OPENAPS_API_EXPORTS_PER_RESEARCHER): one
    // researcher's downloads at once, so no one takes every worker; beyond
    // it 429 `too-many-exports` with Retry-After.
    ExportApi(db::Database database, Authenticate authenticate, int exportsPerResearcher = 2,
              QObject *parent = nullptr);
    // Stops running downloads and waits for their workers.
    ~ExportApi() override;

    void install(http::WebServer &web);

    // Downloads at once; more wait for a worker (each holds a connection).
    static constexpr int maxConcurrentExports = 4;
    int runningExports() const;

private:
    QHttpServerResponse onDatasets(const QHttpServerRequest &request) const;
    void onCount(const QString &dataset, const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void onExport(const QString &dataset, const QHttpServerRequest &request, QHttpServerResponder &&responder);
    QHttpServerResponse onDownloads(const QHttpServerRequest &request) const;

    db::Database m_database;
    Authenticate m_authenticate;
    QThreadPool m_workers;
    QThreadPool m_counts; // COUNT(*) can take seconds: never on the thread that serves every request
    int m_exportsPerResearcher;
    QHash<qint64, int> m_running; // researcher id → their downloads now
};

} // namespace openaps::api
