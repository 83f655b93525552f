// The release benchmark's server (tests/bench/run.sh release): the real
// WebServer with ExportApi and ReleaseApi on a database, behind a fixed
// bearer token, so tests/bench/release.sh can ask for releases and download
// them over real HTTP with curl and read this process's peak RSS. Prints
// "port N" once listening. With --copy-sql DATASET it prints instead the
// psql script that COPYs what the export (and so a release) of DATASET
// holds, the benchmark's baseline. Not a test.

#include "api/export/datasets.h"
#include "api/export/exportapi.h"
#include "api/export/exportparams.h"
#include "api/export/exportsql.h"
#include "api/release/releaseapi.h"
#include "db/migrations.h"
#include "http/webserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QTextStream>
#include <QUrlQuery>

using namespace openaps;

namespace {

int printCopySql(const QString &name, QTextStream &out)
{
    const api::Dataset *dataset = api::findDataset(name);
    if (!dataset)
        return 2;
    const auto params = api::ExportParams::parse(QUrlQuery(QStringLiteral("format=csv")), *dataset);
    if (!params)
        return 2;
    const api::ExportQuery query { dataset, *params, api::allowedSourceEntities(api::AccessScope::All) };
    const api::ExportSql sql(query, api::ExportSql::Dialect::PostgresCopy);
    out << "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n";
    for (const auto &[setting, value] : sql.settings())
        out << "SELECT set_config('" << setting << "', '"
            << QString(value).replace(QLatin1Char('\''), QLatin1String("''")) << "', true) \\g /dev/null\n";
    out << sql.copySql() << ";\nCOMMIT;\n";
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("openaps.*.info=false"));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption(
            { QStringLiteral("database"), QStringLiteral("OPENAPS_DATABASE_URL form"), QStringLiteral("url") });
    parser.addOption({ QStringLiteral("token"), QStringLiteral("the bearer token to accept"), QStringLiteral("token"),
                       QStringLiteral("bench") });
    parser.addOption({ QStringLiteral("dir"), QStringLiteral("the release directory"), QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("copy-sql"), QStringLiteral("print the COPY baseline of a dataset"),
                       QStringLiteral("dataset") });
    parser.process(app);
    QTextStream out(stdout);
    if (parser.isSet(QStringLiteral("copy-sql")))
        return printCopySql(parser.value(QStringLiteral("copy-sql")), out);
    auto url = db::DatabaseUrl::parse(parser.value(QStringLiteral("database")));
    if (!url) {
        out << "bad --database: " << url.error().message << Qt::endl;
        return 2;
    }
    db::Database database(*url);
    if (auto migrated = db::migrate(database); !migrated) {
        out << "cannot migrate: " << migrated.error().message << Qt::endl;
        return 1;
    }
    const QString expected = parser.value(QStringLiteral("token"));
    const api::Authenticate authenticate = [expected](const QString &token) -> Result<api::Researcher> {
        if (token != expected)
            return makeError("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
        api::Researcher researcher;
        researcher.id = 1;
        researcher.scope = api::AccessScope::All;
        return researcher;
    };
    http::WebServer web(database);
    api::ExportApi exports(database, authenticate);
    exports.install(web);
    api::ReleaseSettings settings;
    settings.directory = parser.value(QStringLiteral("dir"));
    settings.quotaBytes = 0;
    api::ReleaseApi releases(database, authenticate, settings);
    releases.install(web);
    const auto port = web.listen(QHostAddress::LocalHost, 0);
    if (!port) {
        out << "cannot listen: " << port.error().message << Qt::endl;
        return 1;
    }
    out << "port " << *port << Qt::endl;
    return app.exec();
}
