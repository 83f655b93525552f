#pragma once

// The researcher API's account half on loopback for the integration tests: a
// throw-away database (SQLite or PostgreSQL), the SMTP stand-in with a real
// libcurl mailer pointed at it, the WebServer with ResearcherApi installed,
// a clock the test can move, and a small synchronous JSON client.

#include "api/researcherapi.h"
#include "db/database.h"
#include "http/webserver.h"
#include "mail/mailer.h"
#include "standins/smtpstandin.h"
#include "testdatabase.h"

#include <QJsonObject>
#include <QNetworkAccessManager>

#include <functional>
#include <memory>

namespace openaps::test {

struct ApiReply
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QByteArray retryAfter;

    QString error() const { return json.value(QStringLiteral("error")).toString(); }
    QString message() const { return json.value(QStringLiteral("message")).toString(); }
};

class ApiHarness
{
public:
    using Tweak = std::function<void(api::ResearcherApi::Options &)>;

    // With `asApiRole` (PostgreSQL only) the API runs as a LOGIN user that is
    // only a member of openaps_api, after sql/postgres/roles.sql is applied.
    explicit ApiHarness(const QString &backend, const Tweak &tweak = {}, bool asApiRole = false);
    ~ApiHarness();

    // The password every researcher made by addResearcher() has.
    static const QString password;

    bool isValid() const { return m_valid; }
    db::Database database() const { return *m_database; }
    standins::SmtpStandIn &smtp() { return *m_smtp; }
    mail::Mailer &mailer() { return *m_mailer; }
    // Turns the event loop until no message is in flight (the stand-in
    // answers on this thread, so the mailer's blocking wait would stall it).
    void settleMail();
    // Moves the API's clock forward.
    void advance(std::chrono::seconds by) { *m_offsetMs += qint64(by.count()) * 1000; }

    ApiReply post(const QString &path, const QJsonObject &body, const QString &token = {});
    ApiReply postRaw(const QString &path, const QByteArray &body, const QString &token = {});
    ApiReply get(const QString &path, const QString &token = {});

    // A researcher written straight to the database; returns the id.
    qint64 addResearcher(const QString &email, const QString &status, bool isAdmin = false,
                         const QString &scope = QStringLiteral("openaps"));
    // Signs in with `password`; the token, or empty.
    QString login(const QString &email, const QString &pw = password);
    // The 6-digit code in the newest email to `email`, waiting for it.
    QString codeFor(const QString &email, int expectedMessages);

private:
    bool switchToApiRole();
    ApiReply send(const QByteArray &method, const QString &path, const QByteArray &body, const QString &token);

    std::unique_ptr<TestDatabase> m_tdb;
    std::optional<db::Database> m_database;
    std::optional<db::Database> m_owner; // when running as the api role
    QString m_roleUser;
    std::unique_ptr<standins::SmtpStandIn> m_smtp;
    std::unique_ptr<mail::Mailer> m_mailer;
    std::unique_ptr<http::WebServer> m_web;
    std::unique_ptr<api::ResearcherApi> m_api;
    std::shared_ptr<qint64> m_offsetMs = std::make_shared<qint64>(0);
    QNetworkAccessManager m_nam;
    bool m_valid = false;
};

} // namespace openaps::test
