// `openaps-server migrate-legacy` (declared in app/commands.h).

#include "app/commands.h"
#include "legacy/legacymigration.h"

#include <QElapsedTimer>
#include <QTextStream>

namespace openaps::app {

namespace {

int usage(int exitCode)
{
    QTextStream(stderr)
            << "Usage: openaps-server migrate-legacy --from postgresql://USER@HOST/DB [--dry-run] [--no-analytics]\n"
               "                                    [--batch-rows N]\n"
               "Copies the old Data Commons database into this one: members and their Open Humans tokens,\n"
               "research tables, survey answers, researcher accounts and applications. In batches with a\n"
               "progress line each; a second run adds nothing, a killed run continues where it stopped.\n"
               "--dry-run reads everything and reports what would happen, writing nothing.\n"
               "The old password can stay out of the command line: PGPASSWORD or ~/.pgpass (libpq).\n";
    return exitCode;
}

} // namespace

int migrateLegacyCommand(const Config &config, const QStringList &arguments)
{
    legacy::MigrationOptions options;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString &a = arguments[i];
        if (a == QLatin1String("--help"))
            return usage(0);
        if (a == QLatin1String("--dry-run")) {
            options.dryRun = true;
        } else if (a == QLatin1String("--no-analytics")) {
            options.analytics = false;
        } else if (a == QLatin1String("--from") && i + 1 < arguments.size()) {
            options.sourceUrl = arguments[++i];
        } else if (a == QLatin1String("--batch-rows") && i + 1 < arguments.size()) {
            options.batchRows = arguments[++i].toLongLong();
            if (options.batchRows <= 0)
                return usage(2);
        } else {
            return usage(2);
        }
    }
    if (options.sourceUrl.isEmpty())
        return usage(2);
    // A dry run changes nothing, not even the schema: it reads what it can.
    const auto database = openDatabase(config, true, !options.dryRun);
    if (!database)
        return 1;
    options.secretKey = config.secretKey();
    options.pseudonymKey = config.pseudonymKey();
    QTextStream err(stderr);
    options.progress = [&err](const QString &line) {
        err << line << '\n';
        err.flush();
    };
    QElapsedTimer clock;
    clock.start();
    auto report = legacy::migrateLegacy(*database, options);
    if (!report) {
        printError(report.error().message);
        return 1;
    }
    QTextStream out(stdout);
    out << report->text();
    out << QStringLiteral("Finished in %1 s.\n").arg(clock.elapsed() / 1000.0, 0, 'f', 1);
    return 0;
}

} // namespace openaps::app
