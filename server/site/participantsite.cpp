#include "site/participantsite.h"

#include "crypto/secrets.h"
#include "http/pendingreply.h"
#include "http/requests.h"
#include "http/webserver.h"
#include "privacy/tombstones.h"
#include "records/consent.h"
#include "site/deauthendpoint.h"
#include "site/httphelpers.h"
#include "site/loginjob.h"
#include "site/messages.h"
#include "site/registrationjob.h"
#include "site/sitelog.h"

#include <QHttpServer>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>

namespace openaps::site {

using Status = QHttpServerResponse::StatusCode;

ParticipantSite::Options ParticipantSite::optionsFromConfig(const Config &config)
{
    Options options;
    options.settings = SiteSettings::fromConfig(config);
    options.openHumans = oh::Client::settingsFromConfig(config, options.settings.redirectUri());
    // A participant is waiting in front of the page: one quick attempt.
    options.probe.timeout = std::chrono::seconds(15);
    options.probe.maxAttempts = 1;
    options.probe.addresses = ns::addressScope(config);
    options.clock = systemClock();
    return options;
}

Result<std::unique_ptr<ParticipantSite>>
ParticipantSite::create(const db::Database &database, QNetworkAccessManager *nam, Options options, QObject *parent)
{
    auto renderer = PageRenderer::load(options.settings.resourcesDir);
    if (!renderer)
        return renderer.error();
    auto consentTexts = ConsentTexts::load(options.settings.resourcesDir);
    if (!consentTexts)
        return consentTexts.error();
    auto privacy = PrivacyNotice::load(options.settings.privacyNoticeFile, options.settings.resourcesDir,
                                       options.settings.contact);
    if (!privacy)
        return privacy.error();
    if (options.settings.secretKey.isEmpty())
        return makeError("config", QStringLiteral("The participant site needs OPENAPS_SECRET_KEY."));
    if (auto secret = options.settings.checkWebhookSecret(); !secret)
        return secret.error();
    if (!options.clock)
        options.clock = systemClock();
    std::unique_ptr<ParticipantSite> site(new ParticipantSite(database, nam, std::move(options), *renderer,
                                                              std::move(*consentTexts), std::move(*privacy), parent));
    if (site->m_static.count() == 0)
        return makeError("site", QStringLiteral("The participant site's static files are missing."));
    return site;
}

ParticipantSite::ParticipantSite(const db::Database &database, QNetworkAccessManager *nam, Options options,
                                 std::shared_ptr<PageRenderer> renderer, ConsentTexts consentTexts,
                                 PrivacyNotice privacy, QObject *parent)
    : QObject(parent),
      m_database(database),
      m_nam(nam),
      m_options(std::move(options)),
      m_renderer(std::move(renderer)),
      m_static(m_options.settings.resourcesDir),
      m_pages(m_options.settings),
      m_sessions(database, m_options.settings.secretKey, m_options.settings.sessionLifetime, m_options.clock),
      m_rateLimiter(database, m_options.settings.secretKey, m_options.settings.postLimit, m_options.settings.postWindow,
                    m_options.clock),
      // Its own key: /login visits and form posts from one address count separately.
      m_loginLimiter(database, crypto::deriveKey(m_options.settings.secretKey, QByteArrayLiteral("login-rate-limit")),
                     m_options.settings.postLimit, m_options.settings.postWindow, m_options.clock),
      m_participants(database, m_options.settings.secretKey),
      m_keys(m_options.settings.secretKey, m_options.settings.pseudonymKey),
      m_deauth(database, m_keys, m_options.settings, m_options.clock),
      m_openHumans(nam, m_options.openHumans),
      m_consentTexts(std::move(consentTexts)),
      m_privacy(std::move(privacy))
{
    m_downloads.setMaxThreadCount(2);
    m_landing = m_renderer->render(QStringLiteral("landing"), m_pages.landing(nullptr));
    m_purgeTimer.setInterval(std::chrono::minutes(30));
    connect(&m_purgeTimer, &QTimer::timeout, this, &ParticipantSite::purge);
    m_purgeTimer.start();
}

void ParticipantSite::install(http::WebServer &web)
{
    QHttpServer &router = web.router();
    using Method = QHttpServerRequest::Method;
    router.route(QStringLiteral("/"), Method::Get, [this](const QHttpServerRequest &r) { return onLanding(r); });
    router.route(QStringLiteral("/login"), Method::Get, [this](const QHttpServerRequest &r) { return onLogin(r); });
    router.route(QStringLiteral("/oauth/callback"), Method::Get,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) {
                     onOAuthCallback(r, std::move(responder));
                 });
    router.route(QStringLiteral("/me"), Method::Get, [this](const QHttpServerRequest &r) { return onMe(r); });
    router.route(QStringLiteral("/me/nightscout"), Method::Post,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) {
                     onSaveNightscout(r, std::move(responder));
                 });
    router.route(QStringLiteral("/me/download"), Method::Get,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) {
                     onDownload(r, std::move(responder));
                 });
    router.route(QStringLiteral("/me/delete"), Method::Get,
                 [this](const QHttpServerRequest &r) { return onDeleteConfirm(r); });
    router.route(QStringLiteral("/me/delete"), Method::Post,
                 [this](const QHttpServerRequest &r, QHttpServerResponder &&responder) {
                     onDelete(r, std::move(responder));
                 });
    router.route(QStringLiteral("/me/rejoin"), Method::Post,
                 [this](const QHttpServerRequest &r) { return onRejoin(r); });
    router.route(QStringLiteral("/privacy"), Method::Get, [this](const QHttpServerRequest &r) { return onPrivacy(r); });
    router.route(QStringLiteral("/consent/<arg>"), Method::Get,
                 [this](const QString &version, const QHttpServerRequest &r) { return onConsentText(version, r); });
    router.route(QStringLiteral("/logout"), Method::Post, [this](const QHttpServerRequest &r) { return onLogout(r); });
    router.route(QStringLiteral("/deauth"), Method::Post, [this](const QHttpServerRequest &r) { return onDeauth(r); });
    router.route(QStringLiteral("/static/<arg>"), Method::Get,
                 [this](const QString &name, const QHttpServerRequest &r) { return onStatic(name, r); });
    // Every response of the process gets the security headers, also other
    // subsystems' routes; responder-based replies get them where they are built.
    web.addResponseFilter([this](QHttpServerResponse &response) { addSecurityHeaders(response, m_options.settings); });
    router.setMissingHandler([this](const QHttpServerRequest &r, QHttpServerResponder &&responder) {
        onMissing(r, std::move(responder));
    });
    if (m_options.settings.webhookSecret.isEmpty())
        qCCritical(lcSite,
                   "INSECURE: no OPENAPS_OH_WEBHOOK_SECRET (OPENAPS_INSECURE_NO_WEBHOOK_SECRET is set): every "
                   "deauthorisation webhook is refused, so members who leave on Open Humans are NOT erased here");
    purge();
}

QHttpServerResponse ParticipantSite::page(const QString &name, const PageData &data, Status status)
{
    return htmlResponse(m_renderer->render(name, data), status, m_options.settings);
}

QHttpServerResponse ParticipantSite::errorPage(Status status, const Session *session)
{
    const Status shown = m_pages.hasErrorPage(int(status)) ? status : Status::InternalServerError;
    return page(QStringLiteral("message"), m_pages.httpError(int(shown), session), shown);
}

QHttpServerResponse ParticipantSite::internalError(const Error &error, const Session *session)
{
    // The code goes to the log; the participant gets plain words and no details.
    qCWarning(lcSite, "request failed: %s", qPrintable(error.code));
    return errorPage(Status::InternalServerError, session);
}

void ParticipantSite::withSessionCookie(QHttpServerResponse &response, const Session &session)
{
    response.setHeader("Set-Cookie", sessionCookie(m_options.settings, session.cookie, m_sessions.lifetime()));
}

Result<std::optional<Session>> ParticipantSite::sessionOf(const QHttpServerRequest &request)
{
    return m_sessions.find(http::parseCookies(request).value(m_options.settings.cookieName()));
}

std::optional<QHttpServerResponse> ParticipantSite::refusePost(const QHttpServerRequest &request,
                                                               const std::optional<Session> &session)
{
    const Session *s = session ? &*session : nullptr;
    const qint64 size = http::declaredBodySize(request);
    if (size < 0 || size > m_options.settings.maxBodyBytes)
        return errorPage(Status::PayloadTooLarge, s);
    auto decision = m_rateLimiter.hit(http::clientAddress(request, m_options.settings));
    if (!decision)
        return internalError(decision.error(), s);
    if (!decision->allowed) {
        auto response = errorPage(Status::TooManyRequests, s);
        response.setHeader("Retry-After", QByteArray::number(decision->retryAfterSeconds));
        return response;
    }
    // A browser always sends Origin with a POST; another site's form would
    // carry its own origin. The CSRF token below is the main defence.
    const QByteArray origin = request.value("Origin");
    if (!origin.isEmpty() && origin != m_options.settings.origin())
        return errorPage(Status::Forbidden, s);
    const QString token = http::parseForm(request.body()).value(QStringLiteral("csrf"));
    if (!session || token.isEmpty() || !crypto::constantTimeEquals(token.toLatin1(), session->csrfToken.toLatin1()))
        return errorPage(Status::Forbidden, s);
    return std::nullopt;
}

std::variant<Session, QHttpServerResponse> ParticipantSite::loggedInPost(const QHttpServerRequest &request)
{
    auto session = sessionOf(request);
    if (!session)
        return internalError(session.error());
    if (auto refused = refusePost(request, *session))
        return std::move(*refused);
    if (!*session || !(*session)->loggedIn())
        return redirectResponse("/", m_options.settings);
    return **session;
}

QHttpServerResponse ParticipantSite::onLanding(const QHttpServerRequest &request)
{
    auto session = sessionOf(request);
    if (!session)
        return internalError(session.error());
    if (*session && (*session)->loggedIn())
        return redirectResponse("/me", m_options.settings);
    return htmlResponse(m_landing, Status::Ok, m_options.settings);
}

QHttpServerResponse ParticipantSite::onLogin(const QHttpServerRequest &request)
{
    auto existing = sessionOf(request);
    if (!existing)
        return internalError(existing.error());
    if (*existing && (*existing)->loggedIn())
        return redirectResponse("/me", m_options.settings);
    // Every visit stores a session: limited per client address like posts.
    auto decision = m_loginLimiter.hit(http::clientAddress(request, m_options.settings));
    if (!decision)
        return internalError(decision.error());
    if (!decision->allowed) {
        auto response = errorPage(Status::TooManyRequests);
        response.setHeader("Retry-After", QByteArray::number(decision->retryAfterSeconds));
        return response;
    }
    if (*existing)
        (void)m_sessions.destroy((*existing)->cookie);
    // The state ties Open Humans' answer to this browser (RFC 6749 §10.12).
    auto session = m_sessions.create(0, crypto::randomToken(24));
    if (!session)
        return internalError(session.error());
    auto response = redirectResponse(m_openHumans.authorizeUrl(session->oauthState).toEncoded(), m_options.settings);
    response.setHeader("Set-Cookie",
                       sessionCookie(m_options.settings, session->cookie, SessionStore::preLoginLifetime));
    return response;
}

void ParticipantSite::onOAuthCallback(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const QUrlQuery query = request.query();
    auto session = sessionOf(request);
    if (!session)
        return internalError(session.error()).write(std::move(responder));
    const QString state = query.queryItemValue(QStringLiteral("state"));
    const bool stateMatches = *session && !(*session)->oauthState.isEmpty() && !state.isEmpty()
            && crypto::constantTimeEquals(state.toLatin1(), (*session)->oauthState.toLatin1());
    if (!stateMatches) {
        qCInfo(lcSite, "login refused: the state does not match this browser's login");
        return page(QStringLiteral("message"), m_pages.loginProblem(LoginProblem::StateMismatch), Status::BadRequest)
                .write(std::move(responder));
    }
    // The state is single use: the pre-login session ends here.
    (void)m_sessions.destroy((*session)->cookie);
    const QString code = query.queryItemValue(QStringLiteral("code"));
    if (code.isEmpty()) {
        QHttpServerResponse response = page(QStringLiteral("message"), m_pages.loginProblem(LoginProblem::Cancelled));
        response.setHeader("Set-Cookie", sessionCookie(m_options.settings, {}, {}));
        return response.write(std::move(responder));
    }
    auto reply = std::make_shared<http::PendingReply>(std::move(responder));
    auto *job = new LoginJob(m_openHumans, code, this);
    connect(job, &LoginJob::finished, this, [this, job, reply] {
        job->deleteLater();
        const auto &outcome = job->result();
        if (!outcome) {
            qCInfo(lcSite, "login failed at Open Humans: %s", qPrintable(outcome.error().code));
            return reply->send(
                    page(QStringLiteral("message"), m_pages.loginProblem(LoginProblem::Failed), Status::BadGateway));
        }
        ParticipantStore::Login login { outcome->memberId,      outcome->tokens,  outcome->urlFileCount,
                                        outcome->nightscoutUrl, outcome->consent, outcome->credentialSaved };
        // Erased before: nothing is copied or shared again until they say so.
        auto erasedBefore = privacy::isTombstoned(m_database, m_keys, outcome->memberId);
        if (!erasedBefore)
            return reply->send(internalError(erasedBefore.error()));
        login.rejoinPending = *erasedBefore;
        auto participantId = m_participants.recordLogin(login);
        if (!participantId)
            return reply->send(internalError(participantId.error()));
        // A new session id at login: an id planted before login is useless.
        auto session = m_sessions.create(*participantId);
        if (!session)
            return reply->send(internalError(session.error()));
        qCInfo(lcSite, "participant %lld logged in", *participantId);
        auto response = redirectResponse("/me", m_options.settings);
        withSessionCookie(response, *session);
        reply->send(std::move(response));
    });
    job->start();
}

QHttpServerResponse ParticipantSite::mePage(const Session &session, const FormState &form, Status status)
{
    auto overview = m_participants.overview(session.participantId);
    if (!overview)
        return internalError(overview.error(), &session);
    if (!*overview)
        return redirectResponse("/", m_options.settings);
    const auto &[participant, transfers] = **overview;
    if (participant.rejoinPending)
        return page(QStringLiteral("rejoin"), m_pages.rejoin(session, participant), status);
    auto consent = consentView(session.participantId);
    if (!consent)
        return internalError(consent.error(), &session);
    // The database was asked; only the rendering is saved when nothing changed.
    const bool plain = !form.fromInput && form.problemText.isEmpty();
    if (!plain)
        return page(QStringLiteral("me"), m_pages.me(session, participant, transfers, form, *consent), status);
    const QByteArray fingerprint = pageFingerprint(session, participant, transfers, form.saved, *consent);
    auto cached = m_renderedPages.constFind(session.participantId);
    if (cached == m_renderedPages.cend() || cached->fingerprint != fingerprint) {
        if (m_renderedPages.size() >= 1000)
            m_renderedPages.clear();
        cached = m_renderedPages.insert(
                session.participantId,
                { fingerprint,
                  m_renderer->render(QStringLiteral("me"),
                                     m_pages.me(session, participant, transfers, form, *consent)) });
    }
    return htmlResponse(cached->html, status, m_options.settings);
}

QHttpServerResponse ParticipantSite::onMe(const QHttpServerRequest &request)
{
    auto session = sessionOf(request);
    if (!session)
        return internalError(session.error());
    if (!*session || !(*session)->loggedIn())
        return redirectResponse("/", m_options.settings);
    FormState form;
    form.saved = request.query().queryItemValue(QStringLiteral("saved")) == QLatin1String("1");
    return mePage(**session, form, Status::Ok);
}

void ParticipantSite::onSaveNightscout(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    auto post = loggedInPost(request);
    if (auto *response = std::get_if<QHttpServerResponse>(&post))
        return response->write(std::move(responder));
    const Session current = std::get<Session>(post);

    const auto fields = http::parseForm(request.body());
    FormState form;
    form.fromInput = true;
    form.url = fields.value(QStringLiteral("url")).trimmed();
    form.shareOpenAps = fields.contains(QStringLiteral("share_openaps"));
    form.shareNsf = fields.contains(QStringLiteral("share_nsf"));

    auto participant = m_participants.find(current.participantId);
    auto tokens = m_participants.tokens(current.participantId);
    if (!participant || !tokens)
        return internalError(!participant ? participant.error() : tokens.error(), &current).write(std::move(responder));
    // Erased before and not yet confirmed: the page asks that first.
    if (*participant && (*participant)->rejoinPending)
        return redirectResponse("/me", m_options.settings).write(std::move(responder));
    const QDateTime soon = QDateTime::currentDateTimeUtc().addSecs(120);
    if (!*participant || !*tokens || (*tokens)->expiredAt(soon)) {
        form.problemTitle = QStringLiteral("Please log in again");
        form.problemText = openHumansProblem(makeError("login-expired", {}));
        return mePage(current, form, Status::Ok).write(std::move(responder));
    }

    Registration registration { (*participant)->memberId, (*tokens)->accessToken, form.url,
                                fields.value(QStringLiteral("secret")),
                                records::consentFromBoxes(form.shareOpenAps, form.shareNsf) };
    registration.keepSavedCredential = (*participant)->credentialSaved;
    registration.removeCredential = fields.contains(QStringLiteral("remove_token"));
    // The version of the consent text the participant was shown (the page
    // posts it); an unknown one, e.g. from an old page, counts as the current.
    QString textVersion = fields.value(QStringLiteral("consent_version"));
    if (!m_consentTexts.has(textVersion))
        textVersion = m_consentTexts.currentVersion();
    const ParticipantView before = **participant;
    auto reply = std::make_shared<http::PendingReply>(std::move(responder));
    auto *job = new RegistrationJob(m_nam, m_openHumans, m_options.probe, registration, this);
    connect(job, &RegistrationJob::finished, this, [this, job, reply, current, form, before, textVersion]() mutable {
        job->deleteLater();
        const auto &result = job->result();
        if (!result) {
            const Error &error = result.error();
            if (job->failedStage() == RegistrationJob::Stage::OpenHumans) {
                form.problemTitle = QStringLiteral("Not saved yet");
                form.problemText = openHumansProblem(error);
            } else {
                form.problemTitle = probeProblemTitle(error.code);
                form.problemText = error.message;
                form.openTokenHelp = isCredentialProblem(error.code);
            }
            // 200, not 422: for the browser this is the page answering, and an
            // error status would put a red line in the console for nothing.
            return reply->send(mePage(current, form, Status::Ok));
        }
        const QString consent = records::consentValue(result->consent);
        if (auto saved = m_participants.recordSaved(current.participantId, result->nightscoutUrl, consent,
                                                    result->credentialSaved);
            !saved)
            return reply->send(internalError(saved.error(), &current));
        if (auto after = afterSaved(current, before, consent, textVersion); !after)
            return reply->send(internalError(after.error(), &current));
        qCInfo(lcSite, "participant %lld saved consent %s", current.participantId,
               qPrintable(records::consentValue(result->consent)));
        reply->send(redirectResponse("/me?saved=1", m_options.settings));
    });
    job->start();
}

QHttpServerResponse ParticipantSite::onLogout(const QHttpServerRequest &request)
{
    auto session = sessionOf(request);
    if (!session)
        return internalError(session.error());
    if (auto refused = refusePost(request, *session))
        return std::move(*refused);
    if (auto s = m_sessions.destroy((*session)->cookie); !s)
        return internalError(s.error());
    auto response = redirectResponse("/", m_options.settings);
    response.setHeader("Set-Cookie", sessionCookie(m_options.settings, {}, {}));
    return response;
}

QHttpServerResponse ParticipantSite::onDeauth(const QHttpServerRequest &request)
{
    return m_deauth.handle(request);
}

QHttpServerResponse ParticipantSite::onStatic(const QString &name, const QHttpServerRequest &request)
{
    const StaticFiles::File *file = m_static.find(name);
    if (!file)
        return errorPage(Status::NotFound);
    if (request.value("If-None-Match") == file->etag) {
        QHttpServerResponse notModified(Status::NotModified);
        notModified.setHeader("ETag", file->etag);
        return notModified;
    }
    QHttpServerResponse response(file->mimeType, file->content);
    response.setHeader("ETag", file->etag);
    response.setHeader("Cache-Control", "public, max-age=3600");
    return response;
}

void ParticipantSite::onMissing(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    // Other subsystems' APIs answer in JSON; people get a page.
    if (request.url().path().startsWith(QLatin1String("/api/"))) {
        QHttpServerResponse response(QJsonObject { { QStringLiteral("error"), QStringLiteral("not-found") } },
                                     Status::NotFound);
        addSecurityHeaders(response, m_options.settings);
        return response.write(std::move(responder));
    }
    errorPage(Status::NotFound).write(std::move(responder));
}

void ParticipantSite::purge()
{
    if (auto purged = m_sessions.purgeExpired(); !purged)
        qCWarning(lcSite, "removing expired sessions failed: %s", qPrintable(purged.error().message));
    if (auto purged = m_rateLimiter.purgeOld(); !purged)
        qCWarning(lcSite, "removing old rate-limit counters failed: %s", qPrintable(purged.error().message));
    if (auto purged = m_loginLimiter.purgeOld(); !purged)
        qCWarning(lcSite, "removing old rate-limit counters failed: %s", qPrintable(purged.error().message));
    if (auto purged = m_deauth.purgeOld(); !purged)
        qCWarning(lcSite, "removing old webhook records failed: %s", qPrintable(purged.error().message));
}

} // namespace openaps::site
