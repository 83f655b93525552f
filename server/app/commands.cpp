#include "app/commands.h"

#include "app/loginusers.h"
#include "app/serverruntime.h"
#include "app/shutdown.h"
#include "db/migrations.h"
#include "etl/scrubrows.h"
#include "http/webserver.h"
#include "privacy/pseudonymize.h"
#include "privacy/tokenseal.h"
#include "site/sitesettings.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QTextStream>

namespace openaps::app {

Q_LOGGING_CATEGORY(lcApp, "openaps.server.app", QtInfoMsg)

namespace {

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

bool applyMigrations(const db::Database &database)
{
    const auto report = db::migrate(database);
    if (!report) {
        printError(report.error().message);
        return false;
    }
    if (report->applied.isEmpty())
        qCInfo(lcApp, "database schema is up to date at version %d", report->toVersion);
    else
        qCInfo(lcApp, "database schema migrated from version %d to %d", report->fromVersion, report->toVersion);
    return true;
}

// Rewrites of stored rows that need the keys run in `migrate` alone (as the
// database owner, once, before any server process starts on the new
// version): member ids in research rows become pseudonyms, and rows loaded
// before the ETL scrubbed identifiers are scrubbed.
bool rewriteStoredRows(const Config &config, const db::Database &database)
{
    auto pending = privacy::hasMemberIds(database);
    if (!pending) {
        printError(pending.error().message);
        return false;
    }
    auto scrub = etl::rewritePending(database, etl::scrubRewrite);
    auto survey = etl::rewritePending(database, etl::surveyScrubRewrite);
    if (!scrub || !survey) {
        printError(!scrub ? scrub.error().message : survey.error().message);
        return false;
    }
    if (!*pending && !*scrub && !*survey)
        return true;
    if (config.secretKey().isEmpty()) {
        printError(QStringLiteral("Stored research rows must be rewritten with the server's keys: run `openaps-server "
                                  "migrate` with OPENAPS_SECRET_KEY set."));
        return false;
    }
    const privacy::ParticipantKeys keys(config.secretKey(), config.pseudonymKey());
    if (*pending) {
        auto converted = privacy::convertMemberIds(database, keys);
        if (!converted) {
            printError(QStringLiteral("Replacing member ids by pseudonyms failed: %1").arg(converted.error().message));
            return false;
        }
        qCInfo(lcApp, "research rows: %lld member ids replaced by pseudonyms", *converted);
    }
    if (*scrub) {
        auto scrubbed = etl::scrubStoredRows(database, keys);
        if (!scrubbed) {
            printError(QStringLiteral("Scrubbing stored research rows failed: %1").arg(scrubbed.error().message));
            return false;
        }
        qCInfo(lcApp, "research rows: %lld rows scrubbed of free text and device identifiers", *scrubbed);
    }
    if (*survey) {
        auto scrubbed = etl::scrubStoredSurveyAnswers(database, keys);
        if (!scrubbed) {
            printError(QStringLiteral("Scrubbing stored survey answers failed: %1").arg(scrubbed.error().message));
            return false;
        }
        qCInfo(lcApp, "survey answers: %lld answers scrubbed of typed text", *scrubbed);
    }
    return true;
}

// Every other command: refuses, in one line, to run on rows `migrate` has
// not rewritten yet (it would export or extend them as they are).
bool storedRowsRewritten(const db::Database &database)
{
    auto pending = privacy::hasMemberIds(database);
    auto scrub = etl::rewritePending(database, etl::scrubRewrite);
    auto survey = etl::rewritePending(database, etl::surveyScrubRewrite);
    if (!pending || !scrub || !survey) {
        printError(!pending ? pending.error().message : !scrub ? scrub.error().message : survey.error().message);
        return false;
    }
    if (*pending || *scrub || *survey) {
        printError(QStringLiteral("The research tables hold rows from an older version (%1): run `openaps-server "
                                  "migrate` first.")
                           .arg(*pending         ? QStringLiteral("Open Humans member ids instead of pseudonyms")
                                        : *scrub ? QStringLiteral("free text and device identifiers not yet scrubbed")
                                                 : QStringLiteral("typed survey answers not yet scrubbed")));
        return false;
    }
    return true;
}

// Open Humans tokens sealed before they were bound to their row: bound here
// (with the key). Not fatal: they still open meanwhile, and a process whose
// database user may not read tokens (the api role) has nothing to bind.
void bindTokens(const Config &config, const db::Database &database)
{
    auto pending = privacy::hasUnboundTokens(database);
    if (!pending || !*pending)
        return;
    if (config.secretKey().isEmpty()) {
        qCWarning(lcApp,
                  "participants' tokens are not yet bound to their rows: run `openaps-server migrate` with "
                  "OPENAPS_SECRET_KEY set");
        return;
    }
    auto bound = privacy::bindUnboundTokens(database, privacy::TokenSeal(config.secretKey()));
    if (!bound)
        qCWarning(lcApp, "binding participants' tokens to their rows failed: %s", qPrintable(bound.error().message));
    else
        qCInfo(lcApp, "participants: %lld sealed tokens bound to their rows", *bound);
}

} // namespace

void printError(const QString &message)
{
    err() << QCoreApplication::applicationName() << ": " << message << Qt::endl;
}

std::optional<db::Database> openDatabase(const Config &config, bool needSecretKey, bool migrate)
{
    if (auto valid = config.validate(needSecretKey); !valid) {
        printError(valid.error().message);
        return std::nullopt;
    }
    auto url = db::DatabaseUrl::parse(config.databaseUrl());
    if (!url) {
        printError(url.error().message);
        return std::nullopt;
    }
    db::Database database(*url);
    if (auto ping = database.ping(); !ping) {
        printError(ping.error().message);
        return std::nullopt;
    }
    if (migrate && (!applyMigrations(database) || !storedRowsRewritten(database)))
        return std::nullopt;
    if (migrate)
        bindTokens(config, database);
    return database;
}

int checkConfigCommand(const Config &config, const QStringList &arguments)
{
    const bool forServe = !arguments.contains(QLatin1String("--no-secret"));
    QTextStream out(stdout);
    const auto rows = config.describe();
    for (const auto &row : rows)
        out << row.first << '=' << row.second << '\n';
    out.flush();
    if (auto valid = config.validate(forServe); !valid) {
        printError(valid.error().message);
        return 1;
    }
    if (auto url = db::DatabaseUrl::parse(config.databaseUrl()); !url) {
        printError(url.error().message);
        return 1;
    }
    out << "configuration OK\n";
    return 0;
}

int migrateCommand(const Config &config, const QStringList &arguments)
{
    bool roles = false;
    QList<LoginUser> logins;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--roles")) {
            roles = true;
        } else if (argument == QLatin1String("--login") || argument.startsWith(QLatin1String("--login="))) {
            const QString spec = argument.contains(QLatin1Char('=')) ? argument.section(QLatin1Char('='), 1)
                                                                     : arguments.value(++i);
            auto login = parseLoginUser(spec);
            if (!login) {
                printError(login.error().message);
                return 2;
            }
            logins.append(*login);
        } else {
            printError(QStringLiteral("migrate takes only --roles and --login USER=ROLES (unknown argument %1).")
                               .arg(argument));
            return 2;
        }
    }
    if (!logins.isEmpty() && !roles) {
        printError(QStringLiteral("--login needs --roles (the users join the roles it creates)."));
        return 2;
    }
    const auto database = openDatabase(config, false, false);
    if (!database)
        return 1;
    const auto report = db::migrate(*database);
    if (!report) {
        printError(report.error().message);
        return 1;
    }
    if (!rewriteStoredRows(config, *database))
        return 1;
    bindTokens(config, *database);
    QTextStream out(stdout);
    if (report->applied.isEmpty())
        out << "Database (" << database->url().backendName() << ") is up to date at schema version "
            << report->toVersion << ".\n";
    else
        out << "Applied " << report->applied.join(QLatin1String(", ")) << "; schema version is now "
            << report->toVersion << ".\n";
    if (!roles)
        return 0;
    if (!database->isPostgres()) {
        out << "SQLite has no roles: nothing more to do.\n";
        return 0;
    }
    if (auto applied = db::applyRoles(*database); !applied) {
        out.flush();
        printError(applied.error().message);
        return 1;
    }
    out << "Applied the PostgreSQL roles and grants (openaps_owner, openaps_web, openaps_ingest, "
           "openaps_etl, openaps_api, openaps_viewer).\n";
    if (auto applied = applyLoginUsers(*database, logins); !applied) {
        out.flush();
        printError(applied.error().message);
        return 1;
    }
    for (const LoginUser &login : std::as_const(logins))
        out << "LOGIN user " << login.name << ": member of " << login.groups.join(QLatin1String(", ")) << " only.\n";
    return 0;
}

int serveCommand(const Config &config, const QStringList &arguments)
{
    Roles roles;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        QString value;
        if (argument == QLatin1String("--roles") && i + 1 < arguments.size())
            value = arguments.at(++i);
        else if (argument.startsWith(QLatin1String("--roles=")))
            value = argument.mid(8);
        else {
            printError(
                    QStringLiteral("serve takes only --roles web,api,ingest,etl (unknown argument %1).").arg(argument));
            return 2;
        }
        auto parsed = Roles::parse(value);
        if (!parsed) {
            printError(parsed.error().message);
            return 2;
        }
        roles = *parsed;
    }
    // Before the database: a web role without its webhook secret never starts.
    Status ready = config.validate(true);
    if (ready && roles.web)
        ready = site::SiteSettings::fromConfig(config).checkWebhookSecret();
    if (!ready) {
        printError(ready.error().message);
        return 1;
    }
    const auto database = openDatabase(config, true, true);
    if (!database)
        return 1;

    ServerRuntime runtime(config, *database);
    if (auto started = runtime.start(roles); !started) {
        printError(started.error().message);
        return 1;
    }
    if (roles.web || roles.api)
        qCInfo(lcApp, "listening on %s port %d", qPrintable(config.httpAddress()), runtime.webPort());
    quitOnTerminationSignals();
    return QCoreApplication::exec();
}

} // namespace openaps::app
