// `openaps-server etl` and `openaps-server import` (declared in app/commands.h):
// their arguments and output; the work is etl::EtlService and etl::importFiles().

#include "app/commands.h"
#include "app/shutdown.h"
#include "db/migrations.h"
#include "etl/etlservice.h"
#include "etl/importplan.h"
#include "etl/importrun.h"
#include "privacy/participantdata.h"
#include "privacy/participantkeys.h"
#include "records/consent.h"
#include "records/datatype.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QTextStream>

#include <cstdio>
#include <unistd.h>

namespace openaps::app {

namespace {

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

QString optionValue(QStringList &args, const QString &name)
{
    const qsizetype at = args.indexOf(name);
    if (at < 0 || at + 1 >= args.size())
        return {};
    QString value = args.at(at + 1); // a copy: the list changes next
    args.remove(at, 2);
    return value;
}

int importUsage(int exitCode = 2)
{
    err() << "Usage: openaps-server import --member ID --kind entries|treatments|devicestatus|profile "
             "[--consent openaps|nsf|both] [--no-analytics] FILE...\n"
             "       openaps-server import --dir DIR [--consent openaps|nsf|both] [--no-analytics]\n"
             "Loads Nightscout exports (NDJSON or JSON arrays, plain or .gz) into the research tables.\n"
             "--dir reads a folder of Open Humans files per member (a project-wide download);\n"
             "a member's consent file there overrides --consent (default openaps).\n"
             "--no-analytics leaves the derived analytics tables to the next ETL cycle.\n";
    err().flush();
    return exitCode;
}

// One progress line, rewritten in place on a terminal.
class Progress
{
public:
    Progress() : m_tty(isatty(fileno(stderr))) { }
    void update(const QString &label, const etl::FileReport &r, bool done) const
    {
        const QString line = QStringLiteral("%1: %2 records (new %3, updated %4, duplicate %5, bad %6)")
                                     .arg(label)
                                     .arg(r.records)
                                     .arg(r.rows.inserted)
                                     .arg(r.rows.updated)
                                     .arg(r.rows.duplicates)
                                     .arg(r.badLines);
        if (m_tty)
            err() << '\r' << line << "\x1b[K" << (done ? "\n" : "");
        else if (done)
            err() << line << '\n';
        err().flush();
    }

private:
    bool m_tty;
};

} // namespace

int importCommand(const Config &config, const QStringList &arguments)
{
    QStringList args = arguments;
    const QString member = optionValue(args, QStringLiteral("--member"));
    const QString kind = optionValue(args, QStringLiteral("--kind"));
    const QString dir = optionValue(args, QStringLiteral("--dir"));
    const QString consentText = optionValue(args, QStringLiteral("--consent"));
    // Bulk loads in several runs can leave the analytics to the last one (or
    // to the next ETL cycle).
    const bool analytics = !args.removeOne(QStringLiteral("--no-analytics"));
    if (args.contains(QLatin1String("--help")))
        return importUsage(0);
    int defaultSource = 0;
    if (!consentText.isEmpty()) {
        const auto consent = records::parseConsent(consentText);
        const auto source = consent ? privacy::sourceEntityFor(*consent) : std::nullopt;
        if (!source) {
            err() << "openaps-server: --consent must be openaps, nsf or both.\n";
            return 2;
        }
        defaultSource = *source;
    }

    etl::ImportPlan plan;
    if (!dir.isEmpty()) {
        if (!member.isEmpty() || !kind.isEmpty() || !args.isEmpty())
            return importUsage();
        auto planned = etl::planDirectory(dir, defaultSource);
        if (!planned) {
            err() << "openaps-server: " << planned.error().message << '\n';
            return 2;
        }
        plan = *planned;
        for (const QString &note : std::as_const(plan.skipped))
            err() << "skipped " << note << '\n';
    } else {
        bool ok = false;
        const qint64 userId = member.toLongLong(&ok);
        const auto type = records::dataTypeFromName(kind);
        if (!ok || userId <= 0 || !type || args.isEmpty())
            return importUsage();
        for (const QString &file : std::as_const(args)) {
            if (file.startsWith(QLatin1String("--")))
                return importUsage();
            plan.files.append({ file, userId, *type });
        }
        plan.sourceEntity.insert(userId, defaultSource);
    }

    // Rows are stored under the members' pseudonyms, and erased members'
    // files are skipped: both need the key.
    const auto database = openDatabase(config, true, true);
    if (!database)
        return 1;
    const privacy::ParticipantKeys keys(config.secretKey(), config.pseudonymKey());

    QElapsedTimer clock;
    clock.start();
    Progress progress;
    etl::ImportEvents events;
    events.progress = [&progress](const QString &label, const etl::FileReport &r, bool done) {
        progress.update(label, r, done);
    };
    events.fileFailed = [](const QString &label, const QString &message, bool erased) {
        err() << '\n' << label << ": " << (erased ? QStringLiteral("skipped, the member was erased") : message) << '\n';
    };
    events.readFailed = [](const QString &label, const QString &readError) {
        err() << label << ": " << readError << '\n';
    };
    events.analyticsFailed = [](const Error &error) { err() << "openaps-server: " << error.message << '\n'; };
    const etl::ImportSummary summary = etl::importFiles(*database, keys, plan, analytics, events);

    const double seconds = std::max(0.001, clock.elapsed() / 1000.0);
    const etl::FileReport &total = summary.total;
    QTextStream(stdout) << QStringLiteral("Imported %1 files for %2 members in %3 s: rows new %4 / updated %5 / "
                                          "duplicate %6 / bad %7 (%8 records/s)%9\n")
                                   .arg(plan.files.size() - summary.failed)
                                   .arg(summary.members)
                                   .arg(seconds, 0, 'f', 1)
                                   .arg(total.rows.inserted)
                                   .arg(total.rows.updated)
                                   .arg(total.rows.duplicates)
                                   .arg(total.badLines)
                                   .arg(qint64(total.records / seconds))
                                   .arg(summary.failed ? QStringLiteral("; %1 files failed").arg(summary.failed)
                                                       : QString());
    return summary.failed ? 1 : 0;
}

int etlCommand(const Config &config, const QStringList &arguments)
{
    if (arguments.contains(QLatin1String("--help"))) {
        err() << "Usage: openaps-server etl [--once]\n"
                 "Loads participants' Open Humans files into the research database every ETL_INTERVAL\n"
                 "(ETL_CONCURRENCY at a time); --once runs one cycle and exits.\n";
        return 0;
    }
    const auto database = openDatabase(config, true, true);
    if (!database)
        return 1;
    QNetworkAccessManager nam;
    auto options = etl::EtlService::optionsFromConfig(config);
    options.once = arguments.contains(QLatin1String("--once"));
    etl::EtlService service(*database, &nam, config, options);
    int exitCode = 0;
    QObject::connect(&service, &etl::EtlService::cycleFinished, &service, [&service, &exitCode] {
        const auto &pass = service.lastPass();
        QTextStream(stdout) << QStringLiteral("ETL cycle: %1 participants, %2 ok, %3 with problems%4\n")
                                       .arg(pass.started)
                                       .arg(pass.succeeded)
                                       .arg(pass.failed)
                                       .arg(pass.error.isEmpty() ? QString() : QLatin1String("; ") + pass.error);
        exitCode = pass.failed || !pass.error.isEmpty() ? 1 : 0;
    });
    QObject::connect(&service, &etl::EtlService::stopped, QCoreApplication::instance(), &QCoreApplication::quit);
    quitOnTerminationSignals();
    service.start();
    const int rc = QCoreApplication::exec();
    return options.once ? exitCode : rc;
}

} // namespace openaps::app
