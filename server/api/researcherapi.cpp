#include "api/researcherapi.h"

#include "api/apierror.h"
#include "api/apilog.h"
#include "api/jsonbody.h"
#include "crypto/secrets.h"
#include "http/requests.h"
#include "http/webserver.h"
#include "mail/mailer.h"

#include <QDateTime>
#include <QHttpServer>
#include <QJsonObject>

namespace openaps::api {

namespace {

// The contract's body limit for every API request.
constexpr qint64 maxBodyBytes = 64 * 1024;

ResearcherApi::Options withClock(ResearcherApi::Options options)
{
    if (!options.clock)
        options.clock = systemClock();
    return options;
}

} // namespace

Result<ResearcherApi::Options> ResearcherApi::Options::fromConfig(const Config &config)
{
    Options options;
    options.requests = http::RequestSettings::fromConfig(config);
    const auto ttl = Config::parseDuration(config.value(QStringLiteral("API_TOKEN_TTL")));
    if (!ttl)
        return makeError("config", QStringLiteral("OPENAPS_API_TOKEN_TTL must be a duration such as 12h or 30d."));
    options.tokenLifetime = *ttl;
    if (options.requests.secretKey.isEmpty())
        return makeError("config", QStringLiteral("The researcher API needs OPENAPS_SECRET_KEY."));
    options.clock = systemClock();
    return options;
}

ResearcherApi::ResearcherApi(const db::Database &database, mail::Mailer *mailer, Options options, QObject *parent)
    : QObject(parent),
      m_database(database),
      m_mailer(mailer),
      m_options(withClock(std::move(options))),
      m_store(database),
      m_auth(database, m_options.requests.secretKey, m_options.clock),
      m_codes(m_options.requests.secretKey),
      m_guard(database, m_options.accountLimits),
      // Its own key: API and site POSTs from one address count separately.
      m_rateLimiter(database, crypto::deriveKey(m_options.requests.secretKey, QByteArrayLiteral("api-rate-limit")),
                    m_options.requests.postLimit, m_options.requests.postWindow, m_options.clock)
{
    m_purgeTimer.setInterval(std::chrono::minutes(30));
    connect(&m_purgeTimer, &QTimer::timeout, this, [this] {
        if (auto purged = m_store.purgeExpired(now()); !purged)
            qCWarning(lcApi, "could not remove expired tokens: %s", qPrintable(purged.error().message));
    });
    m_purgeTimer.start();
}

ResearcherApi::~ResearcherApi()
{
    // Pending argon2 results target this object: let them finish first.
    m_hasher.waitForIdle();
}

void ResearcherApi::addPost(http::WebServer &web, const QString &path, Handler handler, bool rateLimited)
{
    web.router().route(
            path, QHttpServerRequest::Method::Post,
            [this, handler, rateLimited](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                auto reply = std::make_shared<http::PendingReply>(std::move(responder));
                if (auto refused = refuse(request, rateLimited))
                    return reply->send(std::move(*refused));
                (this->*handler)(request, reply);
            });
}

void ResearcherApi::install(http::WebServer &web)
{
    QHttpServer &router = web.router();
    using Method = QHttpServerRequest::Method;
    addPost(web, QStringLiteral("/api/v1/applications"), &ResearcherApi::onApply, true);
    addPost(web, QStringLiteral("/api/v1/applications/verify"), &ResearcherApi::onVerify, true);
    addPost(web, QStringLiteral("/api/v1/applications/resend"), &ResearcherApi::onResend, true);
    addPost(web, QStringLiteral("/api/v1/login"), &ResearcherApi::onLogin, true);
    addPost(web, QStringLiteral("/api/v1/password/forgot"), &ResearcherApi::onForgot, true);
    addPost(web, QStringLiteral("/api/v1/password/reset"), &ResearcherApi::onReset, true);
    router.route(QStringLiteral("/api/v1/logout"), Method::Post,
                 [this](const QHttpServerRequest &r) { return onLogout(r); });
    router.route(QStringLiteral("/api/v1/me"), Method::Get, [this](const QHttpServerRequest &r) { return onMe(r); });
    router.route(QStringLiteral("/api/v1/terms"), Method::Get, [this] { return onTerms(); });
    router.route(QStringLiteral("/api/v1/admin/researchers"), Method::Get,
                 [this](const QHttpServerRequest &r) { return onAdminList(r); });
    router.route(QStringLiteral("/api/v1/admin/researchers/<arg>/<arg>"), Method::Post,
                 [this](const QString &id, const QString &action, const QHttpServerRequest &r) {
                     return onAdminAction(id, action, r);
                 });
    if (!m_mailer || !m_mailer->isConfigured())
        qCWarning(lcApi,
                  "OPENAPS_SMTP_URL is not set: researcher applications and password resets "
                  "answer 503 until a mail server is configured");
}

std::optional<QHttpServerResponse> ResearcherApi::refuse(const QHttpServerRequest &request, bool rateLimited)
{
    const qint64 size = http::declaredBodySize(request);
    if (size < 0 || size > maxBodyBytes)
        return errorResponse(makeError("too-large", QStringLiteral("The request is too large (at most 64 KiB).")));
    if (!rateLimited)
        return std::nullopt;
    auto decision = m_rateLimiter.hit(http::clientAddress(request, m_options.requests));
    if (!decision)
        return errorResponse(decision.error());
    if (decision->allowed)
        return std::nullopt;
    auto response = errorResponse(
            makeError("rate-limited",
                      QStringLiteral("Too many requests from your address. Please wait %1 seconds and try again.")
                              .arg(decision->retryAfterSeconds)));
    response.setHeader("Retry-After", QByteArray::number(decision->retryAfterSeconds));
    return response;
}

Result<Researcher> ResearcherApi::signedIn(const QHttpServerRequest &request) const
{
    return m_auth.authenticate(request);
}

Result<Researcher> ResearcherApi::signedInAdmin(const QHttpServerRequest &request) const
{
    auto researcher = signedIn(request);
    if (researcher && !researcher->isAdmin)
        return makeError("forbidden", QStringLiteral("This needs an administrator's account."));
    return researcher;
}

void ResearcherApi::sendCode(const Account &account, CodePurpose purpose, const std::function<void(Status)> &done)
{
    if (!m_mailer || !m_mailer->isConfigured())
        return done(makeError("mail-unavailable",
                              QStringLiteral("Email cannot be sent at the moment. Please try again later.")));
    const qint64 at = now();
    // Anyone who knows the address can ask for codes: a few an hour per
    // account, whoever asks. The answer to the asker does not change.
    auto allowed = m_guard.takeCode(account.id, at);
    if (!allowed)
        return done(allowed.error());
    if (!*allowed) {
        qCInfo(lcApi, "researcher %lld: no new code, the hour's limit is reached", account.id);
        return done({});
    }
    const QString code = EmailCodes::generate();
    const int minutes = int(m_options.codeLifetime.count() / 60);
    if (auto stored = m_store.storeCode(account.id, purpose, m_codes.hash(account.id, purpose, code),
                                        m_options.codeAttempts, at, at + qint64(m_options.codeLifetime.count()) * 1000);
        !stored)
        return done(stored);
    const mail::Message message = purpose == CodePurpose::Verify ? verificationMail(account, code, minutes)
                                                                 : resetMail(account, code, minutes);
    m_mailer->send(message, this, [done, id = account.id](const Status &sent) {
        if (!sent)
            qCWarning(lcApi, "the email code for researcher %lld could not be sent", id);
        done(sent.ok() ? sent
                       : Status(makeError("mail-unavailable",
                                          QStringLiteral("The email could not be sent. Please try again later."))));
    });
}

QJsonObject researcherJson(const Researcher &researcher)
{
    return { { QStringLiteral("id"), researcher.id },
             { QStringLiteral("name"), researcher.name },
             { QStringLiteral("email"), researcher.email },
             { QStringLiteral("institution"), researcher.institution },
             { QStringLiteral("scope"), scopeName(researcher.scope) },
             { QStringLiteral("is_admin"), researcher.isAdmin } };
}

QJsonObject adminResearcherJson(const Account &account)
{
    return { { QStringLiteral("id"), account.id },
             { QStringLiteral("name"), account.name },
             { QStringLiteral("email"), account.email },
             { QStringLiteral("institution"), account.institution },
             { QStringLiteral("purpose"), account.purpose },
             { QStringLiteral("status"), account.status },
             { QStringLiteral("scope"), account.scope.isEmpty() ? QJsonValue() : QJsonValue(account.scope) },
             { QStringLiteral("is_admin"), account.isAdmin },
             { QStringLiteral("created_at"),
               QDateTime::fromMSecsSinceEpoch(account.createdMs, Qt::UTC).toString(Qt::ISODateWithMs) },
             { QStringLiteral("application"), applicationJson(account.application) },
             { QStringLiteral("legacy_usage"), legacyUsageJson(account.legacyUsage) } };
}

QJsonValue legacyUsageJson(const LegacyUsage &usage)
{
    if (usage.isEmpty())
        return QJsonValue();
    const auto orNull = [](const auto &value) { return value ? QJsonValue(*value) : QJsonValue(); };
    return QJsonObject {
        { QStringLiteral("login_count"), orNull(usage.logins) },
        { QStringLiteral("last_login_at"),
          usage.lastLoginMs
                  ? QJsonValue(QDateTime::fromMSecsSinceEpoch(*usage.lastLoginMs, Qt::UTC).toString(Qt::ISODateWithMs))
                  : QJsonValue() },
        { QStringLiteral("downloads"), orNull(usage.downloads) },
        { QStringLiteral("download_mb"), orNull(usage.downloadMb) }
    };
}

QJsonObject applicationJson(const ApplicationDetails &d)
{
    const auto orNull = [](const QString &text) { return text.isEmpty() ? QJsonValue() : QJsonValue(text); };
    return { { QStringLiteral("phone"), d.phone },
             { QStringLiteral("irb_approval"), orNull(d.irbApproval) },
             { QStringLiteral("irb_details"), d.irbDetails },
             { QStringLiteral("sponsor_organisation"), d.sponsorOrganisation },
             { QStringLiteral("data_commons"),
               d.requestedScope == QLatin1String("openaps")       ? QJsonValue(QStringLiteral("openaps"))
                       : d.requestedScope == QLatin1String("nsf") ? QJsonValue(QStringLiteral("nightscout"))
                       : d.requestedScope == QLatin1String("all") ? QJsonValue(QStringLiteral("both"))
                                                                  : QJsonValue() },
             { QStringLiteral("terms_version"), orNull(d.termsVersion) },
             { QStringLiteral("terms_accepted_at"),
               d.termsAcceptedMs > 0 ? QJsonValue(
                       QDateTime::fromMSecsSinceEpoch(d.termsAcceptedMs, Qt::UTC).toString(Qt::ISODateWithMs))
                                     : QJsonValue() },
             { QStringLiteral("rejection_reason"), orNull(d.rejectionReason) } };
}

} // namespace openaps::api
