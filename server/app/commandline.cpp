#include "app/commandline.h"

#include "app/commands.h"
#include "log/logging.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

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
    { "demo", demoCommand, "the whole system on this machine with loopback stand-ins" },
    { "migrate", migrateCommand,
      "apply database migrations and exit (--roles: then PostgreSQL roles; --login USER=ROLES: a LOGIN user in them)" },
    { "check-config", checkConfigCommand, "print the effective configuration, secrets masked" },
    { "ingest", ingestCommand, "copy new Nightscout data to Open Humans (--once [--all])" },
    { "etl", etlCommand, "load Open Humans files into the research database (--once)" },
    { "admin", adminCommand, "researcher accounts: list, approve, reject, deactivate, create" },
    { "import", importCommand, "load Nightscout export files (--member ID --kind K FILE... | --dir DIR)" },
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

} // namespace

int runCommandLine(const QStringList &arguments)
{
    QStringList args = arguments.mid(1);
    QString iniPath;
    while (!args.isEmpty() && args.first().startsWith(QLatin1String("--"))) {
        const QString option = args.takeFirst();
        if (option == QLatin1String("--help"))
            return usage(0);
        if (option == QLatin1String("--version")) {
            QTextStream(stdout) << "openaps-server " << QCoreApplication::applicationVersion() << '\n';
            return 0;
        }
        if (option == QLatin1String("--config") && !args.isEmpty()) {
            iniPath = args.takeFirst();
        } else if (option.startsWith(QLatin1String("--config="))) {
            iniPath = option.mid(9);
        } else {
            QTextStream(stderr) << "openaps-server: unknown option " << option << '\n';
            return usage(2);
        }
    }
    if (args.isEmpty())
        return usage(2);

    const QString name = args.takeFirst();
    if (name == QLatin1String("help"))
        return usage(0);

    auto config = Config::load(QProcessEnvironment::systemEnvironment(), iniPath);
    if (!config) {
        QTextStream(stderr) << "openaps-server: " << config.error().message << '\n';
        return 2;
    }
    log::install(config->logFormat());

    for (const CommandEntry &c : commands) {
        if (name == QLatin1String(c.name))
            return c.run(*config, args);
    }
    QTextStream(stderr) << "openaps-server: unknown command '" << name << "'\n";
    return usage(2);
}

} // namespace openaps::app
