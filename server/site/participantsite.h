#pragma once

#include "core/result.h"
#include "db/database.h"
#include "http/ratelimiter.h"
#include "nightscout/client.h"
#include "openhumans/client.h"
#include "privacy/participantkeys.h"
#include "site/consenttexts.h"
#include "site/deauthendpoint.h"
#include "site/pagerenderer.h"
#include "site/pages.h"
#include "site/participantstore.h"
#include "site/privacynotice.h"
#include "site/sessionstore.h"
#include "site/sitesettings.h"
#include "site/staticfiles.h"

#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>
#include <variant>

class QHttpServer;
class QNetworkAccessManager;

namespace openaps::http {
class WebServer;
}

namespace openaps::site {

// The participant registration site: landing page, Open Humans login,
// Nightscout address and consent form, transfer status, logout, and the
// deauthorisation webhook. Adds its routes to the process's WebServer.
class ParticipantSite final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParticipantSite)

public:
    struct Options
    {
        SiteSettings settings;
        oh::Settings openHumans;
        ns::ClientOptions probe; // how patient the Nightscout check is
        Clock clock;
    };

    // Loads templates and static files (from settings.resourcesDir or the
    // embedded copy); fails with a clear message when they are broken.
    static Result<std::unique_ptr<ParticipantSite>> create(const db::Database &database, QNetworkAccessManager *nam,
                                                           Options options, QObject *parent = nullptr);

    ~ParticipantSite() override;

    // Adds the routes, the 404 page and the security headers to `web`.
    void install(http::WebServer &web);

    // The options `serve` uses, from the configuration.
    static Options optionsFromConfig(const Config &config);

private:
    ParticipantSite(const db::Database &database, QNetworkAccessManager *nam, Options options,
                    std::shared_ptr<PageRenderer> renderer, ConsentTexts consentTexts, PrivacyNotice privacy,
                    QObject *parent);

    // GET
    QHttpServerResponse onLanding(const QHttpServerRequest &request);
    QHttpServerResponse onLogin(const QHttpServerRequest &request);
    void onOAuthCallback(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    QHttpServerResponse onMe(const QHttpServerRequest &request);
    QHttpServerResponse onStatic(const QString &name, const QHttpServerRequest &request);
    // POST
    void onSaveNightscout(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    QHttpServerResponse onLogout(const QHttpServerRequest &request);
    QHttpServerResponse onDeauth(const QHttpServerRequest &request);
    void onMissing(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // Self-service (selfservice.cpp): privacy notice, consent texts, the
    // participant's download, stopping and deleting.
    QHttpServerResponse onPrivacy(const QHttpServerRequest &request);
    QHttpServerResponse onConsentText(const QString &version, const QHttpServerRequest &request);
    void onDownload(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    QHttpServerResponse onDeleteConfirm(const QHttpServerRequest &request);
    void onDelete(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // A member erased before confirms sharing again, or keeps it stopped.
    QHttpServerResponse onRejoin(const QHttpServerRequest &request);
    // After a saved choice: the consent history, and "none" takes the
    // participant's rows out of the research database at once.
    Status afterSaved(const Session &session, const ParticipantView &before, const QString &consent,
                      const QString &textVersion);
    // The logged-in participant of a GET, or the response to send instead.
    struct Visitor
    {
        Session session;
        ParticipantView participant;
    };
    std::variant<Visitor, QHttpServerResponse> loggedInVisitor(const QHttpServerRequest &request);

    // The browser's session, if any; a database failure is an Error.
    Result<std::optional<Session>> sessionOf(const QHttpServerRequest &request);
    // Checks size, rate and CSRF of a form POST; a response when refused.
    std::optional<QHttpServerResponse> refusePost(const QHttpServerRequest &request,
                                                  const std::optional<Session> &session);
    // A logged-in visitor's form POST: the session once refusePost() let it
    // through, or the answer instead (that refusal, an internal error, or
    // the start page for a visitor not logged in).
    std::variant<Session, QHttpServerResponse> loggedInPost(const QHttpServerRequest &request);
    QHttpServerResponse mePage(const Session &session, const FormState &form, QHttpServerResponse::StatusCode status);
    Result<ConsentView> consentView(qint64 participantId) const;

    QHttpServerResponse page(const QString &name, const PageData &data,
                             QHttpServerResponse::StatusCode status = QHttpServerResponse::StatusCode::Ok);
    QHttpServerResponse errorPage(QHttpServerResponse::StatusCode status, const Session *session = nullptr);
    QHttpServerResponse internalError(const Error &error, const Session *session = nullptr);
    void withSessionCookie(QHttpServerResponse &response, const Session &session);
    void purge();

    db::Database m_database;
    QNetworkAccessManager *m_nam;
    Options m_options;
    std::shared_ptr<PageRenderer> m_renderer;
    StaticFiles m_static;
    Pages m_pages;
    SessionStore m_sessions;
    http::RateLimiter m_rateLimiter;
    http::RateLimiter m_loginLimiter;
    ParticipantStore m_participants;
    privacy::ParticipantKeys m_keys; // pseudonyms and tombstones, for erasure
    DeauthEndpoint m_deauth;
    oh::Client m_openHumans;
    QTimer m_purgeTimer;
    ConsentTexts m_consentTexts;
    PrivacyNotice m_privacy;
    QThreadPool m_downloads; // participants' downloads, read from the database off the event loop
    QByteArray m_landing; // the same for every visitor: rendered once
    // The last rendered logged-in page per participant, reused while its
    // inputs (pageFingerprint) are unchanged; emptied when it grows large.
    struct RenderedPage
    {
        QByteArray fingerprint;
        QByteArray html;
    };
    QHash<qint64, RenderedPage> m_renderedPages;
};

} // namespace openaps::site
