// The ETL benchmark (tests/bench/run.sh etl): synthetic entries, treatments
// and devicestatus loaded into PostgreSQL through the real ETL path (the
// openaps-server binary, `import --dir`), and the same rows COPYed straight
// into identical tables, in one run. Prints rows/s of both, their ratio, and
// the ETL's peak RSS for 100k and for all entries; the LAST line is
//   etl rows_per_s=N copy_rows_per_s=N ratio=R peak_rss_mb=N
// Not a test: timings belong here, not in CTest.

#include "../common/benchsupport.h"
#include "core/gzip.h"
#include "db/migrations.h"
#include "db/pgcopy.h"
#include "etl/analytics.h"
#include "etl/copyrow.h"
#include "etl/recordmapper.h"
#include "privacy/participantkeys.h"
#include "records/datatype.h"
#include "records/filenames.h"
#include "records/ndjsonreader.h"
#include "synthetic/generator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSet>
#include <QSqlQuery>
#include <QTextStream>
#include <QUrl>

#include <memory>
#include <optional>
#include <utility>

using namespace openaps;
using namespace openaps::records;
using namespace openaps::bench;

namespace {

const QByteArray benchSecretKey = QByteArrayLiteral("bench-etl-secret-key-0123456789abcdef");

QTextStream out(stdout);

struct Counts
{
    qint64 entries = 0, treatments = 0, devicestatus = 0;
};

// Writes each member's records as legacy-named gzip files under data/<member>/.
struct Writer
{
    std::unique_ptr<QFile> file;
    std::optional<gzip::Deflater> deflater;
    QByteArray packed;
    qint64 written = 0;
    void open(const QString &path)
    {
        file = std::make_unique<QFile>(path);
        if (!file->open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        deflater.emplace(1);
    }
    void write(const QJsonObject &record)
    {
        deflater->write(QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n', packed);
        if (packed.size() >= 1024 * 1024)
            file->write(std::exchange(packed, QByteArray()));
        ++written;
    }
    void close()
    {
        if (file) {
            deflater->finish(packed);
            file->write(std::exchange(packed, QByteArray()));
            file.reset();
        }
        deflater.reset();
    }
};

// Generates up to `wanted` records of `collection`, member after member
// (one year each), into <dir>/<member>/<ms>_<member>_<type>.json.gz.
qint64 generate(const QString &dir, ns::Collection collection, const char *type, qint64 wanted,
                const QString &firstHundredK = {})
{
    qint64 total = 0;
    Writer sample;
    if (!firstHundredK.isEmpty())
        sample.open(firstHundredK);
    for (int m = 0; total < wanted; ++m) {
        const QString member = QString::number(50000000 + m);
        QDir().mkpath(dir + QLatin1Char('/') + member);
        synthetic::Options o;
        o.seed = quint64(m) + 1;
        o.start = QDateTime(QDate(2023, 1, 1), QTime(0, 0), Qt::UTC);
        o.end = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC);
        o.flavour = synthetic::LoopFlavour(m % 3);
        synthetic::Generator generator(o);
        Writer writer;
        writer.open(QStringLiteral("%1/%2/1704067200000_%2_%3.json.gz").arg(dir, member, QLatin1String(type)));
        generator.generate(collection, o.start, o.end, [&](const QJsonObject &record) {
            if (total >= wanted)
                return;
            writer.write(record);
            if (sample.file && sample.written < 100000)
                sample.write(record);
            ++total;
        });
        writer.close();
        if (m > 1000)
            break;
    }
    sample.close();
    return total;
}

// The rows the ETL stores, as COPY text per table, de-duplicated on the
// unique keys the way the ETL does (first reading at an instant, last
// document version), so that COPY into the identical table cannot fail.
struct CopyData
{
    QMap<QString, QString> files; // table → path
    qint64 rows = 0;
};

CopyData prepareCopy(const QString &dataDir, const QString &copyDir)
{
    CopyData data;
    QDir().mkpath(copyDir);
    QHash<QString, QFile *> files;
    QSet<QByteArray> seen;
    QDirIterator it(dataDir, { QStringLiteral("*.json.gz") }, QDir::Files, QDirIterator::Subdirectories);
    QStringList paths;
    while (it.hasNext())
        paths << it.next();
    paths.sort();
    for (const QString &path : std::as_const(paths)) {
        const records::FileKind kind = records::classifyFile(QFileInfo(path).fileName());
        const qint64 member = records::memberIdFromFileName(QFileInfo(path).fileName()).toLongLong();
        etl::RecordMapper mapper(kind.dataType, etl::MappingContext { member, 0, nullptr });
        const records::TableSpec &table = records::tableFor(kind.dataType);
        QFile in(path);
        in.open(QIODevice::ReadOnly);
        records::NdjsonReader reader(&in);
        auto fileFor = [&](const records::TableSpec &spec) {
            const QString name = QLatin1String(spec.name);
            if (!files.contains(name)) {
                auto *f = new QFile(copyDir + QLatin1Char('/') + name + QStringLiteral(".copy"));
                f->open(QIODevice::WriteOnly);
                files.insert(name, f);
                data.files.insert(name, f->fileName());
            }
            return files.value(name);
        };
        QByteArray line;
        while (auto record = reader.next()) {
            if (mapper.map(record->bytes))
                continue;
            const etl::Row &row = mapper.row();
            QByteArray key = QByteArray(table.name) + '|' + QByteArray::number(member) + '|' + row[1].bytes;
            QByteArray instant;
            if (kind.dataType == records::DataType::Entries && !row[records::EntryCol::Type].isNull())
                instant = "i|" + QByteArray::number(member) + '|' + row[records::EntryCol::Type].bytes + '|'
                        + QByteArray::number(row[records::EntryCol::Date].ms);
            if (seen.contains(key) || (!instant.isEmpty() && seen.contains(instant)))
                continue; // the synthetic data holds few repeats; the first stays
            seen.insert(key);
            if (!instant.isEmpty())
                seen.insert(instant);
            line.clear();
            etl::appendCopyRow(line, row, table);
            fileFor(table)->write(line);
            ++data.rows;
            if (mapper.hasMetrics()) {
                line.clear();
                etl::appendCopyRow(line, mapper.metrics(), records::deviceStatusMetricsTable());
                fileFor(records::deviceStatusMetricsTable())->write(line);
            }
        }
    }
    qDeleteAll(files);
    return data;
}

// COPY every prepared table into `database`, one transaction per table.
double copyAll(const db::Database &database, const CopyData &data)
{
    double seconds = 0;
    for (auto it = data.files.cbegin(); it != data.files.cend(); ++it) {
        const records::TableSpec *spec = nullptr;
        for (const records::TableSpec *s :
             { &records::entriesTable(), &records::treatmentsTable(), &records::deviceStatusTable(),
               &records::deviceStatusMetricsTable(), &records::profileTable() }) {
            if (it.key() == QLatin1String(s->name))
                spec = s;
        }
        const double taken = copyFile(database, it.key(), spec->columnList(), it.value());
        if (taken < 0)
            return -1;
        seconds += taken;
    }
    return seconds;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption(
            { QStringLiteral("entries"), QStringLiteral("entries"), QStringLiteral("n"), QStringLiteral("1000000") });
    parser.addOption({ QStringLiteral("treatments"), QStringLiteral("treatments"), QStringLiteral("n"),
                       QStringLiteral("100000") });
    parser.addOption({ QStringLiteral("devicestatus"), QStringLiteral("devicestatus"), QStringLiteral("n"),
                       QStringLiteral("100000") });
    parser.addOption({ QStringLiteral("keep"), QStringLiteral("keep the generated files in the work directory") });
    const auto setup = commandLine(app, parser, "openaps-bench-etl");
    if (!setup)
        return 2;
    const QString adminUrl = setup->adminUrl;
    const QString server = setup->server;
    const QString work = setup->work;
    const QString dataDir = work + QStringLiteral("/data");
    QDir(work).removeRecursively();
    QDir().mkpath(dataDir);

    QElapsedTimer timer;
    timer.start();
    Counts n;
    n.entries = generate(dataDir, ns::Collection::Entries, "entries",
                         parser.value(QStringLiteral("entries")).toLongLong(),
                         work + QStringLiteral("/entries-100k.ndjson.gz"));
    n.treatments = generate(dataDir, ns::Collection::Treatments, "treatments",
                            parser.value(QStringLiteral("treatments")).toLongLong());
    n.devicestatus = generate(dataDir, ns::Collection::DeviceStatus, "devicestatus",
                              parser.value(QStringLiteral("devicestatus")).toLongLong());
    const qint64 records = n.entries + n.treatments + n.devicestatus;
    out << "generated " << n.entries << " entries, " << n.treatments << " treatments, " << n.devicestatus
        << " devicestatus in " << timer.elapsed() / 1000 << " s" << Qt::endl;
    const CopyData copyData = prepareCopy(dataDir, work + QStringLiteral("/copy"));
    out << "prepared " << copyData.rows << " rows for COPY" << Qt::endl;

    const QString suffix = QString::number(QCoreApplication::applicationPid());
    const QString rssDb = QStringLiteral("bench_etl_rss_") + suffix;
    const QString etlDb = QStringLiteral("bench_etl_run_") + suffix;
    const QString copyDb = QStringLiteral("bench_etl_copy_") + suffix;
    for (const QString &name : { rssDb, etlDb, copyDb }) {
        if (!adminExec(adminUrl, QStringLiteral("CREATE DATABASE ") + name)) {
            out << "cannot create database " << name << Qt::endl;
            return 1;
        }
        db::Database database(*db::DatabaseUrl::parse(databaseUrl(adminUrl, name)));
        const bool migrated = db::migrate(database).ok();
        database.closeConnection();
        if (!migrated) {
            out << "cannot migrate " << name << Qt::endl;
            return 1;
        }
    }

    // import stores rows under pseudonyms: it needs the key.
    const QList<QByteArray> importEnv { "OPENAPS_SECRET_KEY=" + benchSecretKey };
    // Peak RSS for 100k entries: the real binary, one file.
    const Child small = run(server,
                            { QStringLiteral("import"), QStringLiteral("--member"), QStringLiteral("49999999"),
                              QStringLiteral("--kind"), QStringLiteral("entries"),
                              work + QStringLiteral("/entries-100k.ndjson.gz") },
                            databaseUrl(adminUrl, rssDb), work + QStringLiteral("/rss.log"), importEnv);
    // The real ETL path for everything.
    // (Loading only: the analytics refresh that follows a load is timed
    // on its own below, as COPY has no counterpart.)
    const Child etl = run(
            server, { QStringLiteral("import"), QStringLiteral("--no-analytics"), QStringLiteral("--dir"), dataDir },
            databaseUrl(adminUrl, etlDb), work + QStringLiteral("/etl.log"), importEnv);
    // COPY of the same rows into identical tables.
    db::Database copyDatabase(*db::DatabaseUrl::parse(databaseUrl(adminUrl, copyDb)));
    const double copySeconds = copyAll(copyDatabase, copyData);

    db::Database etlDatabase(*db::DatabaseUrl::parse(databaseUrl(adminUrl, etlDb)));
    QElapsedTimer analyticsTimer;
    analyticsTimer.start();
    for (const QString &member : QDir(dataDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const qint64 pseudonym = privacy::ParticipantKeys(benchSecretKey).pseudonym(member);
        if (auto s = etl::refreshParticipantAnalytics(etlDatabase, pseudonym); !s)
            out << "analytics failed: " << s.error().message << Qt::endl;
    }
    const double analyticsSeconds = analyticsTimer.nsecsElapsed() / 1e9;
    bool same = true;
    for (const char *table : { "entries", "treatments", "device_status", "device_status_metrics" }) {
        const qint64 a = tableRows(etlDatabase, table);
        const qint64 b = tableRows(copyDatabase, table);
        out << table << ": etl " << a << " rows, copy " << b << " rows" << Qt::endl;
        same = same && a == b;
    }
    etlDatabase.closeConnection();
    copyDatabase.closeConnection();
    for (const QString &name : { rssDb, etlDb, copyDb })
        adminExec(adminUrl, QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(name));

    if (small.exitCode != 0 || etl.exitCode != 0 || copySeconds <= 0 || !same) {
        out << "benchmark failed (exit codes " << small.exitCode << '/' << etl.exitCode << ", same rows: " << same
            << ")\n"
            << etl.output.right(2000) << Qt::endl;
        return 1;
    }
    const double etlRate = records / etl.seconds;
    const double copyRate = records / copySeconds;
    out << "etl: " << records << " records in " << QString::number(etl.seconds, 'f', 2) << " s (" << qint64(etlRate)
        << " rows/s), peak RSS " << QString::number(etl.peakMb, 'f', 1) << " MB" << Qt::endl;
    out << "copy: " << records << " records in " << QString::number(copySeconds, 'f', 2) << " s (" << qint64(copyRate)
        << " rows/s)" << Qt::endl;
    out << "analytics refresh after the load (not in the rates): " << QString::number(analyticsSeconds, 'f', 2) << " s"
        << Qt::endl;
    out << "peak RSS: " << QString::number(small.peakMb, 'f', 1) << " MB for " << std::min<qint64>(100000, n.entries)
        << " entries, " << QString::number(etl.peakMb, 'f', 1) << " MB for " << records << " records" << Qt::endl;
    out << "etl rows_per_s=" << qint64(etlRate) << " copy_rows_per_s=" << qint64(copyRate)
        << " ratio=" << QString::number(etlRate / copyRate, 'f', 2) << " peak_rss_mb=" << qRound(etl.peakMb)
        << " peak_rss_100k_mb=" << qRound(small.peakMb) << Qt::endl;
    if (!parser.isSet(QStringLiteral("keep")))
        QDir(work).removeRecursively();
    return 0;
}
