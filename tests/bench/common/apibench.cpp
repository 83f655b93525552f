#include "apibench.h"

#include "db/migrations.h"
#include "http/webserver.h"

#include <QHostAddress>
#include <QLoggingCategory>

namespace openaps::bench {

void addApiBenchOptions(QCommandLineParser &parser)
{
    QLoggingCategory::setFilterRules(QStringLiteral("openaps.*.info=false"));
    parser.addHelpOption();
    parser.addOption(
            { QStringLiteral("database"), QStringLiteral("OPENAPS_DATABASE_URL form"), QStringLiteral("url") });
    parser.addOption({ QStringLiteral("token"), QStringLiteral("the bearer token to accept"), QStringLiteral("token"),
                       QStringLiteral("bench") });
}

std::optional<ApiBench> openApiBench(const QCommandLineParser &parser, QTextStream &out)
{
    auto url = db::DatabaseUrl::parse(parser.value(QStringLiteral("database")));
    if (!url) {
        out << "bad --database: " << url.error().message << Qt::endl;
        return std::nullopt;
    }
    db::Database database(*url);
    if (auto migrated = db::migrate(database); !migrated) {
        out << "cannot migrate: " << migrated.error().message << Qt::endl;
        return std::nullopt;
    }
    const QString expected = parser.value(QStringLiteral("token"));
    api::Authenticate authenticate = [expected](const QString &token) -> Result<api::Researcher> {
        if (token != expected)
            return makeError("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
        api::Researcher researcher;
        researcher.id = 1;
        researcher.scope = api::AccessScope::All;
        return researcher;
    };
    return ApiBench { database, std::move(authenticate) };
}

int serveApiBench(QCoreApplication &app, http::WebServer &web, QTextStream &out)
{
    const auto port = web.listen(QHostAddress::LocalHost, 0);
    if (!port) {
        out << "cannot listen: " << port.error().message << Qt::endl;
        return 1;
    }
    out << "port " << *port << Qt::endl;
    return app.exec();
}

} // namespace openaps::bench
