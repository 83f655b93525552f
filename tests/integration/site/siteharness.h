#pragma once

// One participant site on loopback for the integration tests: a throw-away
// database (SQLite or PostgreSQL), the Open Humans stand-in, the WebServer
// with the site installed, and a small synchronous HTTP client that handles
// cookies and redirects by hand so tests see every step.

#include "db/database.h"
#include "http/webserver.h"
#include "privacy/participantkeys.h"
#include "site/erasure.h"
#include "site/participantsite.h"
#include "standins/nightscoutstandin.h"
#include "standins/openhumansstandin.h"
#include "testdatabase.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>

namespace openaps::test {

struct HttpReply
{
    int status = 0;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;

    QByteArray header(const QByteArray &name) const;
    // The session cookie's value from Set-Cookie, or empty.
    QString sessionCookie() const;
};

class SiteHarness
{
public:
    using Tweak = std::function<void(site::ParticipantSite::Options &)>;

    explicit SiteHarness(const QString &backend, Tweak tweak = {});
    ~SiteHarness();

    static const QByteArray webhookSecret; // configured as OPENAPS_OH_WEBHOOK_SECRET
    // The site's pseudonym and tombstone keys (from its OPENAPS_SECRET_KEY).
    static privacy::ParticipantKeys keys();
    // The value naming `member` in `table.column`: the participant id, the
    // member's pseudonym (research rows) or the member id.
    static QVariant keyValue(const db::Database &database, const site::ParticipantTable &table, const QString &member,
                             qint64 participantId);

    bool isValid() const { return m_valid; }
    // One Database for the whole harness: each TestDatabase::database() call
    // would open connections of its own.
    db::Database database() const { return *m_database; }
    standins::OpenHumansStandIn &openHumans() { return *m_openHumans; }
    // Sites: "" open, "locked" (token `lockedToken`), "secret" (API secret `apiSecret`).
    standins::NightscoutStandIn &nightscout() { return *m_nightscout; }
    static const QString lockedToken;
    static const QString apiSecret;
    QUrl url(const QString &path) const;
    const site::ParticipantSite::Options &options() const { return m_options; }

    HttpReply get(const QString &path, const QString &cookie = {},
                  const QList<QPair<QByteArray, QByteArray>> &headers = {});
    HttpReply post(const QString &path, const QByteArray &body, const QString &cookie = {},
                   const QList<QPair<QByteArray, QByteArray>> &headers = {});
    HttpReply postForm(const QString &path, const QUrlQuery &form, const QString &cookie = {});
    // Starts a form post and returns at once (the reply belongs to the caller).
    QNetworkReply *startPostForm(const QString &path, const QUrlQuery &form, const QString &cookie);
    // The Nightscout form as it would be posted.
    QUrlQuery nightscoutForm(const QString &cookie, const QString &url, const QString &secret, bool shareOpenAps,
                             bool shareNsf);

    // Logs a new stand-in member in through /login and the callback; returns
    // the logged-in session cookie (empty on failure) and the member id.
    QString login(QString *memberId = nullptr);
    // The same for a member that already exists in the stand-in.
    QString loginAs(const QString &memberId);
    // Submits the Nightscout form of the logged-in page.
    HttpReply saveNightscout(const QString &cookie, const QString &url, const QString &secret, bool shareOpenAps,
                             bool shareNsf);
    // The content of the member's files named `basename` in the OH stand-in.
    QList<QByteArray> filesNamed(const QString &memberId, const QString &basename);

    // The CSRF token in a page's forms.
    static QString csrfToken(const QByteArray &html);

    // Stops the site and web server and starts new ones on the same database
    // (a server restart); the port changes.
    void restart();

private:
    void start();
    HttpReply send(QNetworkReply *reply);
    QNetworkRequest formRequest(const QString &path, const QString &cookie) const;

    TestDatabase m_tdb;
    std::optional<db::Database> m_database;
    Tweak m_tweak;
    QNetworkAccessManager m_nam; // used by the site and the stand-in
    QNetworkAccessManager m_browser; // the test's "browser"
    std::unique_ptr<standins::OpenHumansStandIn> m_openHumans;
    std::unique_ptr<standins::NightscoutStandIn> m_nightscout;
    std::unique_ptr<http::WebServer> m_web;
    std::unique_ptr<site::ParticipantSite> m_site;
    site::ParticipantSite::Options m_options;
    bool m_valid = false;
};

} // namespace openaps::test
