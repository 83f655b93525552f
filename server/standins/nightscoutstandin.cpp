#include "standins/nightscoutstandin.h"

#include "nightscout/credentials.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>

namespace openaps::standins {

using ns::Collection;

namespace {

const QLatin1String kApiPrefix("/api/v1/");

StandInReply jsonReply(const QJsonValue &value, int status = 200)
{
    const QByteArray body = value.isArray() ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact)
                                            : QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    return StandInReply::text(body, status, "application/json");
}

// Nightscout's sendJSONStatus shape.
StandInReply jsonStatus(int status, const QString &message, const QString &description = {})
{
    QJsonObject body { { QStringLiteral("status"), status }, { QStringLiteral("message"), message } };
    if (!description.isEmpty())
        body.insert(QStringLiteral("description"), description);
    return jsonReply(body, status);
}

} // namespace

void NightscoutSite::requireToken(const QString &token)
{
    m_auth = Auth::Token;
    m_token = token;
}

void NightscoutSite::requireApiSecret(const QString &secret)
{
    m_auth = Auth::ApiSecret;
    m_secretHash = ns::Credentials::hashSecret(secret);
}

void NightscoutSite::setFaults(const Faults &faults)
{
    m_faults = faults;
    m_faultCounter = 0;
}

NightscoutStandIn::NightscoutStandIn(QObject *parent)
    : QObject(parent),
      m_sender(std::make_unique<StandInReplySender>()),
      m_clock(systemClock())
{
    site(); // the root site always exists
    m_server.setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        // One handler for every path: sites live below prefixes, and the
        // fault switches apply to every endpoint alike.
        onRequest(request, std::move(responder));
    });
}

NightscoutStandIn::~NightscoutStandIn() = default;

Result<quint16> NightscoutStandIn::listen(quint16 port)
{
    auto bound = listenOnLoopback(m_server, port, "The Nightscout stand-in");
    if (bound)
        m_port = *bound;
    return bound;
}

NightscoutSite &NightscoutStandIn::site(const QString &name)
{
    auto &slot = m_sites[name];
    if (!slot)
        slot = std::make_unique<NightscoutSite>();
    return *slot;
}

QUrl NightscoutStandIn::url(const QString &name) const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    if (!name.isEmpty())
        url.setPath(QLatin1Char('/') + name);
    return url;
}

void NightscoutStandIn::onRequest(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const QString path = request.url().path();
    QString name;
    QString rest = path;
    if (!path.startsWith(kApiPrefix)) {
        const qsizetype slash = path.indexOf(QLatin1Char('/'), 1);
        name = path.mid(1, slash < 0 ? -1 : slash - 1);
        rest = slash < 0 ? QString() : path.mid(slash);
    }
    const auto found = m_sites.find(name);
    if (path == QLatin1String("/") || path.isEmpty()) {
        m_sender->send(std::move(responder), rootPage(), {}, 1);
        return;
    }
    if (found == m_sites.end() || !rest.startsWith(kApiPrefix)) {
        m_sender->send(std::move(responder), StandInReply::text("Cannot GET " + path.toUtf8(), 404, "text/html"), {},
                       1);
        return;
    }
    NightscoutSite &site = *found->second;
    site.m_requests.append(request.url());
    ++site.m_faultCounter;
    const Reply reply = request.method() == QHttpServerRequest::Method::Get
            ? answer(site, rest.mid(kApiPrefix.size()), request)
            : jsonStatus(405, QStringLiteral("The stand-in only reads."));
    m_sender->send(std::move(responder), reply, site.m_faults, site.m_faultCounter);
}

bool NightscoutStandIn::credentialsValid(const NightscoutSite &site, const QHttpServerRequest &request, bool *given)
{
    const QUrlQuery query(request.url());
    const QString token = query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
    const QByteArray secret = request.value("api-secret").toLower();
    *given = !token.isEmpty() || !secret.isEmpty();
    // Nightscout compares the SHA-1 of its API_SECRET; a plain secret fails.
    return (!site.m_token.isEmpty() && token == site.m_token)
            || (!site.m_secretHash.isEmpty() && secret == site.m_secretHash);
}

NightscoutStandIn::Reply NightscoutStandIn::answer(NightscoutSite &site, const QString &endpoint,
                                                   const QHttpServerRequest &request) const
{
    QString name = endpoint;
    if (name.endsWith(QLatin1String(".json")))
        name.chop(5);
    if (name.endsWith(QLatin1Char('/')))
        name.chop(1);
    if (name == QLatin1String("status"))
        return statusJson(site);

    bool given = false;
    const bool valid = credentialsValid(site, request, &given);
    if (name == QLatin1String("verifyauth")) {
        // Nightscout 14+: an unknown credential is an error (cannot read);
        // no credential falls back to the default role for visitors.
        const bool byDefault = !given;
        const bool canRead = valid || (byDefault && site.m_auth == NightscoutSite::Auth::Open);
        const bool admin = valid && !site.m_secretHash.isEmpty()
                && request.value("api-secret").toLower() == site.m_secretHash;
        const QJsonObject message {
            { QStringLiteral("canRead"), canRead },
            { QStringLiteral("canWrite"), admin },
            { QStringLiteral("isAdmin"), admin },
            { QStringLiteral("message"), valid ? QStringLiteral("OK") : QStringLiteral("UNAUTHORIZED") },
            { QStringLiteral("rolefound"), valid && !admin ? QStringLiteral("FOUND") : QStringLiteral("NOTFOUND") },
            { QStringLiteral("permissions"), byDefault ? QStringLiteral("DEFAULT") : QStringLiteral("ROLE") },
        };
        return jsonReply(QJsonObject { { QStringLiteral("status"), 200 }, { QStringLiteral("message"), message } });
    }
    if (!valid && site.m_auth != NightscoutSite::Auth::Open)
        return jsonStatus(401, QStringLiteral("Unauthorized"), QStringLiteral("Invalid/Missing"));

    if (name == QLatin1String("profile")) {
        // profile.json ignores `find` and `count`.
        QJsonArray all;
        for (const QJsonObject &p : site.m_store.allProfiles())
            all.append(p);
        return jsonReply(all);
    }
    static const std::map<QString, Collection> collections {
        { QStringLiteral("entries"), Collection::Entries },
        { QStringLiteral("treatments"), Collection::Treatments },
        { QStringLiteral("devicestatus"), Collection::DeviceStatus },
        { QStringLiteral("profiles"), Collection::Profiles },
    };
    const auto collection = collections.find(name);
    if (collection == collections.end())
        return jsonStatus(404, QStringLiteral("Not found"));
    const auto records = site.m_store.query(collection->second, QUrlQuery(request.url()), m_clock());
    if (!records)
        return jsonStatus(400, records.error().message);
    QJsonArray array;
    for (const QJsonObject &record : *records)
        array.append(record);
    return jsonReply(array);
}

NightscoutStandIn::Reply NightscoutStandIn::statusJson(const NightscoutSite &site) const
{
    const QDateTime now = m_clock().toUTC();
    const bool open = site.m_auth == NightscoutSite::Auth::Open;
    return jsonReply(QJsonObject {
            { QStringLiteral("status"), QStringLiteral("ok") },
            { QStringLiteral("name"), QStringLiteral("nightscout") },
            { QStringLiteral("version"), QStringLiteral("15.0.2-standin") },
            { QStringLiteral("serverTime"), ns::isoUtc(now) },
            { QStringLiteral("serverTimeEpoch"), double(now.toMSecsSinceEpoch()) },
            { QStringLiteral("apiEnabled"), true },
            { QStringLiteral("careportalEnabled"), true },
            { QStringLiteral("settings"),
              QJsonObject { { QStringLiteral("units"), QStringLiteral("mg/dl") },
                            { QStringLiteral("authDefaultRoles"),
                              open ? QStringLiteral("readable") : QStringLiteral("denied") } } },
            { QStringLiteral("authorized"), QJsonValue::Null },
            { QStringLiteral("runtimeState"), QStringLiteral("loaded") },
    });
}

NightscoutStandIn::Reply NightscoutStandIn::rootPage() const
{
    QByteArray body = "<!doctype html><title>Nightscout stand-in</title>"
                      "<h1>Nightscout stand-in</h1><p>Loopback Nightscout v1 API for tests and the demo.</p><ul>";
    for (const auto &[name, site] : m_sites) {
        const QByteArray base = url(name).toEncoded();
        body += "<li><a href=\"" + base + "/api/v1/entries.json\">"
                + (name.isEmpty() ? QByteArray("(root)") : name.toHtmlEscaped().toUtf8()) + "</a></li>";
    }
    return StandInReply::text(body + "</ul>", 200, "text/html; charset=utf-8");
}

} // namespace openaps::standins
