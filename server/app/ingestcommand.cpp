// `openaps-server ingest [--once [--all]]` (declared in app/commands.h).

#include "app/commands.h"
#include "app/shutdown.h"
#include "ingest/countingnam.h"
#include "ingest/ingestservice.h"
#include "openhumans/client.h"

#include <QCoreApplication>
#include <QFile>
#include <QTextStream>

namespace openaps::app {

namespace {

// The settings ingest adds to the configuration, checked before anything runs.
Status checkIngestSettings(const Config &config)
{
    for (const char *name : { "INGEST_OVERLAP", "INGEST_LEASE_TTL" }) {
        const QString n = QString::fromLatin1(name);
        if (!Config::parseDuration(config.value(n)))
            return makeError("config",
                             QStringLiteral("OPENAPS_%1 must be a duration such as 90s, 15m, 1h "
                                            "or 2d.")
                                     .arg(n));
    }
    return {};
}

// This process's own peak resident memory (VmHWM). Not getrusage(): after
// fork and exec its ru_maxrss still counts the parent's memory at the fork.
qint64 peakRssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

} // namespace

int ingestCommand(const Config &config, const QStringList &arguments)
{
    for (const QString &a : arguments) {
        if (a != QLatin1String("--once") && a != QLatin1String("--all")) {
            QTextStream(stderr) << "Usage: openaps-server ingest [--once [--all]]\n"
                                   "Copies new Nightscout data of every participant to their Open Humans "
                                   "account, every\nOPENAPS_INGEST_INTERVAL; --once runs one cycle and prints a "
                                   "summary; --all includes\nparticipants another run finished within the last "
                                   "half interval.\n";
            return 2;
        }
    }
    if (auto valid = checkIngestSettings(config); !valid) {
        printError(valid.error().message);
        return 1;
    }
    const auto database = openDatabase(config, true, true);
    if (!database)
        return 1;

    auto options = ingest::IngestService::optionsFromConfig(config);
    options.once = arguments.contains(QLatin1String("--once"));
    options.all = arguments.contains(QLatin1String("--all"));
    ingest::CountingNetworkAccessManager nam;
    ingest::IngestService service(*database, &nam, oh::Client::settingsFromConfig(config, QUrl()), options);
    QObject::connect(&service, &ingest::IngestService::stopped, qApp, &QCoreApplication::quit);
    quitOnTerminationSignals();
    service.start();
    const int code = QCoreApplication::exec();
    if (options.once) {
        QTextStream out(stdout);
        out << service.lastCycle().line() << " peak_rss_kb=" << peakRssKb() << '\n';
    }
    return code;
}

} // namespace openaps::app
