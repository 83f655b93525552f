// The researcher's own account routes of ResearcherApi (README, "Researcher API (accounts)").
#include "api/researcherapi.h"

#include "api/apierror.h"
#include "api/apilog.h"
#include "api/jsonbody.h"
#include "api/termsofuse.h"
#include "crypto/secrets.h"
#include "mail/mailer.h"

#include <QDateTime>
#include <QJsonObject>

namespace openaps::api {

namespace {

constexpr int minimumPasswordLength = 10;

Status checkPasswordRules(const QString &password)
{
    if (password.size() < minimumPasswordLength)
        return makeError("weak-password",
                         QStringLiteral("The password must have at least %1 characters.").arg(minimumPasswordLength));
    return {};
}

Error badCredentials()
{
    return makeError("bad-credentials", QStringLiteral("The email address or the password is not right."));
}

Error badCode(const CodeCheck &check)
{
    if (check.outcome == CodeCheck::Wrong && check.attemptsLeft > 0)
        return makeError("bad-code",
                         QStringLiteral("The code is not right. You have %1 %2 left.")
                                 .arg(check.attemptsLeft)
                                 .arg(check.attemptsLeft == 1 ? QStringLiteral("try") : QStringLiteral("tries")));
    return makeError("bad-code",
                     QStringLiteral("This code can no longer be used (it is wrong, has expired or "
                                    "had too many tries). Please ask for a new code."));
}

Error mailUnavailable()
{
    return makeError("mail-unavailable",
                     QStringLiteral("Email cannot be sent at the moment, so this cannot be done now. "
                                    "Please try again later."));
}

Error accountLocked(int seconds)
{
    return makeError("account-locked",
                     QStringLiteral("Too many wrong tries for this account. Please try again in %1 minutes; "
                                    "the account's owner has been told by email.")
                             .arg(qMax(1, (seconds + 59) / 60)));
}

QHttpServerResponse lockedResponse(int seconds)
{
    auto response = errorResponse(accountLocked(seconds));
    response.setHeader("Retry-After", QByteArray::number(seconds));
    return response;
}

QHttpServerResponse accepted()
{
    return jsonResponse({ { QStringLiteral("status"), QStringLiteral("accepted") } },
                        QHttpServerResponse::StatusCode::Accepted);
}

} // namespace

Result<ApplicationDetails> ResearcherApi::applicationDetails(const JsonBody &body) const
{
    // What the old system's form asked (issue 17), with the same choices.
    ApplicationDetails d;
    const auto oneOf = [&body](const char *field, const QStringList &choices) -> Result<QString> {
        const QString name = QString::fromLatin1(field);
        auto value = body.text(name, 20);
        if (!value)
            return value.error();
        if (!choices.contains(*value))
            return makeError("bad-request",
                             QStringLiteral("The field '%1' must be one of: %2.").arg(name, choices.join(u", ")));
        return *value;
    };
    auto phone = body.text(QStringLiteral("phone"), 40);
    auto irb = oneOf("irb_approval", { QStringLiteral("yes"), QStringLiteral("no"), QStringLiteral("unsure") });
    auto irbDetails = body.optionalText(QStringLiteral("irb_details"), 2000);
    auto sponsor = body.optionalText(QStringLiteral("sponsor_organisation"), 300);
    auto commons = oneOf("data_commons",
                         { QStringLiteral("openaps"), QStringLiteral("nightscout"), QStringLiteral("both") });
    for (const Result<QString> *field : { &phone, &irb, &irbDetails, &sponsor, &commons }) {
        if (!*field)
            return field->error();
    }
    d.phone = *phone;
    d.irbApproval = *irb;
    d.irbDetails = *irbDetails;
    d.sponsorOrganisation = *sponsor;
    d.requestedScope = *commons == QLatin1String("openaps") ? QStringLiteral("openaps")
            : *commons == QLatin1String("nightscout")       ? QStringLiteral("nsf")
                                                            : QStringLiteral("all");
    // The terms of use: accepted, and the version the applicant was shown is the current one.
    auto accepted = body.optionalBool(QStringLiteral("accept_terms"), false);
    if (!accepted)
        return accepted.error();
    auto version = body.optionalText(QStringLiteral("terms_version"), 20);
    if (!version)
        return version.error();
    const TermsOfUse &terms = TermsOfUse::current();
    if (!*accepted || *version != terms.version)
        return makeError("terms-not-accepted",
                         QStringLiteral("Please read and accept the terms of use (version %1, GET /api/v1/terms) "
                                        "to apply: send accept_terms true and terms_version \"%1\".")
                                 .arg(terms.version));
    d.termsVersion = terms.version;
    d.termsAcceptedMs = now();
    return d;
}

QHttpServerResponse ResearcherApi::onTerms() const
{
    const TermsOfUse &terms = TermsOfUse::current();
    return jsonResponse({ { QStringLiteral("version"), terms.version }, { QStringLiteral("text"), terms.text } });
}

Result<JsonBody> ResearcherApi::bodyOf(const QHttpServerRequest &request) const
{
    return JsonBody::parse(request.body());
}

void ResearcherApi::onApply(const QHttpServerRequest &request, const ReplyPtr &reply)
{
    auto body = bodyOf(request);
    if (!body)
        return fail(reply, body.error());
    Account account;
    account.status = status::unverified;
    for (auto [field, target, max] :
         { std::tuple { "name", &account.name, 200 }, std::tuple { "institution", &account.institution, 300 },
           std::tuple { "purpose", &account.purpose, 4000 } }) {
        auto value = body->text(QString::fromLatin1(field), max);
        if (!value)
            return fail(reply, value.error());
        *target = *value;
    }
    auto details = applicationDetails(*body);
    if (!details)
        return fail(reply, details.error());
    account.application = *details;
    auto email = body->email();
    if (!email)
        return fail(reply, email.error());
    account.email = *email;
    auto password = body->password(QStringLiteral("password"));
    if (!password)
        return fail(reply, password.error());
    if (auto rules = checkPasswordRules(*password); !rules)
        return fail(reply, rules.error());
    if (!m_mailer || !m_mailer->isConfigured())
        return fail(reply, mailUnavailable());
    auto existing = m_store.findByEmail(account.email);
    if (!existing)
        return fail(reply, existing.error());
    // The same slow hash and the same answer for a known address, so the
    // answer does not tell who has an account; its owner gets an email instead.
    m_hasher.hash(*password, this, [this, account, reply, known = *existing](Result<QString> hash) mutable {
        if (!hash)
            return fail(reply, hash.error());
        const auto created = [reply] {
            reply->send(jsonResponse({ { QStringLiteral("status"), status::unverified } },
                                     QHttpServerResponse::StatusCode::Created));
        };
        if (known) {
            qCInfo(lcApi, "researcher %lld: an application gave their address", known->id);
            return m_mailer->send(alreadyRegisteredMail(*known), this, [reply, created](const Status &sent) {
                if (!sent)
                    return fail(reply, mailUnavailable());
                created();
            });
        }
        account.passwordHash = *hash;
        auto id = m_store.create(account, now());
        if (!id)
            return fail(reply, id.error());
        account.id = *id;
        qCInfo(lcApi, "researcher %lld applied", account.id);
        sendCode(account, CodePurpose::Verify, [this, reply, created, id = account.id](const Status &sent) {
            if (!sent) {
                // Without the code the account could never be confirmed: drop it so
                // the researcher can simply apply again.
                if (auto removed = m_store.remove(id); !removed)
                    qCWarning(lcApi, "could not remove researcher %lld: %s", id, qPrintable(removed.error().message));
                return fail(reply, mailUnavailable());
            }
            created();
        });
    });
}

Result<qint64> ResearcherApi::redeemCode(const JsonBody &body, CodePurpose purpose, int *lockedSeconds)
{
    auto email = body.email();
    if (!email)
        return email.error();
    auto code = body.text(QStringLiteral("code"), 20);
    if (!code)
        return code.error();
    if (!EmailCodes::looksLikeCode(*code))
        return makeError("bad-request", QStringLiteral("The field 'code' must be the 6-digit code from the email."));
    auto account = m_store.findByEmail(*email);
    if (!account)
        return account.error();
    if (!*account)
        return badCode({});
    const qint64 id = (*account)->id;
    auto locked = m_guard.lockedFor(id, AccountGuard::Kind::CodeFailed, now());
    if (!locked)
        return locked.error();
    if (*locked > 0) {
        *lockedSeconds = *locked;
        return accountLocked(*locked);
    }
    auto check = m_store.checkCode(id, purpose, m_codes.hash(id, purpose, *code), now());
    if (!check)
        return check.error();
    if (check->outcome != CodeCheck::Accepted) {
        noteFailure(**account, AccountGuard::Kind::CodeFailed);
        return badCode(*check);
    }
    if (auto cleared = m_guard.succeed(id, AccountGuard::Kind::CodeFailed); !cleared)
        return cleared.error();
    return id;
}

void ResearcherApi::noteFailure(const Account &account, AccountGuard::Kind kind)
{
    auto lockedNow = m_guard.fail(account.id, kind, now());
    if (!lockedNow) {
        qCWarning(lcApi, "researcher %lld: %s", account.id, qPrintable(lockedNow.error().message));
        return;
    }
    if (!*lockedNow)
        return;
    qCWarning(lcApi, "researcher %lld: locked after too many wrong %s", account.id,
              kind == AccountGuard::Kind::CodeFailed ? "codes" : "passwords");
    if (m_mailer && m_mailer->isConfigured())
        m_mailer->send(lockedMail(account, kind == AccountGuard::Kind::CodeFailed), this, [](const Status &) {});
}

void ResearcherApi::onVerify(const QHttpServerRequest &request, const ReplyPtr &reply)
{
    auto body = bodyOf(request);
    if (!body)
        return fail(reply, body.error());
    int lockedSeconds = 0;
    auto id = redeemCode(*body, CodePurpose::Verify, &lockedSeconds);
    if (!id)
        return lockedSeconds > 0 ? reply->send(lockedResponse(lockedSeconds)) : fail(reply, id.error());
    auto verified = m_store.markVerified(*id, now());
    if (!verified)
        return fail(reply, verified.error());
    qCInfo(lcApi, "researcher %lld confirmed their email address", *id);
    reply->send(jsonResponse({ { QStringLiteral("status"), status::pending } }));
}

// The "email" field of a body that carries nothing else (resend, forgot).
static Result<QString> emailOnly(const QHttpServerRequest &request)
{
    auto body = JsonBody::parse(request.body());
    if (!body)
        return body.error();
    return body->email();
}

void ResearcherApi::onResend(const QHttpServerRequest &request, const ReplyPtr &reply)
{
    auto email = emailOnly(request);
    if (!email)
        return fail(reply, email.error());
    // 202 whatever happens next: the answer must not tell whether the address is known.
    reply->send(accepted());
    auto account = m_store.findByEmail(*email);
    if (account && *account && (*account)->status == status::unverified)
        sendCode(**account, CodePurpose::Verify, [](const Status &) {});
}

void ResearcherApi::onForgot(const QHttpServerRequest &request, const ReplyPtr &reply)
{
    auto email = emailOnly(request);
    if (!email)
        return fail(reply, email.error());
    if (!m_mailer || !m_mailer->isConfigured())
        return fail(reply, mailUnavailable());
    reply->send(accepted());
    auto account = m_store.findByEmail(*email);
    if (account && *account && (*account)->status != status::rejected && (*account)->status != status::deactivated)
        sendCode(**account, CodePurpose::Reset, [](const Status &) {});
}

void ResearcherApi::onReset(const QHttpServerRequest &request, const ReplyPtr &reply)
{
    auto body = bodyOf(request);
    if (!body)
        return fail(reply, body.error());
    // The password first: a weak one must not use up the code.
    auto password = body->password(QStringLiteral("password"));
    if (!password)
        return fail(reply, password.error());
    if (auto rules = checkPasswordRules(*password); !rules)
        return fail(reply, rules.error());
    int lockedSeconds = 0;
    auto redeemed = redeemCode(*body, CodePurpose::Reset, &lockedSeconds);
    if (!redeemed)
        return lockedSeconds > 0 ? reply->send(lockedResponse(lockedSeconds)) : fail(reply, redeemed.error());
    const qint64 id = *redeemed;
    m_hasher.hash(*password, this, [this, id, reply](Result<QString> hash) {
        if (!hash)
            return fail(reply, hash.error());
        if (auto changed = m_store.setPassword(id, *hash, now()); !changed)
            return fail(reply, changed.error());
        // A new password ends a lockout of signing in.
        if (auto cleared = m_guard.succeed(id, AccountGuard::Kind::PasswordFailed); !cleared)
            return fail(reply, cleared.error());
        qCInfo(lcApi, "researcher %lld reset their password; their tokens are revoked", id);
        reply->send(jsonResponse({ { QStringLiteral("status"), QStringLiteral("password-changed") } }));
    });
}

void ResearcherApi::onLogin(const QHttpServerRequest &request, const ReplyPtr &reply)
{
    auto body = bodyOf(request);
    if (!body)
        return fail(reply, body.error());
    auto email = body->email();
    if (!email)
        return fail(reply, email.error());
    auto password = body->password(QStringLiteral("password"));
    if (!password)
        return fail(reply, password.error());
    auto found = m_store.findByEmail(*email);
    if (!found)
        return fail(reply, found.error());
    const std::optional<Account> account = *found;
    if (account) {
        auto locked = m_guard.lockedFor(account->id, AccountGuard::Kind::PasswordFailed, now());
        if (!locked)
            return fail(reply, locked.error());
        if (*locked > 0)
            return reply->send(lockedResponse(*locked));
    }
    const QString pw = *password;
    m_hasher.check(account ? account->passwordHash : QString(), pw, this,
                   [this, account, reply, pw](crypto::PasswordCheck checked) {
                       if (!account)
                           return fail(reply, badCredentials());
                       if (checked == crypto::PasswordCheck::Unverifiable) {
                           // A migrated account whose old hash no verifier accepts: the
                           // owner gets a reset code; the caller the usual answer.
                           noteFailure(*account, AccountGuard::Kind::PasswordFailed);
                           if (m_mailer && m_mailer->isConfigured() && account->status != status::rejected
                               && account->status != status::deactivated)
                               sendCode(*account, CodePurpose::Reset, [](const Status &) {});
                           return fail(reply, badCredentials());
                       }
                       if (checked != crypto::PasswordCheck::Match) {
                           noteFailure(*account, AccountGuard::Kind::PasswordFailed);
                           return fail(reply, badCredentials());
                       }
                       if (!crypto::needsRehash(account->passwordHash))
                           return signIn(*account, reply);
                       // The old portal's bcrypt hash, verified: argon2id from now on.
                       m_hasher.hash(pw, this, [this, account, reply](Result<QString> hash) {
                           if (!hash)
                               return fail(reply, hash.error());
                           if (auto s = m_store.upgradePasswordHash(account->id, account->passwordHash, *hash, now());
                               !s)
                               return fail(reply, s.error());
                           qCInfo(lcApi, "researcher %lld: old password hash replaced by argon2id", account->id);
                           signIn(*account, reply);
                       });
                   });
}

void ResearcherApi::signIn(const Account &account, const ReplyPtr &reply)
{
    if (auto cleared = m_guard.succeed(account.id, AccountGuard::Kind::PasswordFailed); !cleared)
        return fail(reply, cleared.error());
    if (account.status == status::unverified || account.status == status::pending)
        return fail(
                reply,
                makeError("not-approved",
                          account.status == status::unverified
                                  ? QStringLiteral("Please confirm your email address with the code we sent first.")
                                  : QStringLiteral("Your application is waiting for an administrator's approval.")));
    if (account.status != status::approved)
        return fail(reply,
                    makeError("deactivated",
                              QStringLiteral("This researcher account is not active. "
                                             "Please contact the administrators.")));
    issueToken(account, reply);
}

void ResearcherApi::issueToken(const Account &account, const ReplyPtr &reply)
{
    const QString token = crypto::randomToken(32);
    const qint64 at = now();
    const qint64 expires = at + qint64(m_options.tokenLifetime.count()) * 1000;
    if (auto added = m_store.addToken(m_auth.tokenHash(token), account.id, at, expires); !added)
        return fail(reply, added.error());
    qCInfo(lcApi, "researcher %lld signed in", account.id);
    reply->send(jsonResponse(
            { { QStringLiteral("token"), token },
              { QStringLiteral("expires_at"), QDateTime::fromMSecsSinceEpoch(expires, Qt::UTC).toString(Qt::ISODate) },
              { QStringLiteral("researcher"), researcherJson(account.researcher()) } }));
}

QHttpServerResponse ResearcherApi::onLogout(const QHttpServerRequest &request)
{
    if (auto refused = refuse(request, false))
        return std::move(*refused);
    auto researcher = signedIn(request);
    if (!researcher)
        return errorResponse(researcher.error());
    if (auto revoked = m_store.revokeToken(m_auth.tokenHash(TokenAuth::bearerToken(request)), now()); !revoked)
        return errorResponse(revoked.error());
    QHttpServerResponse response(QHttpServerResponse::StatusCode::NoContent);
    addApiHeaders(response);
    return response;
}

QHttpServerResponse ResearcherApi::onMe(const QHttpServerRequest &request)
{
    auto researcher = signedIn(request);
    if (!researcher)
        return errorResponse(researcher.error());
    return jsonResponse(researcherJson(*researcher));
}

} // namespace openaps::api
