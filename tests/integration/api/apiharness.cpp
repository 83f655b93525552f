#include "apiharness.h"

#include "api/researcherstore.h"
#include "crypto/secrets.h"
#include "db/migrations.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

namespace openaps::test {

const QString ApiHarness::password = QStringLiteral("correct horse battery");

namespace {

// One argon2id hash for every test researcher: hashing is the slow part.
const QString &passwordHash()
{
    static const QString hash = *crypto::hashPassword(ApiHarness::password);
    return hash;
}

} // namespace

ApiHarness::ApiHarness(const QString &backend, const Tweak &tweak, bool asApiRole)
{
    m_tdb = std::make_unique<TestDatabase>(backend);
    if (!m_tdb->isValid())
        return;
    m_database = m_tdb->database();
    if (!db::migrate(*m_database))
        return;
    if (asApiRole && !switchToApiRole())
        return;
    m_smtp = std::make_unique<standins::SmtpStandIn>();
    if (!m_smtp->listen())
        return;
    auto smtp = mail::SmtpSettings::make(m_smtp->smtpUrl().toString(), QStringLiteral("commons@test.invalid"));
    if (!smtp)
        return;
    smtp->timeout = std::chrono::seconds(10);
    m_mailer = std::make_unique<mail::Mailer>(*smtp);
    api::ResearcherApi::Options options;
    options.requests.secretKey = QByteArrayLiteral("api-test-secret-key-0123456789abcdef");
    options.requests.postLimit = 1000;
    options.clock = [offset = m_offsetMs] { return QDateTime::currentDateTimeUtc().addMSecs(*offset); };
    if (tweak)
        tweak(options);
    m_web = std::make_unique<http::WebServer>(*m_database);
    m_api = std::make_unique<api::ResearcherApi>(*m_database, m_mailer.get(), options);
    m_api->install(*m_web);
    m_valid = m_web->listen(QHostAddress::LocalHost, 0).ok();
}

bool ApiHarness::switchToApiRole()
{
    if (!m_database->isPostgres() || !db::applyRoles(*m_database))
        return false;
    m_roleUser = QStringLiteral("openaps_t") + crypto::keyedHash(crypto::randomBytes(16), "api", 6)
            + QStringLiteral("_api");
    const QString rolePassword = crypto::randomToken(18);
    auto conn = m_database->connection();
    if (!conn
        || !QSqlQuery(*conn).exec(
                QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2' IN ROLE openaps_api").arg(m_roleUser, rolePassword)))
        return false;
    QUrl url(m_tdb->url());
    url.setUserName(m_roleUser);
    url.setPassword(rolePassword);
    m_owner = m_database;
    m_database = db::Database(*db::DatabaseUrl::parse(url.toString()));
    return m_database->ping().ok();
}

ApiHarness::~ApiHarness()
{
    if (m_mailer)
        settleMail();
    m_api.reset();
    m_web.reset();
    m_mailer.reset();
    if (m_database)
        m_database->closeConnection();
    if (m_owner) {
        if (auto conn = m_owner->connection())
            QSqlQuery(*conn).exec(QStringLiteral("DROP ROLE IF EXISTS ") + m_roleUser);
        m_owner->closeConnection();
    }
}

ApiReply ApiHarness::send(const QByteArray &method, const QString &path, const QByteArray &body, const QString &token)
{
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_web->port()).arg(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
    QNetworkReply *reply = m_nam.sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(30000))
        qWarning("no answer to %s %s", method.constData(), qPrintable(path));
    ApiReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.json = QJsonDocument::fromJson(result.body).object();
    result.retryAfter = reply->rawHeader("Retry-After");
    reply->deleteLater();
    return result;
}

ApiReply ApiHarness::post(const QString &path, const QJsonObject &body, const QString &token)
{
    return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), token);
}

ApiReply ApiHarness::postRaw(const QString &path, const QByteArray &body, const QString &token)
{
    return send("POST", path, body, token);
}

ApiReply ApiHarness::get(const QString &path, const QString &token)
{
    return send("GET", path, {}, token);
}

qint64 ApiHarness::addResearcher(const QString &email, const QString &status, bool isAdmin, const QString &scope)
{
    api::Account account;
    account.email = email;
    account.name = QStringLiteral("Dr. ") + email.section(QLatin1Char('@'), 0, 0);
    account.institution = QStringLiteral("Test University");
    account.purpose = QStringLiteral("testing");
    account.status = status;
    account.scope = status == QLatin1String("approved") ? scope : QString();
    account.isAdmin = isAdmin;
    account.passwordHash = passwordHash();
    auto id = api::ResearcherStore(*m_database).create(account, QDateTime::currentMSecsSinceEpoch());
    return id ? *id : -1;
}

QString ApiHarness::login(const QString &email, const QString &pw)
{
    const ApiReply reply = post(QStringLiteral("/api/v1/login"),
                                { { QStringLiteral("email"), email }, { QStringLiteral("password"), pw } });
    return reply.status == 200 ? reply.json.value(QStringLiteral("token")).toString() : QString();
}

void ApiHarness::settleMail()
{
    if (!QTest::qWaitFor([this] { return m_mailer->isIdle(); }, 60000))
        qWarning("a message is still in flight after 60 s");
    m_mailer->waitForIdle();
    QCoreApplication::processEvents(); // the senders' callbacks
}

QString ApiHarness::codeFor(const QString &email, int expectedMessages)
{
    if (!QTest::qWaitFor([&] { return m_smtp->messagesTo(email).size() >= expectedMessages; }, 20000))
        return {};
    static const QRegularExpression code(QStringLiteral(R"(\b(\d{6})\b)"));
    return code.match(m_smtp->messagesTo(email).constLast().body).captured(1);
}

} // namespace openaps::test
