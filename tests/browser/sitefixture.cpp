// Test-only launcher for the browser tests and the `site` benchmark: the
// Open Humans and Nightscout stand-ins plus the participant site on a
// throw-away SQLite database, all on loopback. Prints one JSON line with the
// URLs, then serves a small control API until POST /quit:
//   GET  /files?member=ID   the member's complete files in the OH stand-in
//   POST /session           a logged-in participant: {"cookie", "member"}
//   POST /quit              exit

#include "db/migrations.h"
#include "http/webserver.h"
#include "site/participantsite.h"
#include "site/participantstore.h"
#include "site/sessionstore.h"
#include "standins/nightscoutstandin.h"
#include "standins/openhumansstandin.h"

#include <QCoreApplication>
#include <QHttpServer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTemporaryDir>
#include <QTextStream>

using namespace openaps;

namespace {

const QString lockedToken = QStringLiteral("datacommons-0123456789abcdef");
const QByteArray secretKey = QByteArrayLiteral("site-fixture-secret-key-0123456789abcdef");

int fail(const QString &message)
{
    QTextStream(stderr) << "site-fixture: " << message << Qt::endl;
    return 1;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    auto url = db::DatabaseUrl::parse(QLatin1String("sqlite://") + dir.filePath(QStringLiteral("site.db")));
    db::Database database(*url);
    if (auto migrated = db::migrate(database); !migrated)
        return fail(migrated.error().message);

    QNetworkAccessManager nam;
    standins::OpenHumansStandIn openHumans({}, &nam);
    standins::NightscoutStandIn nightscout;
    if (!openHumans.listen() || !nightscout.listen())
        return fail(QStringLiteral("the stand-ins could not listen"));
    nightscout.site();
    nightscout.site(QStringLiteral("locked")).requireToken(lockedToken);

    http::WebServer web(database);
    const auto port = web.listen(QHostAddress::LocalHost, 0);
    if (!port)
        return fail(port.error().message);
    const QString siteUrl = QStringLiteral("http://127.0.0.1:%1").arg(*port);
    const Config config = Config::fromValues({
            { QStringLiteral("PUBLIC_URL"), siteUrl },
            { QStringLiteral("SECRET_KEY"), QString::fromLatin1(secretKey) },
            { QStringLiteral("OH_BASE_URL"), openHumans.baseUrl().toString() },
            { QStringLiteral("OH_CLIENT_ID"), openHumans.options().clientId },
            { QStringLiteral("OH_CLIENT_SECRET"), openHumans.options().clientSecret },
            { QStringLiteral("OH_WEBHOOK_SECRET"), QStringLiteral("site-fixture-webhook") },
            // The benchmark and the browser tests post from one address.
            { QStringLiteral("SITE_POST_LIMIT"), QStringLiteral("100000") },
    });
    auto options = site::ParticipantSite::optionsFromConfig(config);
    options.probe.timeout = std::chrono::seconds(5);
    options.probe.addresses = ns::AddressScope::AllowLoopback; // the Nightscout stand-in is on 127.0.0.1
    auto site = site::ParticipantSite::create(database, &nam, options);
    if (!site)
        return fail(site.error().message);
    (*site)->install(web);

    QHttpServer control;
    control.route(QStringLiteral("/files"), QHttpServerRequest::Method::Get, [&](const QHttpServerRequest &r) {
        QJsonArray files;
        const auto stored = openHumans.files(r.query().queryItemValue(QStringLiteral("member")));
        for (const auto &f : stored) {
            if (f.complete)
                files.append(QJsonObject { { QStringLiteral("basename"), f.basename },
                                           { QStringLiteral("content"), QString::fromUtf8(f.content) } });
        }
        return QHttpServerResponse(files);
    });
    control.route(QStringLiteral("/session"), QHttpServerRequest::Method::Post, [&] {
        const QString member = openHumans.addMember();
        const auto grant = openHumans.store().issueTokens(member);
        site::ParticipantStore participants(database, secretKey);
        const auto id = participants.recordLogin(
                { member,
                  { grant.accessToken, grant.refreshToken, QDateTime::currentDateTimeUtc().addSecs(36000), {} },
                  0,
                  QStringLiteral("https://bench.example"),
                  QStringLiteral("both") });
        site::SessionStore sessions(database, secretKey, std::chrono::hours(24), systemClock());
        const auto session = id ? sessions.create(*id) : Result<site::Session>(id.error());
        if (!session)
            return QHttpServerResponse(QJsonObject { { QStringLiteral("error"), session.error().message } },
                                       QHttpServerResponse::StatusCode::InternalServerError);
        return QHttpServerResponse(QJsonObject { { QStringLiteral("cookie"), session->cookie },
                                                 { QStringLiteral("cookieName"), options.settings.cookieName() },
                                                 { QStringLiteral("member"), member } });
    });
    control.route(QStringLiteral("/quit"), QHttpServerRequest::Method::Post, [&app] {
        QMetaObject::invokeMethod(&app, &QCoreApplication::quit, Qt::QueuedConnection);
        return QHttpServerResponse(QHttpServerResponse::StatusCode::Ok);
    });
    const quint16 controlPort = control.listen(QHostAddress::LocalHost, 0);
    if (controlPort == 0)
        return fail(QStringLiteral("the control server could not listen"));

    const QJsonObject urls {
        { QStringLiteral("site"), siteUrl },
        { QStringLiteral("openHumans"), openHumans.baseUrl().toString() },
        { QStringLiteral("control"), QStringLiteral("http://127.0.0.1:%1").arg(controlPort) },
        { QStringLiteral("nightscout"),
          QJsonObject {
                  { QStringLiteral("open"), nightscout.url().toString() },
                  { QStringLiteral("locked"), nightscout.url(QStringLiteral("locked")).toString() },
                  { QStringLiteral("token"), lockedToken },
                  // Nothing listens on port 1 of the loopback interface.
                  { QStringLiteral("unreachable"), QStringLiteral("http://127.0.0.1:1") },
                  { QStringLiteral("notNightscout"), openHumans.baseUrl().toString() },
          } },
    };
    QTextStream(stdout) << QJsonDocument(urls).toJson(QJsonDocument::Compact) << Qt::endl;
    return QCoreApplication::exec();
}
