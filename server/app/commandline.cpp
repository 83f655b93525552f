#include "app/commandline.h"

#include "app/commands.h"
#include "log/logging.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <functional>
#include <optional>

namespace openaps::app {

namespace {

struct CommandEntry
{
    const char *name;
    Command run;
    const char *summary;
};

const CommandEntry commands[] = {
    { "serve", serveCommand, "run the server (--roles web,api,ingest,etl)" },
    { "migrate", migrateCommand,
      "apply database migrations and exit (--roles: then PostgreSQL roles; --login USER=ROLES: a LOGIN user in them)" },
    { "check-config", checkConfigCommand, "print the effective configuration, secrets masked" },
    { "ingest", ingestCommand, "copy new Nightscout data to Open Humans (--once [--all])" },
    { "etl", etlCommand, "load Open Humans files into the research database (--once)" },
    { "admin", adminCommand, "researcher accounts: list, approve, reject, deactivate, create" },
    { "import", importCommand, "load Nightscout export files (--member ID --kind K FILE... | --dir DIR)" },
    { "migrate-legacy", migrateLegacyCommand,
      "copy the old Data Commons database (--from postgresql://... [--dry-run])" },
};

int usage(int exitCode)
{
    QTextStream out(exitCode == 0 ? stdout : stderr);
    out << "Usage: openaps-server [--config FILE] COMMAND [options]\n\nCommands:\n";
    for (const CommandEntry &c : commands)
        out << "  " << QString::fromLatin1(c.name).leftJustified(14) << QString::fromLatin1(c.summary) << '\n';
    out << "\nSettings come from OPENAPS_* environment variables (see check-config).\n";
    return exitCode;
}

// "<program>: <message>" on stderr.
QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream << QCoreApplication::applicationName() << ": ";
}

// Takes the options every program starts with (--help, --version, --config
// FILE) off the front of `args`. Returns an exit code when the program is
// done (help, version, a wrong option); `otherOptionsEndThem`: an unknown
// option is left for the command instead.
std::optional<int> takeProgramOptions(QStringList &args, QString &iniPath, const std::function<int(int)> &usage,
                                      bool otherOptionsEndThem)
{
    while (!args.isEmpty() && args.first().startsWith(QLatin1String("--"))) {
        const QString &option = args.first();
        if (option == QLatin1String("--help"))
            return usage(0);
        if (option == QLatin1String("--version")) {
            QTextStream(stdout) << QCoreApplication::applicationName() << ' ' << QCoreApplication::applicationVersion()
                                << '\n';
            return 0;
        }
        if (option == QLatin1String("--config") && args.size() > 1) {
            iniPath = args.at(1);
            args.remove(0, 2);
        } else if (option.startsWith(QLatin1String("--config="))) {
            iniPath = option.mid(9);
            args.removeFirst();
        } else if (otherOptionsEndThem) {
            break;
        } else {
            err() << "unknown option " << option << Qt::endl;
            return usage(2);
        }
    }
    return std::nullopt;
}

// The effective configuration (environment, then the INI file), with the
// log format it asks for installed; prints why not and returns nullopt.
std::optional<Config> loadConfig(const QString &iniPath)
{
    auto config = Config::load(QProcessEnvironment::systemEnvironment(), iniPath);
    if (!config) {
        err() << config.error().message << Qt::endl;
        return std::nullopt;
    }
    log::install(config->logFormat());
    return *config;
}

} // namespace

int runCommandLine(const QStringList &arguments)
{
    QStringList args = arguments.mid(1);
    QString iniPath;
    if (auto done = takeProgramOptions(args, iniPath, usage, false))
        return *done;
    if (args.isEmpty())
        return usage(2);

    const QString name = args.takeFirst();
    if (name == QLatin1String("help"))
        return usage(0);

    const auto config = loadConfig(iniPath);
    if (!config)
        return 2;
    for (const CommandEntry &c : commands) {
        if (name == QLatin1String(c.name))
            return c.run(*config, args);
    }
    err() << "unknown command '" << name << "'" << Qt::endl;
    return usage(2);
}

int runSingleCommand(const QStringList &arguments, Command command, const QString &usageText)
{
    QStringList args = arguments.mid(1);
    QString iniPath;
    const auto usage = [&usageText](int exitCode) {
        QTextStream(exitCode == 0 ? stdout : stderr) << usageText;
        return exitCode;
    };
    if (auto done = takeProgramOptions(args, iniPath, usage, true))
        return *done;
    const auto config = loadConfig(iniPath);
    if (!config)
        return 2;
    return command(*config, args);
}

} // namespace openaps::app
