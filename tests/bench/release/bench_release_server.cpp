// The release benchmark's server (tests/bench/run.sh release): the real
// WebServer with ExportApi and ReleaseApi on a database, behind a fixed
// bearer token, so tests/bench/release.sh can ask for releases and download
// them over real HTTP with curl and read this process's peak RSS. Prints
// "port N" once listening. With --copy-sql DATASET it prints instead the
// psql script that COPYs what the export (and so a release) of DATASET
// holds, the benchmark's baseline. Not a test.

#include "../common/apibench.h"
#include "api/export/datasets.h"
#include "api/export/exportapi.h"
#include "api/export/exportparams.h"
#include "api/export/exportsql.h"
#include "api/release/releaseapi.h"
#include "http/webserver.h"

#include <QLoggingCategory>
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
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("dir"), QStringLiteral("the release directory"), QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("copy-sql"), QStringLiteral("print the COPY baseline of a dataset"),
                       QStringLiteral("dataset") });
    bench::addApiBenchOptions(parser);
    // What the job says it counted, and how long that took (release.sh reports it).
    QLoggingCategory::setFilterRules(QStringLiteral("openaps.*.info=false\nopenaps.server.api.info=true"));
    parser.process(app);
    QTextStream out(stdout);
    if (parser.isSet(QStringLiteral("copy-sql")))
        return printCopySql(parser.value(QStringLiteral("copy-sql")), out);
    auto bench = bench::openApiBench(parser, out);
    if (!bench)
        return 1;
    http::WebServer web(bench->database);
    api::ExportApi exports(bench->database, bench->authenticate);
    exports.install(web);
    api::ReleaseSettings settings;
    settings.directory = parser.value(QStringLiteral("dir"));
    settings.quotaBytes = 0;
    api::ReleaseApi releases(bench->database, bench->authenticate, settings);
    releases.install(web);
    return bench::serveApiBench(app, web, out);
}
