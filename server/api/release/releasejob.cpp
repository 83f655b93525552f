#include "api/release/releasejob.h"

#include "api/apilog.h"
#include "api/export/datasets.h"
#include "api/export/exportparams.h"
#include "api/export/exportproducer.h"
#include "api/release/zipwriter.h"
#include "api/termsofuse.h"
#include "crypto/sha256.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>

#include <future>
#include <optional>

namespace openaps::api {

namespace {

Error cancelledError()
{
    return makeError("cancelled", QStringLiteral("The release was cancelled."));
}

Error quotaError()
{
    return makeError("quota-exceeded",
                     QStringLiteral("The release would pass your disk quota; delete older releases "
                                    "or let them expire, or ask for less."));
}

// One zip entry as the sink of an export's rows: written through, counted
// and hashed on the way.
class EntrySink final : public ExportSink
{
public:
    EntrySink(ZipWriter &zip, const ReleaseJobContext &context, qint64 rowsBefore)
        : m_zip(zip),
          m_context(context),
          m_rowsBefore(rowsBefore)
    { }
    // The job counted every dataset before the first (writeInSnapshot).
    bool wantsEstimate() const override { return false; }
    bool setEstimate(qint64) override { return !isCancelled(); }
    bool push(QByteArray chunk, qint64 rowsThrough) override
    {
        if (isCancelled())
            return false;
        m_hash.addData(chunk);
        m_bytes += chunk.size();
        m_rows = rowsThrough;
        if (auto s = m_zip.write(chunk); !s) {
            m_error = s.error();
            return false;
        }
        if (m_context.byteLimit > 0 && m_zip.bytesWritten() > m_context.byteLimit) {
            m_error = quotaError();
            return false;
        }
        if (m_context.progress)
            m_context.progress(m_rowsBefore + rowsThrough);
        return true;
    }
    bool isCancelled() const override { return m_error || (m_context.cancelled && m_context.cancelled->load()); }

    std::optional<Error> error() const
    {
        if (m_error)
            return m_error;
        if (m_context.cancelled && m_context.cancelled->load())
            return cancelledError();
        return std::nullopt;
    }
    qint64 bytes() const { return m_bytes; }
    QByteArray sha256() { return m_hash.hexResult(); }

private:
    ZipWriter &m_zip;
    const ReleaseJobContext &m_context;
    qint64 m_rowsBefore;
    qint64 m_rows = 0;
    qint64 m_bytes = 0;
    crypto::Sha256 m_hash;
    std::optional<Error> m_error;
};

QJsonObject fileJson(const QString &name, qint64 rows, qint64 bytes, const QByteArray &sha256)
{
    return { { QStringLiteral("name"), name },
             { QStringLiteral("rows"), rows },
             { QStringLiteral("bytes"), bytes },
             { QStringLiteral("sha256"), QString::fromLatin1(sha256) } };
}

// A whole small entry (the dictionary, the README, the manifest).
Result<QJsonObject> writeSmallEntry(ZipWriter &zip, const QString &name, const QByteArray &content)
{
    if (auto s = zip.beginEntry(name); !s)
        return s.error();
    if (auto s = zip.write(content); !s)
        return s.error();
    return fileJson(name, 0, content.size(), crypto::Sha256::hex(content));
}

Result<qint64> schemaVersion(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT MAX(version) FROM schema_migrations")) || !q.next())
        return db::sqlError("reading the schema version", q.lastError());
    return q.value(0).toLongLong();
}

// The pseudonyms with rows in the researcher's scope, sorted.
Result<QStringList> participantsInScope(QSqlDatabase &db, const QList<int> &sourceEntities)
{
    QStringList entities;
    for (int e : sourceEntities)
        entities << QString::number(e);
    QStringList selects;
    for (const char *table : consentTables)
        selects << QStringLiteral("SELECT user_id FROM %1 WHERE source_entity IN (%2)")
                           .arg(QLatin1String(table), entities.join(QLatin1Char(',')));
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(selects.join(QLatin1String(" UNION ")) + QStringLiteral(" ORDER BY 1")))
        return db::sqlError("listing the participants of a release", q.lastError());
    QStringList ids;
    while (q.next())
        ids << q.value(0).toString();
    return ids;
}

QByteArray readmeText(const QDateTime &snapshot)
{
    const TermsOfUse &terms = TermsOfUse::current();
    return QStringLiteral("OpenAPS Data Commons release\n"
                          "============================\n\n"
                          "Snapshot of %1. One file per dataset, data_dictionary.csv describing every column, and\n"
                          "manifest.json listing each file's rows, bytes and SHA-256, the filters, your scope and\n"
                          "the pseudonyms of participants who withdrew since your previous release: delete\n"
                          "their rows from every copy you keep.\n\n"
                          "How to cite\n-----------\n"
                          "OpenAPS Data Commons (https://openaps.org/outcomes/data-commons/), release of %1.\n"
                          "Please acknowledge the participants who donated their data.\n\n"
                          "Terms of use (%2)\n-----------------\n%3\n")
            .arg(formatApiTime(snapshot), terms.version, terms.text)
            .toUtf8();
}

// The rows a release will hold and the participants in scope, from its snapshot.
struct Census
{
    qint64 rows = 0;
    QStringList participants;
};

Result<Census> takeCensus(QSqlDatabase &db, bool postgres, const QList<ExportQuery> &queries,
                          const QList<int> &sourceEntities, const std::function<void(qint64)> &counted)
{
    Census census;
    for (const ExportQuery &query : queries) {
        const auto rows = countInSnapshot(db, postgres, query);
        if (!rows)
            return rows.error();
        census.rows += *rows;
    }
    if (counted)
        counted(census.rows);
    auto participants = participantsInScope(db, sourceEntities);
    if (!participants)
        return participants.error();
    census.participants = std::move(*participants);
    return census;
}

// PostgreSQL (not a standby): this transaction's snapshot exported, for a
// second connection to import; empty otherwise.
QString exportSnapshot(QSqlDatabase &db, bool postgres)
{
    if (!postgres)
        return {};
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_export_snapshot() END"))
        || !q.next())
        return {};
    const QString id = q.value(0).toString();
    static const QRegularExpression form(QStringLiteral("^[0-9A-Fa-f-]+$"));
    return form.match(id).hasMatch() ? id : QString();
}

// The census on a connection of another thread in the snapshot `snapshotId`
// (exportSnapshot): beside the rows being written, on the database's second core.
Result<Census> censusBeside(const db::Database &database, const QString &snapshotId, const QList<ExportQuery> &queries,
                            const QList<int> &sourceEntities, const std::function<void(qint64)> &counted)
{
    const auto closeConnection = qScopeGuard([&database] { database.closeConnection(); });
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    if (!db.transaction())
        return db::sqlError("joining the release's snapshot", db.lastError());
    Result<Census> census = Census {};
    {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
            || !q.exec(QStringLiteral("SET TRANSACTION SNAPSHOT '%1'").arg(snapshotId)))
            census = db::sqlError("joining the release's snapshot", q.lastError());
    }
    if (census)
        census = takeCensus(db, true, queries, sourceEntities, counted);
    db.rollback();
    return census;
}

Result<ReleaseOutcome> writeInSnapshot(const db::Database &database, QSqlDatabase &db, const QDateTime &snapshot,
                                       const ReleaseRequest &request, const ReleaseJobContext &context)
{
    const bool postgres = database.isPostgres();
    ReleaseOutcome outcome;
    const QList<int> sourceEntities = allowedSourceEntities(request.scope);
    const auto schema = schemaVersion(db);
    if (!schema)
        return schema.error();
    QList<ExportQuery> queries;
    for (const QString &name : request.datasets) {
        const Dataset *dataset = findDataset(name);
        if (!dataset)
            return makeError("unknown-dataset", QStringLiteral("There is no dataset '%1'.").arg(name));
        auto params = ExportParams::parse(QUrlQuery(request.query), *dataset);
        if (!params)
            return params.error();
        queries.append(ExportQuery { dataset, *params, sourceEntities });
    }

    // The rows it will hold (a COUNT of each dataset: the progress's
    // estimate, exact) and the participants in scope (for the withdrawn
    // list), from the same snapshot. They take the database about a sixth
    // of the rows' time; PostgreSQL takes them on a second connection that
    // imports the snapshot, beside the rows (README "Releases").
    QElapsedTimer counting;
    counting.start();
    const auto counted = [&context, &counting, id = request.id](qint64 rows) {
        qCInfo(lcApi, "release %lld: %lld rows to write (counted in %.2f s)", id, rows,
               double(counting.elapsed()) / 1000);
        if (context.estimate)
            context.estimate(rows);
    };
    std::future<Result<Census>> beside;
    std::optional<Result<Census>> census;
    if (const QString snapshotId = exportSnapshot(db, postgres); !snapshotId.isEmpty())
        beside = std::async(std::launch::async, [&database, snapshotId, queries, sourceEntities, counted] {
            return censusBeside(database, snapshotId, queries, sourceEntities, counted);
        });
    else
        census = takeCensus(db, postgres, queries, sourceEntities, counted);

    ZipWriter zip;
    if (auto s = zip.open(context.path, request.deflate); !s)
        return s.error();
    QJsonArray files;
    for (const ExportQuery &query : std::as_const(queries)) {
        const QString &name = query.dataset->name;
        const QString fileName = name
                + (query.params.format == ExportFormat::Csv ? QStringLiteral(".csv") : QStringLiteral(".ndjson"));
        if (context.beforeDataset)
            context.beforeDataset(name);
        if (auto s = zip.beginEntry(fileName); !s)
            return s.error();
        EntrySink sink(zip, context, outcome.rows);
        const auto rows = produceInSnapshot(db, postgres, query, sink);
        if (auto error = sink.error())
            return *error;
        if (!rows)
            return rows.error();
        outcome.rows += *rows;
        files.append(fileJson(fileName, *rows, sink.bytes(), sink.sha256()));
    }
    const QByteArray dictionary = dataDictionaryCsv();
    const auto dictionaryFile = writeSmallEntry(zip, QStringLiteral("data_dictionary.csv"), dictionary);
    if (!dictionaryFile)
        return dictionaryFile.error();
    files.append(*dictionaryFile);
    const auto readmeFile = writeSmallEntry(zip, QStringLiteral("README.txt"), readmeText(snapshot));
    if (!readmeFile)
        return readmeFile.error();
    files.append(*readmeFile);

    if (!census)
        census = beside.get();
    if (!*census)
        return census->error();
    const QStringList &participants = (*census)->participants;
    QJsonArray withdrawn;
    const QSet<QString> present(participants.cbegin(), participants.cend());
    for (const QJsonValue id : context.previousParticipants) {
        if (!present.contains(id.toString()))
            withdrawn.append(id);
    }
    for (const QString &id : participants)
        outcome.participants.append(id);

    QJsonObject filters;
    for (const auto &[name, value] : QUrlQuery(request.query).queryItems(QUrl::FullyDecoded))
        filters.insert(name, value);
    const QJsonObject manifest {
        { QStringLiteral("release"), request.id },
        { QStringLiteral("datasets"), QJsonArray::fromStringList(request.datasets) },
        { QStringLiteral("files"), files },
        { QStringLiteral("filters"), filters },
        { QStringLiteral("compression"), request.deflate ? QStringLiteral("deflate") : QStringLiteral("store") },
        { QStringLiteral("scope"), scopeName(request.scope) },
        { QStringLiteral("snapshot_at"), formatApiTime(snapshot) },
        { QStringLiteral("schema_version"), *schema },
        { QStringLiteral("server_version"), QStringLiteral(OPENAPS_VERSION) },
        { QStringLiteral("data_dictionary_version"), QString::fromLatin1(crypto::Sha256::hex(dictionary).left(16)) },
        { QStringLiteral("withdrawn_participants"), withdrawn },
    };
    if (auto s = writeSmallEntry(zip, QStringLiteral("manifest.json"), QJsonDocument(manifest).toJson()); !s)
        return s.error();
    if (auto s = zip.close(); !s)
        return s.error();
    outcome.sha256 = zip.sha256();
    return outcome;
}

} // namespace

Result<ReleaseOutcome> writeRelease(const db::Database &database, const ReleaseRequest &request,
                                    const ReleaseJobContext &context)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const bool postgres = database.isPostgres();
    const auto snapshot = beginSnapshot(db, postgres);
    if (!snapshot)
        return snapshot.error();
    auto outcome = writeInSnapshot(database, db, *snapshot, request, context);
    endSnapshot(db, postgres);
    if (!outcome) {
        QFile::remove(context.path);
        return outcome;
    }
    outcome->bytes = QFileInfo(context.path).size();
    if (context.byteLimit > 0 && outcome->bytes > context.byteLimit) {
        QFile::remove(context.path);
        return quotaError();
    }
    return outcome;
}

} // namespace openaps::api
