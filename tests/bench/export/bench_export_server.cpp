// The export benchmark's server (tests/bench/run.sh export): the real
// WebServer and ExportApi on a database, behind a fixed bearer token, so
// tests/bench/export.sh can download over real HTTP with curl and read
// this process's peak RSS. Prints "port N" once listening. Not a test.

#include "../common/apibench.h"
#include "api/export/exportapi.h"
#include "http/webserver.h"

using namespace openaps;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    bench::addApiBenchOptions(parser);
    parser.process(app);
    QTextStream out(stdout);
    auto bench = bench::openApiBench(parser, out);
    if (!bench)
        return 1;
    http::WebServer web(bench->database);
    api::ExportApi api(bench->database, bench->authenticate);
    api.install(web);
    return bench::serveApiBench(app, web, out);
}
