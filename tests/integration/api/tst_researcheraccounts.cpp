// The account half of the researcher API through real HTTP on both
// backends: applications with emailed codes, approval, sign-in, tokens,
// password reset, limits, and that no secret reaches the log.

#include "apiharness.h"

#include <QJsonArray>
#include <QMutex>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>

using namespace openaps;
using test::ApiHarness;
using test::ApiReply;

namespace {

// Every log line of the test, to prove no secret is ever written.
QMutex logMutex;
QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        capturedLog.append(message);
    }
    previousHandler(type, context, message);
}

QJsonObject application(const QString &email, const QString &password = ApiHarness::password)
{
    return { { QStringLiteral("name"), QStringLiteral("Ada Researcher") },
             { QStringLiteral("email"), email },
             { QStringLiteral("institution"), QStringLiteral("Example University") },
             { QStringLiteral("purpose"), QStringLiteral("Studying overnight glucose") },
             { QStringLiteral("phone"), QStringLiteral("+44 20 7946 0000") },
             { QStringLiteral("irb_approval"), QStringLiteral("yes") },
             { QStringLiteral("irb_details"), QStringLiteral("Example University IRB, protocol 2026-117") },
             { QStringLiteral("sponsor_organisation"), QStringLiteral("Example Foundation") },
             { QStringLiteral("data_commons"), QStringLiteral("both") },
             { QStringLiteral("accept_terms"), true },
             { QStringLiteral("terms_version"), QStringLiteral("v1") },
             { QStringLiteral("password"), password } };
}

QJsonObject without(QJsonObject object, const char *field)
{
    object.remove(QLatin1String(field));
    return object;
}

QJsonObject with(QJsonObject object, const char *field, const QJsonValue &value)
{
    object.insert(QLatin1String(field), value);
    return object;
}

QJsonObject credentials(const QString &email, const QString &password = ApiHarness::password)
{
    return { { QStringLiteral("email"), email }, { QStringLiteral("password"), password } };
}

} // namespace

#define HARNESS(...)                                                                                                   \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    ApiHarness api(backend, ApiHarness::Tweak(__VA_ARGS__));                                                           \
    QVERIFY(api.isValid())

class TestResearcherAccounts final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        previousHandler = qInstallMessageHandler(captureLog);
    }
    void cleanupTestCase() { qInstallMessageHandler(previousHandler); }

    void applyVerifyApproveLoginLogout();
    void apiRoleIsEnough();
    void applicationRules_data();
    void applicationRules();
    void termsOfUse();
    void signInRefusals();
    void expiredAndRevokedTokens();
    void wrongCodesCountDownAndLock();
    void passwordResetRevokesTokens();
    void forgotUnknownEmailSendsNothing();
    void mailFailureAnswers503();
    void rateLimitAnswers429();
    void bodyLimitAndMalformedJson_data();
    void bodyLimitAndMalformedJson();
    void adminOnlyForAdmins();
    void adminListAndActions();
    void aKnownAddressGetsTheSameAnswerAndAnEmail();
    void codesPerAccountAreCapped();
    void aNewResetCodeKeepsThePendingOne();
    void tenWrongCodesLockTheAccountAndTellTheOwner();
    void wrongPasswordsLockTheAccount();
};

namespace {

ApiReply forgot(ApiHarness &api, const QString &email)
{
    return api.post(QStringLiteral("/api/v1/password/forgot"), { { QStringLiteral("email"), email } });
}

ApiReply reset(ApiHarness &api, const QString &email, const QString &code,
               const QString &password = QStringLiteral("a-new-password-123"))
{
    return api.post(QStringLiteral("/api/v1/password/reset"),
                    { { QStringLiteral("email"), email },
                      { QStringLiteral("code"), code },
                      { QStringLiteral("password"), password } });
}

QString otherThan(const QString &code)
{
    return code == QLatin1String("000000") ? QStringLiteral("111111") : QStringLiteral("000000");
}

int liveCodes(ApiHarness &api, qint64 id)
{
    auto db = api.database().connection();
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM researcher_codes WHERE researcher_id = ?"));
    q.addBindValue(id);
    return q.exec() && q.next() ? q.value(0).toInt() : -1;
}

} // namespace

void TestResearcherAccounts::aKnownAddressGetsTheSameAnswerAndAnEmail()
{
    HARNESS();
    api.addResearcher(QStringLiteral("known@example.org"), QStringLiteral("approved"));
    const ApiReply fresh = api.post(QStringLiteral("/api/v1/applications"),
                                    application(QStringLiteral("new@example.org")));
    const ApiReply known = api.post(QStringLiteral("/api/v1/applications"),
                                    application(QStringLiteral("Known@Example.org")));
    // Nothing in the answer tells whether the address has an account.
    QCOMPARE(fresh.status, 201);
    QCOMPARE(known.status, fresh.status);
    QCOMPARE(known.body, fresh.body);
    // The owner of the known address hears of it instead (and gets no code).
    QVERIFY(QTest::qWaitFor([&] { return api.smtp().messagesTo(QStringLiteral("known@example.org")).size() == 1; },
                            20000));
    const auto mail = api.smtp().messagesTo(QStringLiteral("known@example.org")).constFirst();
    QVERIFY2(mail.body.contains(QStringLiteral("already has an account")), qPrintable(mail.body));
    QVERIFY(!QRegularExpression(QStringLiteral(R"(\b\d{6}\b)")).match(mail.body).hasMatch());
}

void TestResearcherAccounts::codesPerAccountAreCapped()
{
    HARNESS();
    const qint64 id = api.addResearcher(QStringLiteral("cap@example.org"), QStringLiteral("approved"));
    for (int i = 0; i < 8; ++i)
        QCOMPARE(forgot(api, QStringLiteral("cap@example.org")).status, 202); // the answer never changes
    // Five codes an hour per account, whatever the client address.
    QCOMPARE(liveCodes(api, id), 5);
    QVERIFY(!api.codeFor(QStringLiteral("cap@example.org"), 5).isEmpty());
    QCOMPARE(api.smtp().messagesTo(QStringLiteral("cap@example.org")).size(), 5);
    api.advance(std::chrono::minutes(61));
    QCOMPARE(forgot(api, QStringLiteral("cap@example.org")).status, 202);
    QVERIFY(!api.codeFor(QStringLiteral("cap@example.org"), 6).isEmpty());
}

void TestResearcherAccounts::aNewResetCodeKeepsThePendingOne()
{
    HARNESS();
    api.addResearcher(QStringLiteral("r@example.org"), QStringLiteral("approved"));
    QCOMPARE(forgot(api, QStringLiteral("r@example.org")).status, 202);
    const QString first = api.codeFor(QStringLiteral("r@example.org"), 1);
    // A stranger asks again: the researcher's code in hand must still work.
    QCOMPARE(forgot(api, QStringLiteral("r@example.org")).status, 202);
    const QString second = api.codeFor(QStringLiteral("r@example.org"), 2);
    QVERIFY(!first.isEmpty() && !second.isEmpty());
    QCOMPARE(reset(api, QStringLiteral("r@example.org"), first).status, 200);
    // Used: every reset code of the account is gone.
    QCOMPARE(reset(api, QStringLiteral("r@example.org"), second).error(), QStringLiteral("bad-code"));
}

void TestResearcherAccounts::tenWrongCodesLockTheAccountAndTellTheOwner()
{
    HARNESS();
    api.addResearcher(QStringLiteral("lock@example.org"), QStringLiteral("approved"));
    QCOMPARE(forgot(api, QStringLiteral("lock@example.org")).status, 202);
    QString code = api.codeFor(QStringLiteral("lock@example.org"), 1);
    // Ten wrong codes in an hour, spread over fresh codes (each has 5 tries).
    for (int i = 0; i < 10; ++i) {
        if (i == 5) {
            QCOMPARE(forgot(api, QStringLiteral("lock@example.org")).status, 202);
            code = api.codeFor(QStringLiteral("lock@example.org"), 2);
        }
        QCOMPARE(reset(api, QStringLiteral("lock@example.org"), otherThan(code)).status, 400);
    }
    // Locked: even the right code is refused, for an hour.
    const ApiReply locked = reset(api, QStringLiteral("lock@example.org"), code);
    QCOMPARE(locked.status, 429);
    QCOMPARE(locked.error(), QStringLiteral("account-locked"));
    QVERIFY(locked.retryAfter.toInt() > 3000);
    // The owner is told (third email: two codes, then the warning).
    QVERIFY(QTest::qWaitFor([&] { return api.smtp().messagesTo(QStringLiteral("lock@example.org")).size() == 3; },
                            20000));
    QVERIFY2(api.smtp()
                     .messagesTo(QStringLiteral("lock@example.org"))
                     .constLast()
                     .body.contains(QStringLiteral("wrong codes")),
             qPrintable(api.smtp().messagesTo(QStringLiteral("lock@example.org")).constLast().body));
    api.advance(std::chrono::minutes(61));
    QCOMPARE(forgot(api, QStringLiteral("lock@example.org")).status, 202);
    code = api.codeFor(QStringLiteral("lock@example.org"), 4);
    // Back-off: ten more wrong codes lock it for two hours.
    for (int i = 0; i < 10; ++i) {
        if (i == 5) {
            QCOMPARE(forgot(api, QStringLiteral("lock@example.org")).status, 202);
            code = api.codeFor(QStringLiteral("lock@example.org"), 5);
        }
        QCOMPARE(reset(api, QStringLiteral("lock@example.org"), otherThan(code)).status, 400);
    }
    QVERIFY(reset(api, QStringLiteral("lock@example.org"), code).retryAfter.toInt() > 7000);
    api.advance(std::chrono::minutes(121));
    QCOMPARE(forgot(api, QStringLiteral("lock@example.org")).status, 202);
    code = api.codeFor(QStringLiteral("lock@example.org"), 7);
    QCOMPARE(reset(api, QStringLiteral("lock@example.org"), code).status, 200);
}

void TestResearcherAccounts::wrongPasswordsLockTheAccount()
{
    HARNESS();
    api.addResearcher(QStringLiteral("pw@example.org"), QStringLiteral("approved"));
    for (int i = 0; i < 10; ++i) {
        const ApiReply r = api.post(QStringLiteral("/api/v1/login"),
                                    credentials(QStringLiteral("pw@example.org"), QStringLiteral("wrong password!")));
        QCOMPARE(r.status, 401);
    }
    const ApiReply locked = api.post(QStringLiteral("/api/v1/login"), credentials(QStringLiteral("pw@example.org")));
    QCOMPARE(locked.status, 429);
    QCOMPARE(locked.error(), QStringLiteral("account-locked"));
    QVERIFY(locked.retryAfter.toInt() > 0);
    QVERIFY(QTest::qWaitFor([&] { return api.smtp().messagesTo(QStringLiteral("pw@example.org")).size() == 1; },
                            20000));
    api.advance(std::chrono::minutes(61));
    QVERIFY(!api.login(QStringLiteral("pw@example.org")).isEmpty());
}

void TestResearcherAccounts::applyVerifyApproveLoginLogout()
{
    HARNESS();
    const QString email = QStringLiteral("Ada@Example.org");
    const QString secretPassword = QStringLiteral("a-secret-password-42");
    {
        QMutexLocker lock(&logMutex);
        capturedLog.clear();
    }
    ApiReply r = api.post(QStringLiteral("/api/v1/applications"), application(email, secretPassword));
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json.value(QStringLiteral("status")).toString(), QStringLiteral("unverified"));
    const QString code = api.codeFor(QStringLiteral("ada@example.org"), 1);
    QCOMPARE(code.size(), 6);

    // Not yet confirmed: cannot sign in.
    r = api.post(QStringLiteral("/api/v1/login"), credentials(email, secretPassword));
    QCOMPARE(r.status, 403);
    QCOMPARE(r.error(), QStringLiteral("not-approved"));

    r = api.post(QStringLiteral("/api/v1/applications/verify"),
                 { { QStringLiteral("email"), QStringLiteral("ADA@example.org") }, { QStringLiteral("code"), code } });
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));

    // An administrator approves with a scope.
    api.addResearcher(QStringLiteral("admin@example.org"), QStringLiteral("approved"), true, QStringLiteral("all"));
    const QString adminToken = api.login(QStringLiteral("admin@example.org"));
    QVERIFY(!adminToken.isEmpty());
    r = api.get(QStringLiteral("/api/v1/admin/researchers?status=pending"), adminToken);
    QCOMPARE(r.status, 200);
    const QJsonArray pending = r.json.value(QStringLiteral("researchers")).toArray();
    QCOMPARE(pending.size(), 1);
    const QJsonObject applicant = pending.first().toObject();
    QCOMPARE(applicant.value(QStringLiteral("email")).toString(), QStringLiteral("ada@example.org"));
    QCOMPARE(applicant.value(QStringLiteral("purpose")).toString(), QStringLiteral("Studying overnight glucose"));
    QVERIFY(applicant.value(QStringLiteral("scope")).isNull());
    // What the old system's form asked, and the terms accepted.
    const QJsonObject asked = applicant.value(QStringLiteral("application")).toObject();
    QCOMPARE(asked.value(QStringLiteral("phone")).toString(), QStringLiteral("+44 20 7946 0000"));
    QCOMPARE(asked.value(QStringLiteral("irb_approval")).toString(), QStringLiteral("yes"));
    QCOMPARE(asked.value(QStringLiteral("irb_details")).toString(),
             QStringLiteral("Example University IRB, protocol 2026-117"));
    QCOMPARE(asked.value(QStringLiteral("sponsor_organisation")).toString(), QStringLiteral("Example Foundation"));
    QCOMPARE(asked.value(QStringLiteral("data_commons")).toString(), QStringLiteral("both"));
    QCOMPARE(asked.value(QStringLiteral("terms_version")).toString(), QStringLiteral("v1"));
    QVERIFY(QDateTime::fromString(asked.value(QStringLiteral("terms_accepted_at")).toString(), Qt::ISODate).isValid());
    const qint64 id = applicant.value(QStringLiteral("id")).toInteger();
    r = api.post(QStringLiteral("/api/v1/admin/researchers/%1/approve").arg(id),
                 { { QStringLiteral("scope"), QStringLiteral("nsf") } }, adminToken);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("status")).toString(), QStringLiteral("approved"));
    QCOMPARE(r.json.value(QStringLiteral("scope")).toString(), QStringLiteral("nsf"));
    QTRY_COMPARE_WITH_TIMEOUT(api.smtp().messagesTo(QStringLiteral("ada@example.org")).size(), 2, 20000);
    QVERIFY(api.smtp()
                    .messagesTo(QStringLiteral("ada@example.org"))
                    .constLast()
                    .subject.contains(QStringLiteral("approved")));

    r = api.post(QStringLiteral("/api/v1/login"), credentials(QStringLiteral(" ada@EXAMPLE.org "), secretPassword));
    QCOMPARE(r.status, 200);
    const QString token = r.json.value(QStringLiteral("token")).toString();
    QCOMPARE(token.size(), 43); // 32 bytes, base64url without padding
    const QDateTime expires = QDateTime::fromString(r.json.value(QStringLiteral("expires_at")).toString(), Qt::ISODate);
    QVERIFY(expires > QDateTime::currentDateTimeUtc().addDays(29));
    const QJsonObject researcher = r.json.value(QStringLiteral("researcher")).toObject();
    QCOMPARE(researcher.value(QStringLiteral("scope")).toString(), QStringLiteral("nsf"));
    QCOMPARE(researcher.value(QStringLiteral("is_admin")).toBool(), false);

    r = api.get(QStringLiteral("/api/v1/me"), token);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("email")).toString(), QStringLiteral("ada@example.org"));
    QCOMPARE(r.json.value(QStringLiteral("name")).toString(), QStringLiteral("Ada Researcher"));
    QCOMPARE(r.json.value(QStringLiteral("id")).toInteger(), id);

    r = api.post(QStringLiteral("/api/v1/logout"), {}, token);
    QCOMPARE(r.status, 204);
    r = api.get(QStringLiteral("/api/v1/me"), token);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.error(), QStringLiteral("bad-token"));
    QCOMPARE(r.message(), QStringLiteral("Your sign-in has expired. Please sign in again."));

    // Nothing secret was logged on the way, though the way was logged.
    api.settleMail();
    QMutexLocker lock(&logMutex);
    QVERIFY(capturedLog.join(u'\n').contains(QStringLiteral("signed in")));
    for (const QString &secret : { token, adminToken, code, secretPassword, email.toLower() }) {
        for (const QString &line : std::as_const(capturedLog))
            QVERIFY2(!line.contains(secret, Qt::CaseInsensitive), qPrintable(QStringLiteral("logged: ") + line));
    }
}

void TestResearcherAccounts::apiRoleIsEnough()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("postgres"))
        QSKIP("roles exist only on PostgreSQL");
    // The least-privilege role of roles.sql runs every kind of account change.
    ApiHarness api(backend, {}, true);
    QVERIFY(api.isValid());
    api.addResearcher(QStringLiteral("admin@example.org"), QStringLiteral("approved"), true, QStringLiteral("all"));
    QCOMPARE(api.post(QStringLiteral("/api/v1/applications"), application(QStringLiteral("role@example.org"))).status,
             201);
    const QString code = api.codeFor(QStringLiteral("role@example.org"), 1);
    ApiReply r = api.post(
            QStringLiteral("/api/v1/applications/verify"),
            { { QStringLiteral("email"), QStringLiteral("role@example.org") }, { QStringLiteral("code"), code } });
    QCOMPARE(r.status, 200);
    const QString adminToken = api.login(QStringLiteral("admin@example.org"));
    QVERIFY(!adminToken.isEmpty());
    r = api.get(QStringLiteral("/api/v1/admin/researchers?status=pending"), adminToken);
    const qint64 id = r.json.value(QStringLiteral("researchers"))
                              .toArray()
                              .first()
                              .toObject()
                              .value(QStringLiteral("id"))
                              .toInteger();
    r = api.post(QStringLiteral("/api/v1/admin/researchers/%1/approve").arg(id),
                 { { QStringLiteral("scope"), QStringLiteral("openaps") } }, adminToken);
    QCOMPARE(r.status, 200);
    const QString token = api.login(QStringLiteral("role@example.org"));
    QCOMPARE(api.get(QStringLiteral("/api/v1/me"), token).status, 200);
    QCOMPARE(api.post(QStringLiteral("/api/v1/logout"), {}, token).status, 204);
    QCOMPARE(api.post(QStringLiteral("/api/v1/admin/researchers/%1/deactivate").arg(id), {}, adminToken).status, 200);
}

void TestResearcherAccounts::applicationRules_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("mentions");
    QJsonObject noName = application(QStringLiteral("x@example.org"));
    noName.remove(QStringLiteral("name"));
    QJsonObject numberInstitution = application(QStringLiteral("x@example.org"));
    numberInstitution.insert(QStringLiteral("institution"), 5);
    QTest::addRow("short password") << application(QStringLiteral("x@example.org"), QStringLiteral("123456789")) << 400
                                    << "weak-password"
                                    << "10 characters";
    QTest::addRow("missing name") << noName << 400 << "bad-request"
                                  << "'name'";
    QTest::addRow("institution not a string") << numberInstitution << 400 << "bad-request"
                                              << "'institution'";
    QTest::addRow("not an email") << application(QStringLiteral("not-an-address")) << 400 << "bad-request"
                                  << "'email'";
    // The old system's questions and the terms of use (issue 17).
    const QJsonObject x = application(QStringLiteral("x@example.org"));
    QTest::addRow("no phone") << without(x, "phone") << 400 << "bad-request"
                              << "'phone'";
    QTest::addRow("irb not yes/no/unsure") << with(x, "irb_approval", QStringLiteral("maybe")) << 400 << "bad-request"
                                           << "yes, no, unsure";
    QTest::addRow("no data commons") << without(x, "data_commons") << 400 << "bad-request"
                                     << "'data_commons'";
    QTest::addRow("unknown data commons") << with(x, "data_commons", QStringLiteral("all")) << 400 << "bad-request"
                                          << "openaps, nightscout, both";
    QTest::addRow("terms not accepted") << with(x, "accept_terms", false) << 400 << "terms-not-accepted"
                                        << "v1";
    QTest::addRow("terms not mentioned") << without(without(x, "accept_terms"), "terms_version") << 400
                                         << "terms-not-accepted"
                                         << "terms of use";
    QTest::addRow("an old version of the terms")
            << with(x, "terms_version", QStringLiteral("v0")) << 400 << "terms-not-accepted"
            << "v1";
}

// The current terms of use, for the form to show.
void TestResearcherAccounts::termsOfUse()
{
    HARNESS();
    const ApiReply r = api.get(QStringLiteral("/api/v1/terms"), {});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("version")).toString(), QStringLiteral("v1"));
    QVERIFY(r.json.value(QStringLiteral("text")).toString().contains(QStringLiteral("terms of use")));
}

void TestResearcherAccounts::applicationRules()
{
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    QFETCH(QString, mentions);
    HARNESS();
    api.addResearcher(QStringLiteral("known@example.org"), QStringLiteral("pending"));
    const ApiReply r = api.post(QStringLiteral("/api/v1/applications"), body);
    QCOMPARE(r.status, status);
    QCOMPARE(r.error(), error);
    QVERIFY2(r.message().contains(mentions), qPrintable(r.message()));
    api.settleMail();
    QCOMPARE(api.smtp().messages().size(), 0);
}

void TestResearcherAccounts::signInRefusals()
{
    HARNESS();
    api.addResearcher(QStringLiteral("ok@example.org"), QStringLiteral("approved"));
    api.addResearcher(QStringLiteral("pending@example.org"), QStringLiteral("pending"));
    api.addResearcher(QStringLiteral("gone@example.org"), QStringLiteral("deactivated"));
    api.addResearcher(QStringLiteral("no@example.org"), QStringLiteral("rejected"));
    const ApiReply wrongPassword = api.post(
            QStringLiteral("/api/v1/login"),
            credentials(QStringLiteral("ok@example.org"), QStringLiteral("wrong password!")));
    const ApiReply unknown = api.post(QStringLiteral("/api/v1/login"),
                                      credentials(QStringLiteral("nobody@example.org")));
    QCOMPARE(wrongPassword.status, 401);
    QCOMPARE(wrongPassword.error(), QStringLiteral("bad-credentials"));
    QCOMPARE(unknown.body, wrongPassword.body); // nothing tells the two apart
    const ApiReply pending = api.post(QStringLiteral("/api/v1/login"),
                                      credentials(QStringLiteral("pending@example.org")));
    QCOMPARE(pending.status, 403);
    QCOMPARE(pending.error(), QStringLiteral("not-approved"));
    for (const char *who : { "gone@example.org", "no@example.org" }) {
        const ApiReply r = api.post(QStringLiteral("/api/v1/login"), credentials(QString::fromLatin1(who)));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.error(), QStringLiteral("deactivated"));
    }
    // A wrong password says nothing about the account's status.
    const ApiReply wrongPending = api.post(
            QStringLiteral("/api/v1/login"),
            credentials(QStringLiteral("pending@example.org"), QStringLiteral("wrong password!")));
    QCOMPARE(wrongPending.status, 401);
    QCOMPARE(api.get(QStringLiteral("/api/v1/me")).status, 401);
    QCOMPARE(api.get(QStringLiteral("/api/v1/me"), QStringLiteral("x").repeated(43)).error(),
             QStringLiteral("bad-token"));
}

void TestResearcherAccounts::expiredAndRevokedTokens()
{
    HARNESS([](api::ResearcherApi::Options &o) { o.tokenLifetime = std::chrono::seconds(3600); });
    const qint64 id = api.addResearcher(QStringLiteral("r@example.org"), QStringLiteral("approved"));
    const qint64 adminId = api.addResearcher(QStringLiteral("admin@example.org"), QStringLiteral("approved"), true);
    Q_UNUSED(adminId);
    const QString token = api.login(QStringLiteral("r@example.org"));
    QCOMPARE(api.get(QStringLiteral("/api/v1/me"), token).status, 200);
    // Last use is written at most once a minute.
    const auto lastUsed = [&api] {
        auto conn = api.database().connection();
        QSqlQuery q(*conn);
        return q.exec(QStringLiteral("SELECT last_used_ms FROM api_tokens")) && q.next() ? q.value(0).toLongLong() : -1;
    };
    const qint64 first = lastUsed();
    QVERIFY(first > 0);
    api.advance(std::chrono::seconds(30));
    QCOMPARE(api.get(QStringLiteral("/api/v1/me"), token).status, 200);
    QCOMPARE(lastUsed(), first);
    api.advance(std::chrono::seconds(31));
    QCOMPARE(api.get(QStringLiteral("/api/v1/me"), token).status, 200);
    QVERIFY(lastUsed() >= first + 61000);
    api.advance(std::chrono::seconds(3601));
    const ApiReply expired = api.get(QStringLiteral("/api/v1/me"), token);
    QCOMPARE(expired.status, 401);
    QCOMPARE(expired.error(), QStringLiteral("bad-token"));

    // Deactivation revokes the tokens the researcher holds.
    const QString fresh = api.login(QStringLiteral("r@example.org"));
    const QString adminToken = api.login(QStringLiteral("admin@example.org"));
    QCOMPARE(api.get(QStringLiteral("/api/v1/me"), fresh).status, 200);
    const ApiReply deactivated = api.post(QStringLiteral("/api/v1/admin/researchers/%1/deactivate").arg(id), {},
                                          adminToken);
    QCOMPARE(deactivated.status, 200);
    QCOMPARE(deactivated.json.value(QStringLiteral("status")).toString(), QStringLiteral("deactivated"));
    QCOMPARE(api.get(QStringLiteral("/api/v1/me"), fresh).status, 401);
    QCOMPARE(api.post(QStringLiteral("/api/v1/login"), credentials(QStringLiteral("r@example.org"))).error(),
             QStringLiteral("deactivated"));
}

void TestResearcherAccounts::wrongCodesCountDownAndLock()
{
    HARNESS();
    QCOMPARE(api.post(QStringLiteral("/api/v1/applications"), application(QStringLiteral("c@example.org"))).status,
             201);
    const QString code = api.codeFor(QStringLiteral("c@example.org"), 1);
    const QString wrong = code == QLatin1String("000000") ? QStringLiteral("111111") : QStringLiteral("000000");
    for (int left = 4; left >= 0; --left) {
        const ApiReply r = api.post(
                QStringLiteral("/api/v1/applications/verify"),
                { { QStringLiteral("email"), QStringLiteral("c@example.org") }, { QStringLiteral("code"), wrong } });
        QCOMPARE(r.status, 400);
        QCOMPARE(r.error(), QStringLiteral("bad-code"));
        if (left > 0)
            QVERIFY2(r.message().contains(QString::number(left)), qPrintable(r.message()));
        else
            QVERIFY2(r.message().contains(QStringLiteral("new code")), qPrintable(r.message()));
    }
    // Five tries are used up: even the right code no longer works.
    ApiReply r = api.post(
            QStringLiteral("/api/v1/applications/verify"),
            { { QStringLiteral("email"), QStringLiteral("c@example.org") }, { QStringLiteral("code"), code } });
    QCOMPARE(r.error(), QStringLiteral("bad-code"));
    // A new code works; an expired one does not.
    QCOMPARE(api.post(QStringLiteral("/api/v1/applications/resend"),
                      { { QStringLiteral("email"), QStringLiteral("c@example.org") } })
                     .status,
             202);
    const QString second = api.codeFor(QStringLiteral("c@example.org"), 2);
    api.advance(std::chrono::seconds(31 * 60));
    r = api.post(QStringLiteral("/api/v1/applications/verify"),
                 { { QStringLiteral("email"), QStringLiteral("c@example.org") }, { QStringLiteral("code"), second } });
    QCOMPARE(r.error(), QStringLiteral("bad-code"));
    QCOMPARE(api.post(QStringLiteral("/api/v1/applications/resend"),
                      { { QStringLiteral("email"), QStringLiteral("c@example.org") } })
                     .status,
             202);
    const QString third = api.codeFor(QStringLiteral("c@example.org"), 3);
    r = api.post(QStringLiteral("/api/v1/applications/verify"),
                 { { QStringLiteral("email"), QStringLiteral("c@example.org") }, { QStringLiteral("code"), third } });
    QCOMPARE(r.status, 200);
}

void TestResearcherAccounts::passwordResetRevokesTokens()
{
    HARNESS();
    api.addResearcher(QStringLiteral("p@example.org"), QStringLiteral("approved"));
    const QString token = api.login(QStringLiteral("p@example.org"));
    QVERIFY(!token.isEmpty());
    QCOMPARE(api.post(QStringLiteral("/api/v1/password/forgot"),
                      { { QStringLiteral("email"), QStringLiteral("P@example.org") } })
                     .status,
             202);
    const QString code = api.codeFor(QStringLiteral("p@example.org"), 1);
    QVERIFY(!code.isEmpty());
    const QString newPassword = QStringLiteral("a brand new password");
    const QString wrong = code == QLatin1String("000000") ? QStringLiteral("111111") : QStringLiteral("000000");
    ApiReply r = api.post(QStringLiteral("/api/v1/password/reset"),
                          { { QStringLiteral("email"), QStringLiteral("p@example.org") },
                            { QStringLiteral("code"), wrong },
                            { QStringLiteral("password"), newPassword } });
    QCOMPARE(r.error(), QStringLiteral("bad-code"));
    r = api.post(QStringLiteral("/api/v1/password/reset"),
                 { { QStringLiteral("email"), QStringLiteral("p@example.org") },
                   { QStringLiteral("code"), code },
                   { QStringLiteral("password"), QStringLiteral("short") } });
    QCOMPARE(r.error(), QStringLiteral("weak-password"));
    r = api.post(QStringLiteral("/api/v1/password/reset"),
                 { { QStringLiteral("email"), QStringLiteral("p@example.org") },
                   { QStringLiteral("code"), code },
                   { QStringLiteral("password"), newPassword } });
    QCOMPARE(r.status, 200);
    QCOMPARE(api.get(QStringLiteral("/api/v1/me"), token).status, 401);
    QVERIFY(api.login(QStringLiteral("p@example.org")).isEmpty());
    QVERIFY(!api.login(QStringLiteral("p@example.org"), newPassword).isEmpty());
    // The code is used up.
    r = api.post(QStringLiteral("/api/v1/password/reset"),
                 { { QStringLiteral("email"), QStringLiteral("p@example.org") },
                   { QStringLiteral("code"), code },
                   { QStringLiteral("password"), newPassword } });
    QCOMPARE(r.error(), QStringLiteral("bad-code"));
}

void TestResearcherAccounts::forgotUnknownEmailSendsNothing()
{
    HARNESS();
    const ApiReply r = api.post(QStringLiteral("/api/v1/password/forgot"),
                                { { QStringLiteral("email"), QStringLiteral("who@example.org") } });
    QCOMPARE(r.status, 202);
    QCOMPARE(api.post(QStringLiteral("/api/v1/applications/resend"),
                      { { QStringLiteral("email"), QStringLiteral("who@example.org") } })
                     .status,
             202);
    api.settleMail();
    QCoreApplication::processEvents();
    QCOMPARE(api.smtp().messages().size(), 0);
}

void TestResearcherAccounts::mailFailureAnswers503()
{
    HARNESS();
    api.smtp().setRefuseMail(true);
    ApiReply r = api.post(QStringLiteral("/api/v1/applications"), application(QStringLiteral("m@example.org")));
    QCOMPARE(r.status, 503);
    QCOMPARE(r.error(), QStringLiteral("mail-unavailable"));
    // Nothing is left behind: once mail works the same address can apply.
    api.smtp().setRefuseMail(false);
    r = api.post(QStringLiteral("/api/v1/applications"), application(QStringLiteral("m@example.org")));
    QCOMPARE(r.status, 201);
}

void TestResearcherAccounts::rateLimitAnswers429()
{
    HARNESS([](api::ResearcherApi::Options &o) { o.requests.postLimit = 3; });
    for (int i = 0; i < 3; ++i)
        QCOMPARE(api.post(QStringLiteral("/api/v1/password/forgot"),
                          { { QStringLiteral("email"), QStringLiteral("a@example.org") } })
                         .status,
                 202);
    const ApiReply r = api.post(QStringLiteral("/api/v1/login"), credentials(QStringLiteral("a@example.org")));
    QCOMPARE(r.status, 429);
    QCOMPARE(r.error(), QStringLiteral("rate-limited"));
    QVERIFY(r.retryAfter.toInt() > 0);
}

void TestResearcherAccounts::bodyLimitAndMalformedJson_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("mentions");
    QTest::addRow("over 64 KiB") << QByteArray(65 * 1024, ' ') << 413 << "too-large"
                                 << "64 KiB";
    QTest::addRow("not JSON") << QByteArray("{\"email\": ") << 400 << "bad-request"
                              << "not valid JSON";
    QTest::addRow("an array") << QByteArray("[1,2]") << 400 << "bad-request"
                              << "JSON object";
    QTest::addRow("empty") << QByteArray() << 400 << "bad-request"
                           << "JSON object";
    QTest::addRow("no password") << QByteArray("{\"email\":\"a@example.org\"}") << 400 << "bad-request"
                                 << "'password'";
}

void TestResearcherAccounts::bodyLimitAndMalformedJson()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    QFETCH(QString, mentions);
    HARNESS();
    const ApiReply r = api.postRaw(QStringLiteral("/api/v1/login"), body);
    QCOMPARE(r.status, status);
    QCOMPARE(r.error(), error);
    QVERIFY2(r.message().contains(mentions), qPrintable(r.message()));
}

void TestResearcherAccounts::adminOnlyForAdmins()
{
    HARNESS();
    const qint64 other = api.addResearcher(QStringLiteral("pending@example.org"), QStringLiteral("pending"));
    api.addResearcher(QStringLiteral("plain@example.org"), QStringLiteral("approved"));
    const QString token = api.login(QStringLiteral("plain@example.org"));
    ApiReply r = api.get(QStringLiteral("/api/v1/admin/researchers"), token);
    QCOMPARE(r.status, 403);
    QCOMPARE(r.error(), QStringLiteral("forbidden"));
    r = api.post(QStringLiteral("/api/v1/admin/researchers/%1/approve").arg(other),
                 { { QStringLiteral("scope"), QStringLiteral("all") } }, token);
    QCOMPARE(r.status, 403);
    QCOMPARE(api.get(QStringLiteral("/api/v1/admin/researchers")).status, 401);
}

void TestResearcherAccounts::adminListAndActions()
{
    HARNESS();
    api.addResearcher(QStringLiteral("admin@example.org"), QStringLiteral("approved"), true, QStringLiteral("all"));
    const qint64 pending = api.addResearcher(QStringLiteral("p@example.org"), QStringLiteral("pending"));
    const qint64 unverified = api.addResearcher(QStringLiteral("u@example.org"), QStringLiteral("unverified"));
    const QString token = api.login(QStringLiteral("admin@example.org"));
    ApiReply r = api.get(QStringLiteral("/api/v1/admin/researchers"), token);
    QCOMPARE(r.json.value(QStringLiteral("researchers")).toArray().size(), 3);
    QCOMPARE(api.get(QStringLiteral("/api/v1/admin/researchers?status=nonsense"), token).error(),
             QStringLiteral("bad-request"));
    r = api.post(QStringLiteral("/api/v1/admin/researchers/%1/approve").arg(pending),
                 { { QStringLiteral("scope"), QStringLiteral("everything") } }, token);
    QCOMPARE(r.status, 400);
    QVERIFY(r.message().contains(QStringLiteral("openaps, nsf or all")));
    r = api.post(QStringLiteral("/api/v1/admin/researchers/%1/approve").arg(unverified),
                 { { QStringLiteral("scope"), QStringLiteral("all") } }, token);
    QCOMPARE(r.status, 400);
    // A rejection needs the administrator's reason, which the applicant gets by email.
    r = api.post(QStringLiteral("/api/v1/admin/researchers/%1/reject").arg(pending), {}, token);
    QCOMPARE(r.status, 400);
    QVERIFY(r.message().contains(QStringLiteral("'reason'")));
    const QString reason = QStringLiteral("Please send the IRB approval letter for protocol 2026-117.");
    r = api.post(QStringLiteral("/api/v1/admin/researchers/%1/reject").arg(pending),
                 { { QStringLiteral("reason"), reason } }, token);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("status")).toString(), QStringLiteral("rejected"));
    QCOMPARE(
            r.json.value(QStringLiteral("application")).toObject().value(QStringLiteral("rejection_reason")).toString(),
            reason);
    QTRY_COMPARE_WITH_TIMEOUT(api.smtp().messagesTo(QStringLiteral("p@example.org")).size(), 1, 20000);
    QVERIFY(api.smtp().messagesTo(QStringLiteral("p@example.org")).constFirst().body.contains(reason));
    QCOMPARE(api.post(QStringLiteral("/api/v1/admin/researchers/999999/reject"),
                      { { QStringLiteral("reason"), reason } }, token)
                     .status,
             404);
    r = api.get(QStringLiteral("/api/v1/admin/researchers?status=rejected"), token);
    QCOMPARE(r.json.value(QStringLiteral("researchers")).toArray().size(), 1);
}

QTEST_GUILESS_MAIN(TestResearcherAccounts)
#include "tst_researcheraccounts.moc"
