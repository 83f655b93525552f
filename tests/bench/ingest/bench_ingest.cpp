// Ingest benchmark (tests/bench/run.sh ingest): one synthetic participant
// with years of history behind the Nightscout stand-in (generated on demand,
// never held), the real `openaps-server ingest --once` against it and the
// Open Humans stand-in: first the full pull (records/s, the child's peak
// RSS), then a cycle with one more hour of data: bytes moved up and down on
// the wire, against what the old design moved every hour (the whole history
// down from Nightscout and up to Open Humans, per type). LAST line:
//   ingest first_pull_records_per_s=... peak_rss_mb=... hourly_bytes=... old_design_bytes=... ratio=...

#include "db/migrations.h"
#include "ingest/filelayout.h"
#include "jobs/ohsession.h"
#include "records/filenames.h"
#include "standins/nightscoutstandin.h"
#include "standins/openhumansstandin.h"
#include "synthetic/generator.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace openaps;
using namespace openaps::records;

namespace {

const QByteArray kSecretKey = QByteArrayLiteral("ingest-benchmark-secret-key-0123456789abcdef");

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

[[noreturn]] void die(const QString &message)
{
    QTextStream(stderr) << "bench-ingest: " << message << Qt::endl;
    std::exit(1);
}

std::shared_ptr<const synthetic::Generator> generator(const QDateTime &start, const QDateTime &end)
{
    synthetic::Options o;
    o.seed = 2024;
    o.start = start;
    o.end = end;
    o.messLevel = 1;
    return std::make_shared<const synthetic::Generator>(o);
}

// key=value pairs of the child's summary line.
QHash<QString, qint64> parseSummary(const QString &output)
{
    QHash<QString, qint64> values;
    const QStringList lines = output.split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (!line.startsWith(QLatin1String("ingest cycle")))
            continue;
        static const QRegularExpression pair(QStringLiteral(R"((\w+)=(-?\d+))"));
        auto it = pair.globalMatch(line);
        while (it.hasNext()) {
            const auto m = it.next();
            values.insert(m.captured(1), m.captured(2).toLongLong());
        }
    }
    return values;
}

// Runs the child while this process's event loop serves the stand-ins.
QHash<QString, qint64> runIngest(const QString &server, const QProcessEnvironment &env, const QStringList &args)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::SeparateChannels);
    QEventLoop loop;
    QObject::connect(&process, &QProcess::finished, &loop, &QEventLoop::quit);
    process.start(server, QStringList { QStringLiteral("ingest") } + args);
    if (!process.waitForStarted(10000))
        die(QStringLiteral("cannot start %1").arg(server));
    loop.exec();
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    if (process.exitCode() != 0)
        die(QStringLiteral("ingest failed:\n%1\n%2").arg(output, QString::fromUtf8(process.readAllStandardError())));
    auto summary = parseSummary(output);
    if (summary.value(QStringLiteral("failed")) != 0 || summary.value(QStringLiteral("ok")) != 1)
        die(QStringLiteral("the participant did not finish cleanly:\n%1\n%2")
                    .arg(output, QString::fromUtf8(process.readAllStandardError())));
    return summary;
}

double mb(qint64 bytes)
{
    return double(bytes) / (1024.0 * 1024.0);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("server"), QStringLiteral("openaps-server binary"), QStringLiteral("path") });
    parser.addOption({ QStringLiteral("work"), QStringLiteral("scratch directory"), QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("years"), QStringLiteral("history length (default 5)"), QStringLiteral("n"),
                       QStringLiteral("5") });
    parser.process(app);
    const QString server = parser.value(QStringLiteral("server"));
    const QString work = parser.value(QStringLiteral("work"));
    if (server.isEmpty() || work.isEmpty())
        die(QStringLiteral("--server and --work are required"));
    const int years = parser.value(QStringLiteral("years")).toInt();

    // Data up to an hour ago; the second cycle finds the hour up to t0.
    const QDateTime t0 = QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch() / 60 * 60, Qt::UTC);
    const QDateTime start = t0.addYears(-years);

    QNetworkAccessManager nam;
    standins::NightscoutStandIn nightscout;
    if (!nightscout.listen())
        die(QStringLiteral("the Nightscout stand-in did not start"));
    nightscout.site().store().serveGenerated(generator(start, t0.addSecs(-3600)));
    standins::OpenHumansStandIn::Options ohOptions;
    standins::OpenHumansStandIn openHumans(ohOptions, &nam);
    if (!openHumans.listen())
        die(QStringLiteral("the Open Humans stand-in did not start"));

    const QString databaseUrl = QStringLiteral("sqlite://") + work + QStringLiteral("/bench.db");
    const db::Database database(*db::DatabaseUrl::parse(databaseUrl));
    if (auto migrated = db::migrate(database); !migrated)
        die(migrated.error().message);
    const QString member = openHumans.addMember();
    {
        auto connection = database.connection();
        QSqlQuery q(*connection);
        q.prepare(QStringLiteral("INSERT INTO participants (member_id) VALUES (?)"));
        q.addBindValue(member);
        if (!q.exec())
            die(q.lastError().text());
    }
    oh::Settings settings;
    settings.baseUrl = openHumans.baseUrl();
    settings.clientId = ohOptions.clientId;
    settings.clientSecret = ohOptions.clientSecret;
    const oh::Client client(&nam, settings);
    jobs::OhSession tokens(database, client, kSecretKey);
    const auto grant = openHumans.store().issueTokens(member);
    if (auto s = tokens.store(1,
                              { grant.accessToken,
                                grant.refreshToken,
                                QDateTime::currentDateTimeUtc().addSecs(grant.expiresIn),
                                {} });
        !s)
        die(s.error().message);
    openHumans.addFile(member, records::consentFileName(member), "openaps");
    openHumans.addFile(member, records::urlFileName(member), nightscout.url().toString().toUtf8());
    database.closeConnection();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("OPENAPS_DATABASE_URL"), databaseUrl);
    env.insert(QStringLiteral("OPENAPS_NIGHTSCOUT_ALLOW_LOOPBACK"), QStringLiteral("1")); // the stand-in
    env.insert(QStringLiteral("OPENAPS_DATA_DIR"), work);
    env.insert(QStringLiteral("OPENAPS_SECRET_KEY"), QString::fromLatin1(kSecretKey));
    env.insert(QStringLiteral("OPENAPS_OH_BASE_URL"), settings.baseUrl.toString());
    env.insert(QStringLiteral("OPENAPS_OH_CLIENT_ID"), settings.clientId);
    env.insert(QStringLiteral("OPENAPS_OH_CLIENT_SECRET"), settings.clientSecret);

    out() << "history: " << years << " years of one synthetic participant (" << start.toString(Qt::ISODate) << " to "
          << t0.toString(Qt::ISODate) << ")" << Qt::endl;
    const auto first = runIngest(server, env, { QStringLiteral("--once") });
    const qint64 records = first.value(QStringLiteral("records"));
    const double seconds = double(first.value(QStringLiteral("duration_ms"))) / 1000.0;
    const double recordsPerSecond = seconds > 0 ? double(records) / seconds : 0;
    const double peakMb = double(first.value(QStringLiteral("peak_rss_kb"))) / 1024.0;
    qint64 stored = 0;
    int segments = 0;
    for (const auto &f : openHumans.files(member)) {
        if (f.basename.endsWith(QLatin1String(".ndjson.gz"))) {
            stored += f.content.size();
            ++segments;
        }
    }
    // The old design moved every record as JSON (NDJSON: one newline each),
    // down from Nightscout and up to Open Humans, every hour.
    const qint64 historyBytes = first.value(QStringLiteral("ns_bytes")) + records;
    out() << QStringLiteral("first pull: %1 records in %2 s (%3 records/s), peak RSS %4 MB; %5 MB of JSON "
                            "read, stored as %6 segment files of %7 MB in total; wire %8 MB down, %9 MB up")
                     .arg(records)
                     .arg(seconds, 0, 'f', 1)
                     .arg(recordsPerSecond, 0, 'f', 0)
                     .arg(peakMb, 0, 'f', 1)
                     .arg(mb(historyBytes), 0, 'f', 1)
                     .arg(segments)
                     .arg(mb(stored), 0, 'f', 1)
                     .arg(mb(first.value(QStringLiteral("wire_down"))), 0, 'f', 1)
                     .arg(mb(first.value(QStringLiteral("wire_up"))), 0, 'f', 1)
          << Qt::endl;

    // One more hour arrives at Nightscout.
    nightscout.site().store().serveGenerated(generator(start, t0));
    const auto hourly = runIngest(server, env, { QStringLiteral("--once"), QStringLiteral("--all") });
    const qint64 hourlyBytes = hourly.value(QStringLiteral("wire_up")) + hourly.value(QStringLiteral("wire_down"));
    const qint64 oldBytes = 2 * historyBytes;
    out() << QStringLiteral("hourly cycle: %1 new records; wire %2 KB down (Nightscout overlap re-read, "
                            "current segments, listing), %3 KB up; %4 KB of records read from Nightscout; "
                            "%5 ms; peak RSS %6 MB")
                     .arg(hourly.value(QStringLiteral("records")))
                     .arg(hourly.value(QStringLiteral("wire_down")) / 1024)
                     .arg(hourly.value(QStringLiteral("wire_up")) / 1024)
                     .arg(hourly.value(QStringLiteral("ns_bytes")) / 1024)
                     .arg(hourly.value(QStringLiteral("duration_ms")))
                     .arg(double(hourly.value(QStringLiteral("peak_rss_kb"))) / 1024.0, 0, 'f', 1)
          << Qt::endl;
    out() << QStringLiteral("old design: the whole history down and up every hour: %1 MB").arg(mb(oldBytes), 0, 'f', 1)
          << Qt::endl;
    out() << QStringLiteral("goals: ratio <= 0.01, peak_rss_mb < 150") << Qt::endl;
    out() << QStringLiteral("ingest first_pull_records_per_s=%1 peak_rss_mb=%2 hourly_bytes=%3 old_design_bytes=%4 "
                            "ratio=%5")
                     .arg(recordsPerSecond, 0, 'f', 0)
                     .arg(peakMb, 0, 'f', 1)
                     .arg(hourlyBytes)
                     .arg(oldBytes)
                     .arg(oldBytes > 0 ? double(hourlyBytes) / double(oldBytes) : 0.0, 0, 'f', 5)
          << Qt::endl;
    return 0;
}
