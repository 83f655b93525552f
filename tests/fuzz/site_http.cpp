// Raw request bytes into the site's real router: the one QHttpServer of a
// `serve --roles web,api` process, with the participant site, the
// researcher API, the export API, health and metrics routes, on SQLite.
// The request arrives on a loopback socket handed to the server directly
// (fuzzsupport.h: exchange()); the server's own network calls (Open Humans,
// Nightscout) get canned answers.
//
// Seeded state, so that inputs get past the doors: a logged-in participant,
// whose session cookie the input names as @SESSION@ (replaced before
// sending: it is random; only headers carry it, so no Content-Length
// changes) and whose CSRF token is `fuzz-csrf-token-0123456789abcdef`, and
// an approved admin researcher whose API token is
// `fuzz-api-token-0123456789abcdef`.

#include "api/export/exportapi.h"
#include "api/researcherapi.h"
#include "api/researcherstore.h"
#include "api/tokenauth.h"
#include "fuzzsupport.h"
#include "http/webserver.h"
#include "mail/mailer.h"
#include "site/participantsite.h"
#include "site/sessionstore.h"

#include <QHostAddress>
#include <QSqlError>
#include <QSqlQuery>

using namespace openaps;

namespace {

constexpr char secretKey[] = "fuzz-secret-key-0123456789abcdefghijklmnopqrstuvwxyz";
constexpr char apiToken[] = "fuzz-api-token-0123456789abcdef";
constexpr char csrfToken[] = "fuzz-csrf-token-0123456789abcdef";

struct Site
{
    fuzz::CannedNetwork network;
    std::unique_ptr<http::WebServer> web;
    std::unique_ptr<site::ParticipantSite> participantSite;
    std::unique_ptr<mail::Mailer> mailer;
    std::unique_ptr<api::ResearcherApi> researcherApi;
    std::unique_ptr<api::ExportApi> exportApi;
    std::unique_ptr<site::SessionStore> sessions;
    QByteArray session;
    int members = 0;
};

Site *harness = nullptr;

[[noreturn]] void fail(const QString &what)
{
    fuzz::fail("site_http", what);
}

template <typename T> T orFail(Result<T> result, const char *what)
{
    if (!result)
        fail(QLatin1String(what) + QLatin1String(": ") + result.error().message);
    return std::move(*result);
}

void check(const Status &status, const char *what)
{
    if (!status)
        fail(QLatin1String(what) + QLatin1String(": ") + status.error().message);
}

void exec(const db::Database &database, const QString &sql, const QVariantList &values = {})
{
    QSqlQuery query(*database.connection());
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec())
        fail(QStringLiteral("%1 failed: %2").arg(sql, query.lastError().text()));
}

Config siteConfig()
{
    return Config::fromValues({
            { QStringLiteral("SECRET_KEY"), QLatin1String(secretKey) },
            { QStringLiteral("PUBLIC_URL"), QStringLiteral("http://127.0.0.1:8080") },
            { QStringLiteral("OH_BASE_URL"), QStringLiteral("https://openhumans.example.org") },
            { QStringLiteral("OH_CLIENT_ID"), QStringLiteral("fuzz-client") },
            { QStringLiteral("OH_CLIENT_SECRET"), QStringLiteral("fuzz-client-secret") },
            { QStringLiteral("OH_WEBHOOK_SECRET"), QStringLiteral("fuzz-webhook-secret") },
            // Every request comes from one address: no limit may stop the fuzzer.
            { QStringLiteral("SITE_POST_LIMIT"), QStringLiteral("1000000000") },
            { QStringLiteral("SITE_WEBHOOK_LIMIT"), QStringLiteral("1000000000") },
            { QStringLiteral("SITE_TRUSTED_PROXIES"), QStringLiteral("127.0.0.1") },
    });
}

// An admin researcher with a token that lasts.
void seedResearcher(const db::Database &database, const Config &config)
{
    api::ResearcherStore researchers(database);
    api::Account account;
    account.email = QStringLiteral("admin@fuzz.invalid");
    account.name = QStringLiteral("Fuzz Admin");
    account.institution = QStringLiteral("Fuzz");
    account.purpose = QStringLiteral("fuzzing");
    account.status = QStringLiteral("unverified");
    account.passwordHash = QStringLiteral("no-password"); // signs in with the token only
    const qint64 now = nowMs(systemClock());
    const qint64 id = orFail(researchers.create(account, now), "creating a researcher");
    check(researchers.approve(id, api::AccessScope::All, true, std::nullopt, now), "approving the researcher");
    const api::TokenAuth auth(database, config.secretKey());
    check(researchers.addToken(auth.tokenHash(QLatin1String(apiToken)), id, now, now + 365LL * 86400 * 1000),
          "adding a token");
}

// Every input meets the same doors: what an input before it did (logged
// out, erased the participant, revoked the token, deactivated the admin)
// is undone.
void restore(const db::Database &database)
{
    exec(database, QStringLiteral("UPDATE api_tokens SET revoked_ms = NULL"));
    exec(database, QStringLiteral("UPDATE researchers SET status = 'approved', is_admin = 1"));
    const auto found = harness->sessions->find(QString::fromLatin1(harness->session));
    if (found && *found && (*found)->loggedIn())
        return;
    // A new member each time: an erased one stays erased.
    const QString member = QString::number(12345678 + harness->members++);
    exec(database, QStringLiteral("INSERT INTO participants (member_id, sharing_consent) VALUES (?, 'both')"),
         { member });
    QSqlQuery id(*database.connection());
    id.prepare(QStringLiteral("SELECT id FROM participants WHERE member_id = ?"));
    id.addBindValue(member);
    if (!id.exec() || !id.next())
        fail(QStringLiteral("finding the participant"));
    const site::Session session = orFail(harness->sessions->create(id.value(0).toLongLong()), "creating a session");
    harness->session = session.cookie.toUtf8();
    exec(database, QStringLiteral("UPDATE site_sessions SET csrf_token = ?"), { QLatin1String(csrfToken) });
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initQt();
    harness = new Site;
    const db::Database database = fuzz::scratchDatabase();
    const Config config = siteConfig();
    harness->sessions = std::make_unique<site::SessionStore>(database, config.secretKey(), std::chrono::hours(24 * 365),
                                                             systemClock());
    seedResearcher(database, config);

    // Open Humans' token and member answers in one body; Nightscout's probe reads it too.
    harness->network.maxRequests = 1 << 30;
    harness->network.answer.body = R"({"access_token":"a","refresh_token":"r","expires_in":36000,)"
                                   R"("project_member_id":"12345678","data":[]})";
    harness->web = std::make_unique<http::WebServer>(database);
    auto options = site::ParticipantSite::optionsFromConfig(config);
    options.probe.maxAttempts = 1;
    options.probe.resolver = [](const QString &, QObject *, std::function<void(const QList<QHostAddress> &)> done) {
        done({ QHostAddress(QStringLiteral("93.184.216.34")) });
    };
    harness->participantSite = orFail(site::ParticipantSite::create(database, &harness->network, options), "the site");
    harness->participantSite->install(*harness->web);
    harness->mailer = std::make_unique<mail::Mailer>(orFail(mail::SmtpSettings::fromConfig(config), "mail settings"));
    harness->researcherApi = std::make_unique<api::ResearcherApi>(
            database, harness->mailer.get(), orFail(api::ResearcherApi::Options::fromConfig(config), "API options"));
    harness->researcherApi->install(*harness->web);
    const api::TokenAuth &auth = harness->researcherApi->tokenAuth();
    harness->exportApi = std::make_unique<api::ExportApi>(
            database, [&auth](const QString &token) { return auth.authenticateToken(token); });
    harness->exportApi->install(*harness->web);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    restore(fuzz::scratchDatabase());
    QByteArray request = fuzz::bytes(data, size);
    request.replace("@SESSION@", harness->session);
    const QByteArray response = fuzz::exchange(harness->web->router(), request);
    static const bool show = qgetenv("OPENAPS_FUZZ_SHOW") == "1"; // see what the seeds reach
    if (show)
        fprintf(stderr, "%s\n", response.left(response.indexOf("\r\n")).constData());
    // A 500 is a bug the fuzzer found (a handler failed on what it was given).
    if (response.startsWith("HTTP/1.1 500")) {
        fprintf(stderr, "site_http: answered 500:\n%s\n", response.left(2000).constData());
        abort();
    }
    return 0;
}
