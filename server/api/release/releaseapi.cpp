#include "api/release/releaseapi.h"

#include "api/apierror.h"
#include "api/apilog.h"
#include "api/export/datasets.h"
#include "api/export/downloadaudit.h"
#include "api/export/exportparams.h"
#include "api/release/filerange.h"
#include "api/release/releasejob.h"
#include "api/tokenauth.h"
#include "db/readreplica.h"
#include "http/pendingreply.h"
#include "http/webserver.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHttpServer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QSysInfo>
#include <QUrlQuery>

namespace openaps::api {

namespace {

constexpr auto releaseColumns = "id, researcher_id, datasets, query, compression, scope, state, row_count, "
                                "byte_count, sha256, error, created_at, finished_at, expires_at, row_estimate";

QString zipPath(const ReleaseSettings &settings, qint64 id)
{
    return QDir(settings.directory).absoluteFilePath(QStringLiteral("release-%1.zip").arg(id));
}

// Where an instance writes a release until it is complete: its own name, so
// that an instance which lost its lease never writes into its successor's file.
QString partPath(const ReleaseSettings &settings, qint64 id, const QString &instance)
{
    const QString tag = QString::fromLatin1(
            QCryptographicHash::hash(instance.toUtf8(), QCryptographicHash::Sha256).toHex().left(12));
    return zipPath(settings, id) + QLatin1Char('.') + tag + QStringLiteral(".part");
}

// A release is built at most this often (an instance stopping under it
// each time means it is what stops them).
constexpr int maxAttempts = 3;

Error notFound()
{
    return makeError("not-found", QStringLiteral("There is no such release."));
}

// What a statement returned, read to the end: a statement left open would
// hold SQLite's read snapshot (and a later write on that connection would
// find the database locked).
struct Rows
{
    QList<QVariantList> rows;
    int affected = 0;
    bool isEmpty() const { return rows.isEmpty(); }
    const QVariantList &first() const { return rows.first(); }
};

Result<Rows> run(const db::Database &database, const QString &sql, const QVariantList &values)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(*connection);
    q.setForwardOnly(true);
    q.prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return db::sqlError("reading or writing releases", q.lastError());
    Rows out;
    while (q.next()) {
        QVariantList row;
        for (int i = 0; i < q.record().count(); ++i)
            row << q.value(i);
        out.rows << row;
    }
    out.affected = q.numRowsAffected();
    return out;
}

QJsonValue nullable(const QVariant &v)
{
    return v.isNull() ? QJsonValue() : QJsonValue(v.toString());
}

// What a job here says while it runs; nothing for a job elsewhere.
struct Progress
{
    qint64 rows = 0;
    qint64 estimate = -1;
};

// A row read with releaseColumns as the API shows it: `rows` so far and
// `rows_estimate` from the job while it runs here, from the row (as its
// instance last kept them) otherwise.
QJsonObject releaseJson(const QVariantList &q, std::optional<Progress> running)
{
    const QUrlQuery query(q.value(3).toString());
    QJsonValue estimate = q.value(14).isNull() ? QJsonValue() : QJsonValue(q.value(14).toLongLong());
    if (running && running->estimate >= 0)
        estimate = running->estimate;
    return {
        { QStringLiteral("id"), q.value(0).toLongLong() },
        { QStringLiteral("datasets"), QJsonArray::fromStringList(q.value(2).toString().split(QLatin1Char(','))) },
        { QStringLiteral("format"), query.queryItemValue(QStringLiteral("format")) },
        { QStringLiteral("compression"), q.value(4).toString() },
        { QStringLiteral("scope"), q.value(5).toString() },
        { QStringLiteral("state"), q.value(6).toString() },
        { QStringLiteral("rows"), running ? running->rows : q.value(7).toLongLong() },
        { QStringLiteral("rows_estimate"), estimate },
        { QStringLiteral("bytes"), q.value(8).toLongLong() },
        { QStringLiteral("sha256"), nullable(q.value(9)) },
        { QStringLiteral("error"), nullable(q.value(10)) },
        { QStringLiteral("created_at"), q.value(11).toString() },
        { QStringLiteral("finished_at"), nullable(q.value(12)) },
        { QStringLiteral("expires_at"), nullable(q.value(13)) },
    };
}

// The body of POST /api/v1/releases as the datasets and the streamed
// export's query string; the filters are checked exactly as an export's.
struct ParsedRequest
{
    QStringList datasets;
    QUrlQuery query;
    bool deflate = true;
};

Result<ParsedRequest> parseRequest(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (!doc.isObject())
        return makeError("bad-request", QStringLiteral("The body must be a JSON object."));
    const QJsonObject o = doc.object();
    static const QStringList known { QStringLiteral("datasets"),     QStringLiteral("format"),
                                     QStringLiteral("from"),         QStringLiteral("to"),
                                     QStringLiteral("participants"), QStringLiteral("compression") };
    for (const QString &key : o.keys()) {
        if (!known.contains(key))
            return badParameter(key, QStringLiteral("is not known here (%1).").arg(known.join(QLatin1String(", "))));
    }
    ParsedRequest r;
    const QJsonArray datasetList = o.value(QStringLiteral("datasets")).toArray();
    if (datasetList.isEmpty())
        return badParameter(QStringLiteral("datasets"), QStringLiteral("must list at least one dataset."));
    for (const QJsonValue v : datasetList) {
        const QString name = v.toString();
        if (!findDataset(name))
            return makeError("unknown-dataset", QStringLiteral("There is no dataset '%1'.").arg(name));
        if (r.datasets.contains(name))
            return badParameter(QStringLiteral("datasets"), QStringLiteral("names '%1' twice.").arg(name));
        r.datasets << name;
    }
    for (const char *name : { "format", "from", "to" }) {
        const QJsonValue v = o.value(QLatin1String(name));
        if (v.isUndefined() || v.isNull())
            continue;
        if (!v.isString())
            return badParameter(QLatin1String(name), QStringLiteral("must be a string."));
        r.query.addQueryItem(QLatin1String(name), v.toString());
    }
    if (!r.query.hasQueryItem(QStringLiteral("format")))
        r.query.addQueryItem(QStringLiteral("format"), QStringLiteral("csv"));
    if (o.contains(QStringLiteral("participants"))) {
        QStringList ids;
        for (const QJsonValue v : o.value(QStringLiteral("participants")).toArray())
            ids << (v.isDouble() ? QString::number(v.toInteger()) : v.toString());
        r.query.addQueryItem(QStringLiteral("participants"), ids.join(QLatin1Char(',')));
    }
    const QString compression = o.value(QStringLiteral("compression")).toString(QStringLiteral("deflate"));
    if (compression != QLatin1String("deflate") && compression != QLatin1String("store"))
        return badParameter(QStringLiteral("compression"), QStringLiteral("must be deflate or store."));
    r.deflate = compression == QLatin1String("deflate");
    for (const QString &name : r.datasets) {
        if (auto params = ExportParams::parse(r.query, *findDataset(name)); !params)
            return params.error();
    }
    return r;
}

} // namespace

ReleaseApi::ReleaseApi(db::Database database, Authenticate authenticate, ReleaseSettings settings, Clock clock,
                       QObject *parent)
    : QObject(parent),
      m_database(std::move(database)),
      m_authenticate(std::move(authenticate)),
      m_settings(std::move(settings)),
      m_clock(std::move(clock)),
      m_instance(QStringLiteral("%1:%2:%3")
                         .arg(QSysInfo::machineHostName())
                         .arg(QCoreApplication::applicationPid())
                         .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0')))
{
    m_jobs.setMaxThreadCount(1);
    m_lookups.setMaxThreadCount(2);
    m_expiry.setInterval(std::chrono::minutes(1));
    connect(&m_expiry, &QTimer::timeout, this, [this] { m_lookups.start([this] { expireReleases(); }); });
    m_leases.setInterval(std::max<std::chrono::milliseconds>(m_settings.lease / 3, std::chrono::milliseconds(100)));
    connect(&m_leases, &QTimer::timeout, this, [this] { m_lookups.start([this] { keepLeases(); }); });
}

ReleaseApi::~ReleaseApi()
{
    m_stopping = true;
    m_leases.stop();
    {
        std::lock_guard lock(m_mutex);
        for (const auto &job : std::as_const(m_running))
            job->cancelled = true;
    }
    m_jobs.clear();
    m_jobs.waitForDone();
    m_lookups.waitForDone();
    // What this instance did not finish, another (or this one restarted) takes over at once.
    if (auto q = run(m_database,
                     QStringLiteral("UPDATE releases SET lease_until = NULL WHERE owner = ? AND state IN ('queued', "
                                    "'running')"),
                     { m_instance });
        !q)
        qCWarning(lcApi, "releases: %s", qPrintable(q.error().message));
    m_database.closeConnection();
}

void ReleaseApi::start()
{
    QDir().mkpath(m_settings.directory);
    m_lookups.start([this] {
        expireReleases();
        keepLeases();
    });
    m_expiry.start();
    m_leases.start();
}

void ReleaseApi::install(http::WebServer &web)
{
    start();
    QHttpServer &router = web.router();
    using Method = QHttpServerRequest::Method;
    using Responder = QHttpServerResponder;
    router.route(QStringLiteral("/api/v1/releases/<arg>/file"), Method::Get,
                 [this](qint64 id, const QHttpServerRequest &r, Responder &&responder) {
                     serveFile(r, std::move(responder), id);
                 });
    router.route(QStringLiteral("/api/v1/releases/<arg>/cancel"), Method::Post,
                 [this](qint64 id, const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [this, id](const Researcher &researcher) { return cancel(researcher, id); });
                 });
    router.route(QStringLiteral("/api/v1/releases/<arg>"), Method::Delete,
                 [this](qint64 id, const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [this, id](const Researcher &researcher) { return cancel(researcher, id); });
                 });
    router.route(QStringLiteral("/api/v1/releases/<arg>"), Method::Get,
                 [this](qint64 id, const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [this, id](const Researcher &researcher) {
                                        auto q = run(m_database,
                                                     QStringLiteral("SELECT %1 FROM releases WHERE id = ? AND "
                                                                    "researcher_id = ?")
                                                             .arg(QLatin1String(releaseColumns)),
                                                     { id, researcher.id });
                                        if (!q)
                                            return errorResponse(q.error());
                                        if (q->isEmpty())
                                            return errorResponse(notFound());
                                        return jsonResponse(releaseJson(q->first()));
                                    });
                 });
    router.route(QStringLiteral("/api/v1/releases"), Method::Get,
                 [this](const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [this](const Researcher &researcher) {
                                        auto q = run(m_database,
                                                     QStringLiteral("SELECT %1 FROM releases WHERE researcher_id = ? "
                                                                    "ORDER BY id DESC LIMIT 100")
                                                             .arg(QLatin1String(releaseColumns)),
                                                     { researcher.id });
                                        if (!q)
                                            return errorResponse(q.error());
                                        QJsonArray list;
                                        for (const QVariantList &row : q->rows)
                                            list.append(releaseJson(row));
                                        return jsonResponse({ { QStringLiteral("releases"), list } });
                                    });
                 });
    router.route(QStringLiteral("/api/v1/releases"), Method::Post,
                 [this](const QHttpServerRequest &r, Responder &&responder) {
                     answerOnWorker(this, m_lookups, m_authenticate, r, std::move(responder),
                                    [this, body = r.body()](const Researcher &researcher) {
                                        return create(researcher, body);
                                    });
                 });
}

QHttpServerResponse ReleaseApi::create(const Researcher &researcher, const QByteArray &body)
{
    const auto request = parseRequest(body);
    if (!request)
        return errorResponse(request.error());
    auto busy = run(m_database,
                    QStringLiteral("SELECT COUNT(*) FROM releases WHERE researcher_id = ? AND state IN "
                                   "('queued', 'running')"),
                    { researcher.id });
    if (!busy)
        return errorResponse(busy.error());
    if (busy->first().value(0).toInt() >= m_settings.releasesPerResearcher) {
        auto response = errorResponse(makeError(
                "too-many-exports",
                QStringLiteral("You already have %1 releases queued or running. Please wait for one to finish.")
                        .arg(m_settings.releasesPerResearcher)));
        response.setHeader("Retry-After", "30");
        return response;
    }
    if (m_settings.quotaBytes > 0) {
        auto used = run(m_database,
                        QStringLiteral("SELECT COALESCE(SUM(byte_count), 0) FROM releases WHERE researcher_id = ? "
                                       "AND state = 'ready'"),
                        { researcher.id });
        if (!used)
            return errorResponse(used.error());
        if (used->first().value(0).toLongLong() >= m_settings.quotaBytes)
            return errorResponse(makeError("quota-exceeded",
                                           QStringLiteral("Your releases fill your disk quota (%1 bytes). Delete one "
                                                          "(DELETE /api/v1/releases/{id}) or wait until one expires.")
                                                   .arg(m_settings.quotaBytes)));
    }
    const QDateTime now = m_clock();
    auto inserted = run(
            m_database,
            QStringLiteral("INSERT INTO releases (researcher_id, datasets, query, compression, scope, "
                           "state, created_at, owner, lease_until) VALUES (?, ?, ?, ?, ?, 'queued', ?, "
                           "?, ?) RETURNING id"),
            { researcher.id, request->datasets.join(QLatin1Char(',')), request->query.toString(QUrl::FullyEncoded),
              request->deflate ? QStringLiteral("deflate") : QStringLiteral("store"), scopeName(researcher.scope),
              formatApiTime(now), m_instance, formatApiTime(now.addSecs(m_settings.lease.count())) });
    if (!inserted)
        return errorResponse(inserted.error());
    const qint64 id = inserted->first().value(0).toLongLong();
    m_jobs.start([this, id] { runJob(id); });
    return jsonResponse({ { QStringLiteral("id"), id }, { QStringLiteral("state"), QStringLiteral("queued") } },
                        QHttpServerResponse::StatusCode::Accepted);
}

QJsonObject ReleaseApi::releaseJson(const QVariantList &row)
{
    std::optional<Progress> running;
    std::lock_guard lock(m_mutex);
    if (auto job = m_running.value(row.value(0).toLongLong()))
        running = Progress { job->rows.load(), job->estimate.load() };
    return api::releaseJson(row, running);
}

QHttpServerResponse ReleaseApi::cancel(const Researcher &researcher, qint64 id)
{
    auto found = run(m_database, QStringLiteral("SELECT state FROM releases WHERE id = ? AND researcher_id = ?"),
                     { id, researcher.id });
    if (!found)
        return errorResponse(found.error());
    if (found->isEmpty())
        return errorResponse(notFound());
    const QString state = found->first().value(0).toString();
    if (state != QLatin1String("queued") && state != QLatin1String("running") && state != QLatin1String("ready"))
        return jsonResponse({ { QStringLiteral("id"), id }, { QStringLiteral("state"), state } });
    auto updated = run(m_database,
                       QStringLiteral("UPDATE releases SET state = 'cancelled', finished_at = ? WHERE id = ? AND "
                                      "state = ?"),
                       { formatApiTime(m_clock()), id, state });
    if (!updated)
        return errorResponse(updated.error());
    {
        std::lock_guard lock(m_mutex);
        if (auto job = m_running.value(id))
            job->cancelled = true;
    }
    if (state == QLatin1String("ready"))
        QFile::remove(zipPath(m_settings, id));
    return jsonResponse({ { QStringLiteral("id"), id }, { QStringLiteral("state"), QStringLiteral("cancelled") } });
}

void ReleaseApi::runJob(qint64 id)
{
    auto job = std::make_shared<Job>();
    {
        std::lock_guard lock(m_mutex);
        m_running.insert(id, job);
    }
    const auto finish = qScopeGuard([&] {
        std::lock_guard lock(m_mutex);
        m_running.remove(id);
        m_database.closeConnection();
    });
    auto started = run(m_database,
                       QStringLiteral("UPDATE releases SET state = 'running', attempts = attempts + 1 WHERE id = ? "
                                      "AND state = 'queued' AND owner = ?"),
                       { id, m_instance });
    if (!started || started->affected != 1)
        return; // cancelled while queued, or taken over
    // What an instance that stopped while building it left behind.
    const QFileInfo zip(zipPath(m_settings, id));
    for (const QString &stale :
         zip.dir().entryList({ zip.fileName() + QStringLiteral(".*.part") }, QDir::Files | QDir::Hidden))
        QFile::remove(zip.dir().filePath(stale));
    auto row = run(
            m_database,
            QStringLiteral("SELECT researcher_id, datasets, query, compression, scope FROM releases WHERE id = ?"),
            { id });
    if (!row || row->isEmpty())
        return;
    const QVariantList &values = row->first();
    ReleaseRequest request;
    request.id = id;
    request.researcherId = values.value(0).toLongLong();
    request.datasets = values.value(1).toString().split(QLatin1Char(','));
    request.query = values.value(2).toString();
    request.deflate = values.value(3).toString() == QLatin1String("deflate");
    const auto scope = parseScope(values.value(4).toString());
    request.scope = scope ? *scope : AccessScope::OpenAps;

    ReleaseJobContext context;
    context.path = partPath(m_settings, id, m_instance);
    context.cancelled = &job->cancelled;
    context.estimate = [job](qint64 rows) { job->estimate = rows; };
    context.progress = [job](qint64 rows) { job->rows = rows; };
    context.beforeDataset = m_beforeDataset;
    if (auto previous = run(m_database,
                            QStringLiteral("SELECT participants FROM releases WHERE researcher_id = ? AND id < ? AND "
                                           "participants IS NOT NULL ORDER BY id DESC LIMIT 1"),
                            { request.researcherId, id });
        previous && !previous->isEmpty())
        context.previousParticipants = QJsonDocument::fromJson(previous->first().value(0).toByteArray()).array();
    if (m_settings.quotaBytes > 0) {
        auto used = run(m_database,
                        QStringLiteral("SELECT COALESCE(SUM(byte_count), 0) FROM releases WHERE researcher_id = ? "
                                       "AND state = 'ready'"),
                        { request.researcherId });
        const qint64 taken = used && !used->isEmpty() ? used->first().value(0).toLongLong() : 0;
        context.byteLimit = qMax<qint64>(1, m_settings.quotaBytes - taken);
    }

    DownloadRecord record;
    record.researcherId = request.researcherId;
    record.dataset = QStringLiteral("release");
    record.format = QUrlQuery(request.query).queryItemValue(QStringLiteral("format"));
    record.startedAt = m_clock();
    QJsonObject filters;
    filters.insert(QStringLiteral("release"), id);
    filters.insert(QStringLiteral("datasets"), QJsonArray::fromStringList(request.datasets));
    record.filters = filters;

    // From the read replica when there is one; the release's state stays on the primary.
    const auto reads = db::forReads(m_database, m_replica);
    const auto outcome = reads ? writeRelease(*reads, request, context) : Result<ReleaseOutcome>(reads.error());
    const QDateTime now = m_clock();
    record.finishedAt = now;
    if (outcome) {
        // The file gets its name only while the release is still this
        // instance's, with a fresh lease (no other instance takes it over
        // meanwhile), and before the state says ready (a download may follow
        // at once).
        const QString path = zipPath(m_settings, id);
        auto held = run(m_database,
                        QStringLiteral("UPDATE releases SET lease_until = ? WHERE id = ? AND state = 'running' AND "
                                       "owner = ?"),
                        { formatApiTime(now.addSecs(m_settings.lease.count())), id, m_instance });
        const bool mine = held && held->affected == 1;
        if (mine) {
            QFile::remove(path);
            QFile::rename(context.path, path);
        }
        auto ready = !mine
                ? held
                : run(m_database,
                      QStringLiteral(
                              "UPDATE releases SET state = 'ready', row_count = ?, byte_count = ?, sha256 = "
                              "?, participants = ?, finished_at = ?, expires_at = ?, row_estimate = ? WHERE id = ? "
                              "AND state = 'running' AND owner = ?"),
                      { outcome->rows, outcome->bytes, QString::fromLatin1(outcome->sha256),
                        QString::fromUtf8(QJsonDocument(outcome->participants).toJson(QJsonDocument::Compact)),
                        formatApiTime(now), formatApiTime(now.addSecs(m_settings.expirySeconds)),
                        job->estimate >= 0 ? job->estimate.load() : outcome->rows, id, m_instance });
        if (!mine)
            QFile::remove(context.path); // taken over
        else if (!ready || ready->affected != 1)
            QFile::remove(path); // cancelled at the last moment
        record.rows = outcome->rows;
        record.bytes = outcome->bytes;
        record.outcome = QStringLiteral("complete");
    } else {
        const bool cancelled = outcome.error().code == QLatin1String("cancelled");
        if (cancelled && m_stopping)
            return; // not cancelled: this instance stops, another builds it (keepLeases)
        if (!cancelled) {
            qCWarning(lcApi, "release %lld failed: %s", id, qPrintable(outcome.error().message));
            if (!run(m_database,
                     QStringLiteral("UPDATE releases SET state = 'failed', error = ?, finished_at = ? WHERE id = ? "
                                    "AND state = 'running' AND owner = ?"),
                     { outcome.error().message, formatApiTime(now), id, m_instance }))
                qCWarning(lcApi, "release %lld: its failure could not be recorded", id);
        }
        record.rows = job->rows;
        record.outcome = cancelled ? QStringLiteral("aborted") : QStringLiteral("failed");
    }
    if (auto s = recordDownload(m_database, record); !s)
        qCWarning(lcApi, "could not record a release: %s", qPrintable(s.error().message));
}

int ReleaseApi::expireReleases()
{
    const auto closeConnection = qScopeGuard([this] { m_database.closeConnection(); });
    auto due = run(m_database, QStringLiteral("SELECT id FROM releases WHERE state = 'ready' AND expires_at <= ?"),
                   { formatApiTime(m_clock()) });
    if (!due)
        return -1;
    for (const QVariantList &row : due->rows) {
        const qint64 id = row.value(0).toLongLong();
        QFile::remove(zipPath(m_settings, id));
        if (!run(m_database, QStringLiteral("UPDATE releases SET state = 'expired' WHERE id = ? AND state = 'ready'"),
                 { id }))
            return -1;
    }
    return int(due->rows.size());
}

int ReleaseApi::keepLeases()
{
    const auto closeConnection = qScopeGuard([this] { m_database.closeConnection(); });
    const QDateTime now = m_clock();
    const QString until = formatApiTime(now.addSecs(m_settings.lease.count()));
    if (!run(m_database,
             QStringLiteral("UPDATE releases SET lease_until = ? WHERE owner = ? AND state IN ('queued', 'running')"),
             { until, m_instance }))
        return -1;
    // The progress of the jobs here, for the other instances to show; and
    // the jobs whose release was cancelled on another instance, or taken over.
    QHash<qint64, Progress> running;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_running.cbegin(); it != m_running.cend(); ++it)
            running.insert(it.key(), Progress { it.value()->rows.load(), it.value()->estimate.load() });
    }
    for (auto it = running.cbegin(); it != running.cend(); ++it) {
        if (!run(m_database,
                 QStringLiteral("UPDATE releases SET row_count = ?, row_estimate = ? WHERE id = ? AND owner = ? AND "
                                "state = 'running'"),
                 { it->rows, it->estimate >= 0 ? QVariant(it->estimate) : QVariant(QMetaType(QMetaType::LongLong)),
                   it.key(), m_instance }))
            return -1;
    }
    for (const qint64 id : running.keys()) {
        auto q = run(m_database, QStringLiteral("SELECT state, owner FROM releases WHERE id = ?"), { id });
        if (!q)
            return -1;
        const QString state = q->isEmpty() ? QString() : q->first().value(0).toString();
        const bool stillMine = (state == QLatin1String("queued") || state == QLatin1String("running"))
                && q->first().value(1).toString() == m_instance;
        std::lock_guard lock(m_mutex);
        if (auto job = m_running.value(id); job && !stillMine)
            job->cancelled = true;
    }
    // Releases whose instance stopped: built again here, a few times at most.
    if (m_stopping)
        return 0;
    const QString nowText = formatApiTime(now);
    auto abandoned = run(m_database,
                         QStringLiteral("SELECT id, attempts FROM releases WHERE state IN ('queued', 'running') AND "
                                        "(lease_until IS NULL OR lease_until < ?) ORDER BY id"),
                         { nowText });
    if (!abandoned)
        return -1;
    int taken = 0;
    for (const QVariantList &row : abandoned->rows) {
        const qint64 id = row.value(0).toLongLong();
        const bool giveUp = row.value(1).toInt() >= maxAttempts;
        auto claimed = giveUp
                ? run(m_database,
                      QStringLiteral("UPDATE releases SET state = 'failed', error = ?, finished_at = ? WHERE id = ? "
                                     "AND state IN ('queued', 'running') AND (lease_until IS NULL OR lease_until < ?)"),
                      { QStringLiteral("The server stopped %1 times while building this release.").arg(maxAttempts),
                        nowText, id, nowText })
                : run(m_database,
                      QStringLiteral(
                              "UPDATE releases SET state = 'queued', owner = ?, lease_until = ?, row_count = 0, "
                              "row_estimate = NULL WHERE id = ? AND state IN ('queued', 'running') AND (lease_until IS NULL OR "
                              "lease_until < ?)"),
                      { m_instance, until, id, nowText });
        if (!claimed)
            return -1;
        if (giveUp || claimed->affected != 1)
            continue;
        qCInfo(lcApi, "release %lld: its instance stopped; building it here", id);
        m_jobs.start([this, id] { runJob(id); });
        ++taken;
    }
    return taken;
}

void ReleaseApi::serveFile(const QHttpServerRequest &request, QHttpServerResponder &&responder, qint64 id)
{
    auto reply = std::make_shared<http::PendingReply>(std::move(responder));
    m_lookups.start([this, reply, id, token = TokenAuth::bearerToken(request), range = request.value("Range"),
                     ifRange = request.value("If-Range")] {
        const auto researcher = m_authenticate(token);
        Result<std::pair<qint64, QByteArray>> file = notFound(); // size, sha256 hex
        if (!researcher) {
            file = researcher.error();
        } else if (auto q = run(m_database,
                                QStringLiteral("SELECT state, byte_count, sha256 FROM releases WHERE id = ? AND "
                                               "researcher_id = ?"),
                                { id, researcher->id });
                   !q) {
            file = q.error();
        } else if (!q->isEmpty()) {
            const QVariantList &row = q->first();
            if (row.value(0).toString() == QLatin1String("ready"))
                file = std::pair(row.value(1).toLongLong(), row.value(2).toByteArray());
            else
                file = makeError("not-ready",
                                 QStringLiteral("The release is %1, not ready.").arg(row.value(0).toString()));
        }
        m_database.closeConnection();
        QMetaObject::invokeMethod(
                this,
                [this, reply, id, file, range, ifRange] {
                    if (!file)
                        return fail(reply, file.error());
                    std::optional<QHttpServerResponder> responder = reply->take();
                    if (!responder)
                        return;
                    const auto &[size, sha] = *file;
                    const QByteArray etag = '"' + sha + '"';
                    const QByteArray digest = "sha-256=:" + QByteArray::fromHex(sha).toBase64() + ':';
                    const QByteArray disposition = "attachment; filename=\"release-" + QByteArray::number(id)
                            + ".zip\"";
                    const FileRange part = FileRange::parse(range, ifRange, etag, size);
                    using Status = QHttpServerResponder::StatusCode;
                    if (part.kind == FileRange::Kind::Unsatisfiable)
                        return responder->write(QByteArray(),
                                                { { "Content-Type", "application/zip" },
                                                  { "Content-Range", part.contentRange(size) },
                                                  { "ETag", etag },
                                                  { "Accept-Ranges", "bytes" } },
                                                Status::RequestRangeNotSatisfiable);
                    QList<std::pair<QByteArray, QByteArray>> headers { { "Content-Type", "application/zip" },
                                                                       { "Content-Disposition", disposition },
                                                                       { "ETag", etag },
                                                                       { "Accept-Ranges", "bytes" },
                                                                       { "Repr-Digest", digest },
                                                                       { "Cache-Control", "no-store" } };
                    const bool partial = part.kind == FileRange::Kind::Partial;
                    if (partial)
                        headers.append({ "Content-Range", part.contentRange(size) });
                    if (!FileStream::start(std::move(*responder), zipPath(m_settings, id), part.start, part.length,
                                           headers, partial ? Status::PartialContent : Status::Ok,
                                           m_settings.idleTimeout, this))
                        errorResponse(makeError("not-found", QStringLiteral("The release file is gone.")))
                                .write(std::move(*responder));
                },
                Qt::QueuedConnection);
    });
}

} // namespace openaps::api
