#include "api/export/exportapi.h"

#include "api/apierror.h"
#include "api/apilog.h"
#include "api/export/chunkqueue.h"
#include "api/export/datasets.h"
#include "api/export/downloadaudit.h"
#include "api/export/exportparams.h"
#include "api/export/exportproducer.h"
#include "api/export/exportstream.h"
#include "api/pendingreply.h"
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
Result<ExportQuery> exportQuery(const QString &name, const QHttpServerRequest &request, const Researcher &researcher,
                                bool withFormat)
{
    const Dataset *dataset = findDataset(name);
    if (!dataset)
        return unknownDataset(name);
    auto params = ExportParams::parse(request.query(), *dataset, withFormat);
    if (!params)
        return params.error();
    return ExportQuery { dataset, *params, allowedSourceEntities(researcher.scope) };
}

QString outcomeName(ExportStream::Outcome outcome)
{
    switch (outcome) {
    case ExportStream::Outcome::Complete:
        return QStringLiteral("complete");
    case ExportStream::Outcome::Aborted:
        return QStringLiteral("aborted");
    case ExportStream::Outcome::Failed:
        return QStringLiteral("failed");
    }
    return {};
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
}

ExportApi::~ExportApi()
{
    for (ExportStream *stream : findChildren<ExportStream *>(Qt::FindDirectChildrenOnly))
        stream->cancel();
    m_workers.waitForDone();
    m_counts.waitForDone();
}

int ExportApi::runningExports() const
{
    return int(findChildren<ExportStream *>(Qt::FindDirectChildrenOnly).size());
}

void ExportApi::install(http::WebServer &web)
{
    QHttpServer &router = web.router();
    using Method = QHttpServerRequest::Method;
    router.route(QStringLiteral("/api/v1/datasets"), Method::Get,
                 [this](const QHttpServerRequest &r) { return onDatasets(r); });
    router.route(QStringLiteral("/api/v1/export/<arg>/count"), Method::Get,
                 [this](const QString &dataset, const QHttpServerRequest &r, QHttpServerResponder &&responder) {
                     onCount(dataset, r, std::move(responder));
                 });
    router.route(QStringLiteral("/api/v1/export/<arg>"), Method::Get,
                 [this](const QString &dataset, const QHttpServerRequest &r, QHttpServerResponder &&responder) {
                     onExport(dataset, r, std::move(responder));
                 });
    router.route(QStringLiteral("/api/v1/admin/downloads"), Method::Get,
                 [this](const QHttpServerRequest &r) { return onDownloads(r); });
}

QHttpServerResponse ExportApi::onDatasets(const QHttpServerRequest &request) const
{
    if (auto researcher = m_authenticate(request); !researcher)
        return errorResponse(researcher.error());
    QJsonArray list;
    for (const Dataset &d : datasets()) {
        QJsonArray columns;
        for (const ExportColumn &c : d.columns)
            columns.append(QJsonObject { { QStringLiteral("name"), c.name },
                                         { QStringLiteral("type"), exportTypeName(c.type) } });
        list.append(QJsonObject {
                { QStringLiteral("name"), d.name },
                { QStringLiteral("columns"), columns },
                { QStringLiteral("time_column"), d.timeColumn.isEmpty() ? QJsonValue() : QJsonValue(d.timeColumn) } });
    }
    return jsonResponse({ { QStringLiteral("datasets"), list } });
}

void ExportApi::onCount(const QString &dataset, const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    auto researcher = m_authenticate(request);
    if (!researcher)
        return writeResponse(responder, errorResponse(researcher.error()));
    auto query = exportQuery(dataset, request, *researcher, false);
    if (!query)
        return writeResponse(responder, errorResponse(query.error()));
    // Counted on a worker with its own connection; the answer is written
    // back on this thread (the destructor waits for the workers, so `this`
    // outlives them, and a queued call to a deleted object is dropped).
    auto reply = std::make_shared<PendingReply>(std::move(responder));
    m_counts.start([this, database = m_database, query = *query, reply] {
        const Result<qint64> rows = countExportRows(database, query);
        QMetaObject::invokeMethod(
                this,
                [reply, rows] {
                    reply->send(rows ? jsonResponse({ { QStringLiteral("rows"), *rows } })
                                     : errorResponse(rows.error()));
                },
                Qt::QueuedConnection);
    });
}

void ExportApi::onExport(const QString &dataset, const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    auto researcher = m_authenticate(request);
    if (!researcher) {
        writeResponse(responder, errorResponse(researcher.error()));
        return;
    }
    auto query = exportQuery(dataset, request, *researcher, true);
    if (!query) {
        writeResponse(responder, errorResponse(query.error()));
        return;
    }
    if (m_running.value(researcher->id) >= m_exportsPerResearcher) {
        auto busy = errorResponse(makeError(
                "too-many-exports",
                QStringLiteral("You already have %1 downloads running. Please wait for one to finish and try again.")
                        .arg(m_exportsPerResearcher)));
        busy.setHeader("Retry-After", "30");
        writeResponse(responder, busy);
        return;
    }
    ++m_running[researcher->id];
    DownloadRecord record;
    record.researcherId = researcher->id;
    record.dataset = query->dataset->name;
    record.filters = query->params.auditFilters();
    record.format = query->params.format == ExportFormat::Csv ? QStringLiteral("csv") : QStringLiteral("ndjson");
    record.startedAt = QDateTime::currentDateTimeUtc();

    QHttpServerResponse apiHeaders(QHttpServerResponse::StatusCode::Ok);
    addApiHeaders(apiHeaders);
    QList<std::pair<QByteArray, QByteArray>> headers {
        { "Content-Type", query->params.contentType() },
        { "Content-Disposition", "attachment; filename=\"" + query->params.fileName(*query->dataset).toUtf8() + '"' },
    };
    headers += apiHeadersOf(apiHeaders);
    auto queue = std::make_shared<ChunkQueue>(queueBytes);
    auto *stream = new ExportStream(std::move(responder), queue, std::move(headers), this);
    connect(stream, &ExportStream::finished, this, [this, stream, record](const ExportStream::Result &result) mutable {
        record.rows = result.rows;
        record.bytes = result.bytes;
        record.outcome = outcomeName(result.outcome);
        record.finishedAt = QDateTime::currentDateTimeUtc();
        if (--m_running[record.researcherId] <= 0)
            m_running.remove(record.researcherId);
        qCInfo(lcApi, "export %s for researcher %lld: %s, %lld rows, %lld bytes", qPrintable(record.dataset),
               record.researcherId, qPrintable(record.outcome), record.rows, record.bytes);
        if (auto s = recordDownload(m_database, record); !s)
            qCWarning(lcApi, "could not record a download: %s", qPrintable(s.error().message));
        stream->deleteLater();
    });
    m_workers.start([database = m_database, query = *query, queue] { produceExport(database, query, *queue); });
}

QHttpServerResponse ExportApi::onDownloads(const QHttpServerRequest &request) const
{
    auto researcher = m_authenticate(request);
    if (!researcher)
        return errorResponse(researcher.error());
    if (!researcher->isAdmin)
        return errorResponse(makeError("forbidden", QStringLiteral("Only administrators can see the downloads.")));
    int limit = 100;
    const QUrlQuery query = request.query();
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        bool ok = false;
        if (name == QLatin1String("limit"))
            limit = value.toInt(&ok);
        if (!ok || limit < 1 || limit > 1000)
            return errorResponse(
                    makeError("bad-request",
                              name == QLatin1String("limit")
                                      ? QStringLiteral("The parameter 'limit' must be a number from 1 to 1000.")
                                      : QStringLiteral("The parameter '%1' is not known here.").arg(name)));
    }
    auto rows = recentDownloads(m_database, limit);
    if (!rows)
        return errorResponse(rows.error());
    return jsonResponse({ { QStringLiteral("downloads"), *rows } });
}

} // namespace openaps::api
