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
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>

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

Result<ReleaseOutcome> writeInSnapshot(QSqlDatabase &db, bool postgres, const QDateTime &snapshot,
                                       const ReleaseRequest &request, const ReleaseJobContext &context)
{
    ReleaseOutcome outcome;
    const QList<int> sourceEntities = allowedSourceEntities(request.scope);
    const auto schema = schemaVersion(db);
    if (!schema)
        return schema.error();
    const auto participants = participantsInScope(db, sourceEntities);
    if (!participants)
        return participants.error();

    // Every dataset counted first, in the snapshot: the progress's estimate
    // is exact, and costs a few per cent of the job (README "Releases").
    QList<ExportQuery> queries;
    qint64 estimate = 0;
    QElapsedTimer counting;
    counting.start();
    for (const QString &name : request.datasets) {
        const Dataset *dataset = findDataset(name);
        if (!dataset)
            return makeError("unknown-dataset", QStringLiteral("There is no dataset '%1'.").arg(name));
        auto params = ExportParams::parse(QUrlQuery(request.query), *dataset);
        if (!params)
            return params.error();
        queries.append(ExportQuery { dataset, *params, sourceEntities });
        const auto rows = countInSnapshot(db, postgres, queries.last());
        if (!rows)
            return rows.error();
        estimate += *rows;
    }
    qCInfo(lcApi, "release %lld: %lld rows to write (counted in %.2f s)", request.id, estimate,
           double(counting.elapsed()) / 1000);
    if (context.estimate)
        context.estimate(estimate);

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

    QJsonArray withdrawn;
    const QSet<QString> present(participants->cbegin(), participants->cend());
    for (const QJsonValue id : context.previousParticipants) {
        if (!present.contains(id.toString()))
            withdrawn.append(id);
    }
    for (const QString &id : *participants)
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
    auto outcome = writeInSnapshot(db, postgres, *snapshot, request, context);
    endSnapshot(db, postgres);
    if (!outcome) {
        QFile::remove(context.path);
        return outcome;
    }
    const auto sha = crypto::fileSha256(context.path);
    if (!sha)
        return sha.error();
    outcome->sha256 = *sha;
    outcome->bytes = QFileInfo(context.path).size();
    if (context.byteLimit > 0 && outcome->bytes > context.byteLimit) {
        QFile::remove(context.path);
        return quotaError();
    }
    return outcome;
}

} // namespace openaps::api
