#pragma once

#include "api/accountguard.h"
#include "api/accountmail.h"
#include "api/passwordhasher.h"
#include "api/researcherstore.h"
#include "api/tokenauth.h"
#include "core/config.h"
#include "db/database.h"
#include "http/pendingreply.h"
#include "http/ratelimiter.h"
#include "http/requests.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace openaps::http {
class WebServer;
}
namespace openaps::mail {
class Mailer;
}

namespace openaps::api {

class JsonBody;

// The account half of the researcher API (README, "Researcher API (accounts)"): applications,
// email confirmation, login/logout, /me, password reset, and the admin's
// researcher list and approve/reject/deactivate.
class ResearcherApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResearcherApi)

public:
    struct Options
    {
        // secretKey, postLimit/postWindow (per-IP POST limit) and trustedProxies are used.
        http::RequestSettings requests;
        std::chrono::seconds tokenLifetime { 30 * 24 * 3600 };
        std::chrono::seconds codeLifetime { 30 * 60 };
        int codeAttempts = 5;
        AccountGuard::Limits accountLimits; // per account, whatever the client address
        Clock clock; // defaults to the system clock

        // A clear Error for a bad OPENAPS_API_TOKEN_TTL.
        static Result<Options> fromConfig(const Config &config);
    };

    // `mailer` may be unconfigured: applications and resets then answer 503.
    ResearcherApi(const db::Database &database, mail::Mailer *mailer, Options options, QObject *parent = nullptr);
    ~ResearcherApi() override;

    void install(http::WebServer &web);
    // For the export half: the same bearer-token check.
    const TokenAuth &tokenAuth() const { return m_auth; }

private:
    using ReplyPtr = std::shared_ptr<http::PendingReply>;
    using Handler = void (ResearcherApi::*)(const QHttpServerRequest &, const ReplyPtr &);

    void addPost(http::WebServer &web, const QString &path, Handler handler, bool rateLimited);

    // 413 for a big body, 429 over the per-IP limit; nullopt to go ahead.
    std::optional<QHttpServerResponse> refuse(const QHttpServerRequest &request, bool rateLimited);
    Result<Researcher> signedIn(const QHttpServerRequest &request) const;
    Result<Researcher> signedInAdmin(const QHttpServerRequest &request) const;
    qint64 now() const { return nowMs(m_options.clock); }
    // Replaces the live code and emails it; `done` gets whether it was sent.
    void sendCode(const Account &account, CodePurpose purpose, const std::function<void(Status)> &done);
    // After a good password: the account's state decides, then a token.
    void signIn(const Account &account, const ReplyPtr &reply);

    // accountroutes.cpp
    void onApply(const QHttpServerRequest &request, const ReplyPtr &reply);
    void onVerify(const QHttpServerRequest &request, const ReplyPtr &reply);
    void onResend(const QHttpServerRequest &request, const ReplyPtr &reply);
    void onLogin(const QHttpServerRequest &request, const ReplyPtr &reply);
    void onForgot(const QHttpServerRequest &request, const ReplyPtr &reply);
    void onReset(const QHttpServerRequest &request, const ReplyPtr &reply);
    QHttpServerResponse onMe(const QHttpServerRequest &request);
    QHttpServerResponse onLogout(const QHttpServerRequest &request);
    void issueToken(const Account &account, const ReplyPtr &reply);
    Result<JsonBody> bodyOf(const QHttpServerRequest &request) const;
    // The application form's fields beyond name, institution and purpose, and the terms accepted.
    Result<ApplicationDetails> applicationDetails(const JsonBody &body) const;
    QHttpServerResponse onTerms() const;
    // The researcher whose live `purpose` code the body's email and code name;
    // the code is used up (or loses a try, which counts against the account).
    // "account-locked" with *lockedSeconds when too many were wrong.
    Result<qint64> redeemCode(const JsonBody &body, CodePurpose purpose, int *lockedSeconds);
    // Counts a failed attempt; the owner gets an email when it locks the account.
    void noteFailure(const Account &account, AccountGuard::Kind kind);

    // adminroutes.cpp
    QHttpServerResponse onAdminList(const QHttpServerRequest &request);
    QHttpServerResponse onAdminAction(const QString &id, const QString &action, const QHttpServerRequest &request);

    db::Database m_database;
    mail::Mailer *m_mailer;
    Options m_options;
    ResearcherStore m_store;
    TokenAuth m_auth;
    EmailCodes m_codes;
    AccountGuard m_guard;
    http::RateLimiter m_rateLimiter;
    PasswordHasher m_hasher;
    QTimer m_purgeTimer;
};

// The `researcher` object of login and /me, and the admin list's fuller one.
QJsonObject researcherJson(const Researcher &researcher);
QJsonObject adminResearcherJson(const Account &account);
// What the application form asked (issue 17), in the admin list.
QJsonObject applicationJson(const ApplicationDetails &details);
// The old portal's counters of a migrated account ({login_count,
// last_login_at, downloads, download_mb}); null for accounts made here.
QJsonValue legacyUsageJson(const LegacyUsage &usage);

} // namespace openaps::api
