#include "workbenchfixture.h"

#include "crypto/secrets.h"
#include "db/migrations.h"
#include "etl/analytics.h"
#include "records/nstime.h"
#include "seedreadings.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>

namespace openaps::test {

QList<qint64> WorkbenchFixture::participantIds()
{
    return { 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008 };
}

int WorkbenchFixture::sourceEntityOf(qint64 id)
{
    return id == 1007 ? 2 : id == 1008 ? 1 : 0;
}

qint64 WorkbenchFixture::addAccount(const QString &email, const QString &state, api::AccessScope scope, bool admin,
                                    const QString &purpose)
{
    api::ResearcherStore store(*database);
    api::Account a;
    a.email = email;
    a.name = email.section(QLatin1Char('@'), 0, 0);
    a.institution = QStringLiteral("Test University");
    a.purpose = purpose;
    a.status = api::status::unverified;
    a.passwordHash = crypto::hashPassword(password).value();
    a.application.phone = QStringLiteral("+1 555 0100");
    a.application.irbApproval = QStringLiteral("yes");
    a.application.irbDetails = QStringLiteral("Approved by the Test University IRB, protocol 2026-0042");
    a.application.sponsorOrganisation = QStringLiteral("Diabetes Research Trust");
    a.application.requestedScope = QStringLiteral("all");
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto id = store.create(a, now);
    if (!id)
        qFatal("%s", qPrintable(id.error().message));
    if (state == api::status::approved) {
        if (!store.approve(*id, scope, admin, std::nullopt, now))
            qFatal("approve failed");
    } else if (state == api::status::pending) {
        (void)store.markVerified(*id, now);
    }
    return *id;
}

bool WorkbenchFixture::seed()
{
    QSqlDatabase db = database->connection().value();
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral(
            "INSERT INTO entries (user_id, id, sgv, direction, type, device, source_entity, raw_json, \"date\", "
            "utc_offset) VALUES (?, ?, ?, 'Flat', 'sgv', ?, ?, '{}', ?, ?)"));
    int n = 0;
    constexpr qint64 dayMs = 24 * 3600 * 1000LL;
    for (qint64 id : participantIds()) {
        QList<metrics::Reading> readings = seedReadings(int(id % 10));
        readings.removeLast(); // one reading per instant (the table's unique key)
        const qint64 shift = (id % 3) * 32 * dayMs; // March, April or May 2024
        if (id == 1001) { // 15 days, every 5 minutes: sufficient
            readings.clear();
            for (int i = 0; i < 15 * 288; ++i)
                readings.append({ 1709251200000LL + i * 300000LL, 60, 100.0 + (i % 50) * 3 });
        }
        db.transaction();
        for (const metrics::Reading &r : std::as_const(readings)) {
            insert.addBindValue(id);
            insert.addBindValue(QStringLiteral("w%1").arg(++n));
            insert.addBindValue(r.mgdl);
            insert.addBindValue(id % 2 ? QStringLiteral("xDrip-DexcomG6") : QStringLiteral("openaps://loop"));
            insert.addBindValue(sourceEntityOf(id));
            insert.addBindValue(records::formatUtcString(r.utcMs + shift));
            insert.addBindValue(r.offsetMinutes);
            if (!insert.exec()) {
                qWarning("%s", qPrintable(insert.lastError().text()));
                return false;
            }
        }
        if (!db.commit())
            return false;
        QSqlQuery survey(db);
        survey.prepare(QStringLiteral(
                "INSERT INTO analytics_demographics (seq_id, user_id, ts, survey, age_bracket, "
                "years_since_diagnosed_bracket, gender, country_corrected) VALUES (?, ?, ?, 'openaps', ?, ?, ?, ?)"));
        survey.addBindValue(id);
        survey.addBindValue(id);
        survey.addBindValue(QStringLiteral("2024-01-10T00:00:00Z"));
        survey.addBindValue(id <= 1006 ? QStringLiteral("18-25") : QStringLiteral("26-35"));
        survey.addBindValue(QStringLiteral("0-5"));
        survey.addBindValue(id % 2 ? QStringLiteral("female") : QStringLiteral("male"));
        survey.addBindValue(QStringLiteral("Germany"));
        if (!survey.exec()) {
            qWarning("%s", qPrintable(survey.lastError().text()));
            return false;
        }
        if (const Status s = etl::refreshParticipantAnalytics(*database, id); !s) {
            qWarning("%s", qPrintable(s.error().message));
            return false;
        }
    }
    return true;
}

bool WorkbenchFixture::setUp(const QString &backend)
{
    dir = std::make_unique<QTemporaryDir>();
    tdb = std::make_unique<TestDatabase>(backend);
    if (!tdb->isValid())
        return false;
    database = tdb->database();
    if (!db::migrate(*database))
        return false;
    adminId = addAccount(adminEmail, api::status::approved, api::AccessScope::All, true);
    addAccount(nsfEmail, api::status::approved, api::AccessScope::Nsf, false);
    addAccount(pendingEmail, api::status::pending, api::AccessScope::OpenAps, false);
    if (!seed())
        return false;
    smtp = std::make_unique<standins::SmtpStandIn>();
    if (!smtp->listen())
        return false;
    const Config config = Config::fromValues(
            { { QStringLiteral("HTTP_ADDRESS"), QStringLiteral("127.0.0.1") },
              { QStringLiteral("SMTP_URL"), smtp->smtpUrl().toString() },
              { QStringLiteral("MAIL_FROM"), QStringLiteral("data@example.org") },
              { QStringLiteral("HTTP_PORT"), QStringLiteral("0") },
              { QStringLiteral("DATA_DIR"), dir->path() },
              { QStringLiteral("SECRET_KEY"), QStringLiteral("desktop-test-secret-key-0123456789abcdef") } });
    runtime = std::make_unique<app::ServerRuntime>(config, *database);
    const Status started = runtime->start({ false, false, false, true });
    if (!started) {
        qWarning("%s", qPrintable(started.error().message));
        return false;
    }
    app = std::make_unique<Downloader>(dir->filePath(QStringLiteral("settings.ini")));
    app->settings->setValue(QStringLiteral("download/folder"), dir->filePath(QStringLiteral("downloads")));
    app->window->resize(1400, 900);
    return true;
}

WorkbenchFixture::~WorkbenchFixture()
{
    app.reset();
    // The SMTP stand-in answers on this thread: it goes before the server,
    // whose mail thread may still be talking to it (an approval's mail) and
    // is waited for when the server ends.
    smtp.reset();
    runtime.reset();
    if (database)
        database->closeConnection();
    database.reset();
    tdb.reset();
}

QUrl WorkbenchFixture::serverUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(runtime->webPort()));
}

QJsonObject WorkbenchFixture::getJson(const QString &path, const QUrlQuery &query) const
{
    QNetworkReply *reply = app->nam->get(app->api->request(path, query).request);
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !done.wait(30000))
        qWarning("no answer to %s", qPrintable(path));
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

} // namespace openaps::test
