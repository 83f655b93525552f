#include "api/export/exportapi.h"

#include "api/apierror.h"
#include "api/apilog.h"
#include "api/export/adminusage.h"
#include "api/export/datasets.h"
#include "api/export/downloadaudit.h"
#include "api/export/exportparams.h"
#include "api/export/exportproducer.h"
#include "api/export/participantlist.h"
#include "api/tokenauth.h"
#include "db/readreplica.h"
#include "http/chunkqueue.h"
#include "http/exportstream.h"
#include "http/pendingreply.h"
#include "http/webserver.h"

#include <QHttpServer>
#include <QJsonArray>
#include <QJsonObject>

namespace openaps::api {

namespace {

// Bytes a producer may have rendered ahead of the socket.
constexpr qsizetype queueBytes = 1024 * 1024;

Error unknownDataset(const QString &name)
{
    QStringList names;
    for (const Dataset &d : datasets())
        names << d.name;
    return makeError("unknown-dataset",
                     QStringLiteral("There is no dataset '%1'. The datasets are: %2.")
                             .arg(name, names.join(QLatin1String(", "))));
}

// The dataset and the filters of an export or count request.
Result<ExportQuery> exportQuery(const QString &name, const QUrlQuery &params, const Researcher &researcher,
                                bool withFormat)
{
    const Dataset *dataset = findDataset(name);
    if (!dataset)
        return unknownDataset(name);
    auto parsed = ExportParams::parse(params, *dataset, withFormat);
    if (!parsed)
        return parsed.error();
    return ExportQuery { dataset, *parsed, allowedSourceEntities(researcher.scope) };
}

QString outcomeName(http::ExportStream::Outcome outcome)
{
    switch (outcome) {
    case http::ExportStream::Outcome::Complete:
        return QStringLiteral("complete");
    case http::ExportStream::Outcome::Aborted:
        return QStringLiteral("aborted");
    case http::ExportStream::Outcome::Failed:
        return QStringLiteral("failed");
    case http::ExportStream::Outcome::Revoked:
        return QStringLiteral("revoked");
    }
    return {};
}

// The token no longer lets its holder download (not a database hiccup,
// which must not end a download).
bool isRefusal(const Error &error)
{
    return error.code == QLatin1String("bad-token") || error.code == QLatin1String("deactivated");
}

QHttpServerResponse dataDictionaryResponse()
{
    QHttpServerResponse response("text/csv; charset=utf-8", dataDictionaryCsv());
    addApiHeaders(response);
    response.setHeader("Content-Disposition", "attachment; filename=\"data-dictionary.csv\"");
    return response;
}

QHttpServerResponse countResponse(const db::Database &database, const std::shared_ptr<db::ReadReplica> &replica,
                                  const QString &dataset, const QUrlQuery &params, const Researcher &researcher)
{
    auto query = exportQuery(dataset, params, researcher, false);
    if (!query)
        return errorResponse(query.error());
    const auto reads = db::forReads(database, replica);
    if (!reads)
        return errorResponse(reads.error());
    const Result<qint64> rows = countExportRows(*reads, *query);
    return rows ? jsonResponse({ { QStringLiteral("rows"), *rows } }) : errorResponse(rows.error());
}

} // namespace

ExportApi::ExportApi(db::Database database, Authenticate authenticate, int exportsPerResearcher, QObject *parent)
    : QObject(parent),
      m_database(std::move(database)),
      m_authenticate(std::move(authenticate)),
      m_exportsPerResearcher(qMax(1, exportsPerResearcher))
{
    m_workers.setMaxThreadCount(maxConcurrentExports);
    m_counts.setMaxThreadCount(2);
    m_lookups.setMaxThreadCount(2);
    m_audit.setMaxThreadCount(1);
    m_recheck.setInterval(recheckInterval);
    connect(&m_recheck, &QTimer::timeout, this, &ExportApi::recheckTokens);
}

ExportApi::~ExportApi()
{
    const auto running = m_exports; // each cancel() removes its own entry
    for (const Running &r : running)
        r.stream->cancel();
    m_workers.waitForDone();
    m_counts.waitForDone();
    m_lookups.waitForDone();
    m_audit.waitForDone(); // the audit rows of the downloads just cancelled
}

void ExportApi::install(http::WebServer &web)
{
    QHttpServer &router = web.router();
    using Method = QHttpServerRequest::Method;
    using Responder = QHttpServerResponder;
    router.route(QStringLiteral("/api/v1/datasets"), Method::Get,
                 [this](const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder), [](const Researcher &) {
                         return jsonResponse({ { QStringLiteral("datasets"), datasetsJson() } });
                     });
                 });
    router.route(QStringLiteral("/api/v1/data-dictionary.csv"), Method::Get,
                 [this](const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [](const Researcher &) { return dataDictionaryResponse(); });
                 });
    router.route(QStringLiteral("/api/v1/participants"), Method::Get,
                 [this](const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [database = m_database, replica = m_replica](const Researcher &researcher) {
                                        const auto reads = db::forReads(database, replica);
                                        if (!reads)
                                            return errorResponse(reads.error());
                                        const auto list = listParticipants(*reads,
                                                                           allowedSourceEntities(researcher.scope));
                                        return list ? jsonResponse({ { QStringLiteral("participants"), *list } })
                                                    : errorResponse(list.error());
                                    });
                 });
    router.route(QStringLiteral("/api/v1/export/<arg>/count"), Method::Get,
                 [this](const QString &dataset, const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_counts, m_authenticate, r, std::move(responder),
                                    [database = m_database, replica = m_replica, dataset,
                                     params = r.query()](const Researcher &researcher) {
                                        return countResponse(database, replica, dataset, params, researcher);
                                    });
                 });
    router.route(QStringLiteral("/api/v1/export/<arg>"), Method::Get,
                 [this](const QString &dataset, const QHttpServerRequest &r, Responder &&responder) {
                     onExport(dataset, r, std::move(responder));
                 });
    router.route(QStringLiteral("/api/v1/admin/downloads"), Method::Get,
                 [this](const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [database = m_database, params = r.query()](const Researcher &researcher) {
                                        return downloadsResponse(database, params, researcher);
                                    });
                 });
    router.route(QStringLiteral("/api/v1/admin/usage"), Method::Get,
                 [this](const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [database = m_database, params = r.query()](const Researcher &researcher) {
                                        return usageResponse(database, params, researcher);
                                    });
                 });
}

void ExportApi::onExport(const QString &dataset, const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    auto reply = std::make_shared<http::PendingReply>(std::move(responder));
    m_lookups.start([this, reply, dataset, params = request.query(), token = TokenAuth::bearerToken(request)] {
        const auto researcher = m_authenticate(token);
        const auto query = researcher ? exportQuery(dataset, params, *researcher, true)
                                      : Result<ExportQuery>(researcher.error());
        // The token and scope were read from the primary; only the rows come from a replica.
        const auto reads = query ? db::forReads(m_database, m_replica) : Result<db::Database>(query.error());
        QMetaObject::invokeMethod(
                this,
                [this, reply, token, researcher, query, reads] {
                    if (!reads)
                        return fail(reply, reads.error());
                    startExport(reply, token, *researcher, *query, *reads);
                },
                Qt::QueuedConnection);
    });
}

void ExportApi::startExport(const std::shared_ptr<http::PendingReply> &reply, const QString &token,
                            const Researcher &researcher, const ExportQuery &query, const db::Database &reads)
{
    const auto running = std::count_if(m_exports.cbegin(), m_exports.cend(),
                                       [&](const Running &r) { return r.researcherId == researcher.id; });
    if (running >= m_exportsPerResearcher) {
        auto busy = errorResponse(makeError(
                "too-many-exports",
                QStringLiteral("You already have %1 downloads running. Please wait for one to finish and try again.")
                        .arg(m_exportsPerResearcher)));
        busy.setHeader("Retry-After", "30");
        return reply->send(std::move(busy));
    }
    std::optional<QHttpServerResponder> responder = reply->take();
    if (!responder)
        return; // the client left while its token was checked
    DownloadRecord record;
    record.researcherId = researcher.id;
    record.dataset = query.dataset->name;
    record.filters = query.params.auditFilters();
    record.format = query.params.format == ExportFormat::Csv ? QStringLiteral("csv") : QStringLiteral("ndjson");
    record.startedAt = QDateTime::currentDateTimeUtc();

    QHttpServerResponse apiHeaders(QHttpServerResponse::StatusCode::Ok);
    addApiHeaders(apiHeaders);
    QList<std::pair<QByteArray, QByteArray>> headers {
        { "Content-Type", query.params.contentType() },
        { "Content-Disposition", "attachment; filename=\"" + query.params.fileName(*query.dataset).toUtf8() + '"' },
    };
    headers += http::headersOf(apiHeaders);
    auto queue = std::make_shared<http::ChunkQueue>(queueBytes);
    auto *stream = new http::ExportStream(std::move(*responder), queue, std::move(headers), errorResponse, this);
    const quint64 id = ++m_nextExport;
    m_exports.insert(id, Running { stream, researcher.id, token });
    if (!m_recheck.isActive())
        m_recheck.start();
    connect(stream, &http::ExportStream::finished, this,
            [this, id, stream, record](const http::ExportStream::Result &result) mutable {
                m_exports.remove(id);
                if (m_exports.isEmpty())
                    m_recheck.stop();
                record.rows = result.rows;
                record.bytes = result.bytes;
                record.outcome = outcomeName(result.outcome);
                record.finishedAt = QDateTime::currentDateTimeUtc();
                qCInfo(lcApi, "export %s for researcher %lld: %s, %lld rows, %lld bytes", qPrintable(record.dataset),
                       record.researcherId, qPrintable(record.outcome), record.rows, record.bytes);
                recordOnWorker(record);
                stream->deleteLater();
            });
    m_workers.start([reads, query, queue] { produceExport(reads, query, *queue); });
}

void ExportApi::recordOnWorker(const DownloadRecord &record)
{
    m_audit.start([database = m_database, record] {
        if (auto s = recordDownload(database, record); !s)
            qCWarning(lcApi, "could not record a download: %s", qPrintable(s.error().message));
    });
}

void ExportApi::recheckTokens()
{
    // One round at a time: a slow database must not pile rounds up.
    if (m_rechecking || m_exports.isEmpty())
        return;
    m_rechecking = true;
    QHash<quint64, QString> tokens;
    for (auto it = m_exports.cbegin(); it != m_exports.cend(); ++it)
        tokens.insert(it.key(), it->token);
    m_lookups.start([this, tokens] {
        QHash<QString, std::optional<Error>> refusals; // one check per token
        QList<std::pair<quint64, Error>> revoked;
        for (auto it = tokens.cbegin(); it != tokens.cend(); ++it) {
            auto found = refusals.find(it.value());
            if (found == refusals.end()) {
                const auto researcher = m_authenticate(it.value());
                std::optional<Error> refusal;
                if (!researcher && isRefusal(researcher.error()))
                    refusal = researcher.error();
                found = refusals.insert(it.value(), refusal);
            }
            if (*found)
                revoked.append({ it.key(), **found });
        }
        QMetaObject::invokeMethod(
                this,
                [this, revoked] {
                    m_rechecking = false;
                    for (const auto &[id, error] : revoked) {
                        if (auto it = m_exports.constFind(id); it != m_exports.cend())
                            it->stream->revoke(error);
                    }
                },
                Qt::QueuedConnection);
    });
}

} // namespace openaps::api
