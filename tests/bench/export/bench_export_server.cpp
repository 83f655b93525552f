// The export benchmark's server (tests/bench/run.sh export): the real
// WebServer and ExportApi on a database, behind a fixed bearer token, so
// tests/bench/export.sh can download over real HTTP with curl and read
// this process's peak RSS. Prints "port N" once listening. Not a test.

#include "api/export/exportapi.h"
#include "db/migrations.h"
#include "http/webserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QLoggingCategory>
#include <QTextStream>

using namespace openaps;

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
    parser.process(app);
    QTextStream out(stdout);
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
    http::WebServer web(database);
    api::ExportApi api(database, [expected](const QString &token) -> Result<api::Researcher> {
        if (token != expected)
            return makeError("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
        api::Researcher researcher;
        researcher.id = 1;
        researcher.scope = api::AccessScope::All;
        return researcher;
    });
    api.install(web);
    const auto port = web.listen(QHostAddress::LocalHost, 0);
    if (!port) {
        out << "cannot listen: " << port.error().message << Qt::endl;
        return 1;
    }
    out << "port " << *port << Qt::endl;
    return app.exec();
}
