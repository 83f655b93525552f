// Researcher accounts from the old portal: migrated (in process, as the
// command does), then signing in over the real researcher API (loopback
// HTTP, SMTP stand-in) with the old bcrypt password once, after which the
// stored hash is argon2id; an account whose old hash cannot be verified gets
// a reset code by email.

#include "../api/apiharness.h"
#include "legacy/legacymigration.h"
#include "legacysupport.h"

#include <QJsonArray>

using namespace openaps;
using namespace openaps::test;
using namespace openaps::test::etl;
using namespace openaps::test::legacy;

namespace {

const QString oldPassword = QStringLiteral("old portal pässword");

QString hashOf(const db::Database &database, const char *email)
{
    return scalar(database, QStringLiteral("SELECT password_hash FROM researchers WHERE email = ?"),
                  { QString::fromLatin1(email) });
}

QString field(const db::Database &database, const char *column, const char *email)
{
    return scalar(database, QStringLiteral("SELECT %1 FROM researchers WHERE email = ?").arg(QLatin1String(column)),
                  { QString::fromLatin1(email) });
}

} // namespace

class TestLegacyAccounts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { addBackendRows(); }
    void initTestCase() { quietLogs(); }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_api = std::make_unique<ApiHarness>(backend);
        QVERIFY(m_api->isValid());
        m_old = oldDatabase();
        if (!m_old)
            QSKIP("the old database needs PostgreSQL (OPENAPS_TEST_POSTGRES_URL)");
        QVERIFY(migrateOnce());
    }
    void cleanup()
    {
        m_api.reset();
        m_old.reset();
    }

    // The old bcrypt password works once through libcrypt; the hash is argon2id after.
    void oldPasswordThenArgon2id()
    {
        const db::Database database = m_api->database();
        QVERIFY(hashOf(database, "researcher@example.org").startsWith(QLatin1String("$2b$12$")));
        // What the old portal knew is kept: scope, state, application details, counters.
        QCOMPARE(field(database, "status", "researcher@example.org"), QStringLiteral("approved"));
        QCOMPARE(field(database, "scope", "researcher@example.org"), QStringLiteral("nsf"));
        QCOMPARE(field(database, "name", "researcher@example.org"), QStringLiteral("Dr. Ada Lovelace"));
        QCOMPARE(field(database, "institution", "researcher@example.org"), QStringLiteral("Analytical Engines Ltd"));
        QCOMPARE(field(database, "legacy_login_count", "researcher@example.org"), QStringLiteral("17"));
        QCOMPARE(field(database, "legacy_downloads", "researcher@example.org"), QStringLiteral("4"));
        QCOMPARE(field(database, "legacy_download_mb", "researcher@example.org").toDouble(), 12.5);
        QCOMPARE(field(database, "legacy_last_login_ms", "researcher@example.org"), QStringLiteral("1572598800000"));
        const QString admin = field(database, "is_admin", "admin@openaps.example");
        QVERIFY2(admin == QLatin1String("1") || admin == QLatin1String("true"), qPrintable(admin));
        QCOMPARE(field(database, "scope", "admin@openaps.example"), QStringLiteral("all"));
        QCOMPARE(field(database, "status", "gone@example.org"), QStringLiteral("deactivated"));

        // A wrong password changes nothing.
        const ApiReply wrong = m_api->post(QStringLiteral("/api/v1/login"),
                                           { { QStringLiteral("email"), QStringLiteral("researcher@example.org") },
                                             { QStringLiteral("password"), QStringLiteral("not the old one") } });
        QCOMPARE(wrong.status, 401);
        QVERIFY(hashOf(database, "researcher@example.org").startsWith(QLatin1String("$2b$12$")));

        // The old password signs in, and the hash is argon2id from then on.
        QVERIFY(!m_api->login(QStringLiteral("researcher@example.org"), oldPassword).isEmpty());
        const QString upgraded = hashOf(database, "researcher@example.org");
        QVERIFY2(upgraded.startsWith(QLatin1String("$argon2id$")), qPrintable(upgraded));
        QVERIFY(!m_api->login(QStringLiteral("researcher@example.org"), oldPassword).isEmpty());
        QCOMPARE(hashOf(database, "researcher@example.org"), upgraded);
        // Addresses are matched without regard to case, as the API does.
        QVERIFY(!m_api->login(QStringLiteral("Admin@OpenAPS.example"), QStringLiteral("admin secret 1")).isEmpty());
        // A deactivated account stays closed, even with the right old password.
        QVERIFY(m_api->login(QStringLiteral("gone@example.org"), oldPassword).isEmpty());
        QCOMPARE(m_api->smtp().messagesTo(QStringLiteral("researcher@example.org")).size(), 0);
    }

    // The old application's answers reach this system's application fields,
    // for accounts and for pending or rejected applications; administrators
    // see them and the old counters in the admin list.
    void applicationDetailsAndCounters()
    {
        const db::Database database = m_api->database();
        const auto fields = [&database](const char *email) {
            return scalar(database,
                          QStringLiteral("SELECT phone || '|' || irb_approval || '|' || irb_details || '|' || "
                                         "sponsor_organisation || '|' || COALESCE(requested_scope, '-') || '|' || "
                                         "purpose FROM researchers WHERE email = ?"),
                          { QString::fromLatin1(email) });
        };
        QCOMPARE(fields("researcher@example.org"),
                 QStringLiteral("+44 20 0000 0000|yes||Analytical Engines Ltd|nsf|"
                                "Glycaemic variability in DIY closed loops"));
        QCOMPARE(fields("waiting@example.org"),
                 QStringLiteral("||Pending: Example University IRB #2019-44||openaps|Time in range"));
        QCOMPARE(fields("refused@example.org"), QStringLiteral("555|no||Nowhere Inc|all|Selling data"));
        QCOMPARE(fields("admin@openaps.example"), QStringLiteral("||||-|"));

        const QString token = m_api->login(QStringLiteral("admin@openaps.example"), QStringLiteral("admin secret 1"));
        QVERIFY(!token.isEmpty());
        const ApiReply list = m_api->get(QStringLiteral("/api/v1/admin/researchers"), token);
        QCOMPARE(list.status, 200);
        QJsonObject researcher;
        QJsonObject waiting;
        for (const QJsonValue &r : list.json.value(QStringLiteral("researchers")).toArray()) {
            const QString email = r.toObject().value(QStringLiteral("email")).toString();
            if (email == QLatin1String("researcher@example.org"))
                researcher = r.toObject();
            else if (email == QLatin1String("waiting@example.org"))
                waiting = r.toObject();
        }
        const QJsonObject application = researcher.value(QStringLiteral("application")).toObject();
        QCOMPARE(application.value(QStringLiteral("phone")).toString(), QStringLiteral("+44 20 0000 0000"));
        QCOMPARE(application.value(QStringLiteral("irb_approval")).toString(), QStringLiteral("yes"));
        QCOMPARE(application.value(QStringLiteral("data_commons")).toString(), QStringLiteral("nightscout"));
        const QJsonObject usage = researcher.value(QStringLiteral("legacy_usage")).toObject();
        QCOMPARE(usage.value(QStringLiteral("login_count")).toInt(), 17);
        QCOMPARE(usage.value(QStringLiteral("last_login_at")).toString(), QStringLiteral("2019-11-01T09:00:00.000Z"));
        QCOMPARE(usage.value(QStringLiteral("downloads")).toInt(), 4);
        QCOMPARE(usage.value(QStringLiteral("download_mb")).toDouble(), 12.5);
        // A pending application from the old portal has no counters.
        QCOMPARE(waiting.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
        QVERIFY(waiting.value(QStringLiteral("legacy_usage")).isNull());
        QCOMPARE(waiting.value(QStringLiteral("application")).toObject().value(QStringLiteral("irb_details")),
                 QJsonValue(QStringLiteral("Pending: Example University IRB #2019-44")));
    }

    // No hash, or one no verifier accepts: a sign-in sends a reset code.
    void unverifiableHashGetsResetEmail()
    {
        const db::Database database = m_api->database();
        for (const char *email : { "broken@example.org", "invited@example.org" }) {
            const ApiReply first = m_api->post(QStringLiteral("/api/v1/login"),
                                               { { QStringLiteral("email"), QString::fromLatin1(email) },
                                                 { QStringLiteral("password"), QStringLiteral("whatever it was") } });
            QCOMPARE(first.status, 401);
            QCOMPARE(first.error(), QStringLiteral("bad-credentials"));
            const QString code = m_api->codeFor(QString::fromLatin1(email), 1);
            QVERIFY2(!code.isEmpty(), email);
            const ApiReply reset = m_api->post(
                    QStringLiteral("/api/v1/password/reset"),
                    { { QStringLiteral("email"), QString::fromLatin1(email) },
                      { QStringLiteral("code"), code },
                      { QStringLiteral("password"), QStringLiteral("a brand new password") } });
            QCOMPARE(reset.status, 200);
            QVERIFY(hashOf(database, email).startsWith(QLatin1String("$argon2id$")));
            QVERIFY(!m_api->login(QString::fromLatin1(email), QStringLiteral("a brand new password")).isEmpty());
        }
    }

    // Applications become pending or rejected researchers; the report
    // counts every old row; a second run adds nothing.
    void applicationsAndSecondRun()
    {
        const db::Database database = m_api->database();
        QCOMPARE(field(database, "status", "waiting@example.org"), QStringLiteral("pending"));
        QCOMPARE(field(database, "name", "waiting@example.org"), QStringLiteral("Waiting Person"));
        QCOMPARE(field(database, "status", "refused@example.org"), QStringLiteral("rejected"));
        QCOMPARE(field(database, "status", "removed@example.org"), QStringLiteral("<no row>"));
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT COUNT(*) FROM researchers WHERE lower(email) = "
                                       "'researcher@example.org'")),
                 QStringLiteral("1"));
        QVERIFY2(m_report.contains(QLatin1String("openaps.app_users: copied 5, skipped 1, bad 1")),
                 qPrintable(m_report));
        QVERIFY(m_report.contains(QLatin1String("openaps.researcher_applications: copied 2, skipped 2, bad 1")));
        QVERIFY(m_report.contains(QLatin1String("skipped 1: granted, but the account was removed in the old portal")));

        const QStringList before = everything(database);
        QVERIFY(migrateOnce());
        QCOMPARE(everything(database), before);
    }

private:
    bool migrateOnce()
    {
        openaps::legacy::MigrationOptions options;
        options.sourceUrl = m_old->url();
        options.secretKey = secretKey;
        auto report = openaps::legacy::migrateLegacy(m_api->database(), options);
        if (!report) {
            qWarning("%s", qPrintable(report.error().message));
            return false;
        }
        m_report = report->text();
        return true;
    }

    std::unique_ptr<ApiHarness> m_api;
    std::unique_ptr<TestDatabase> m_old;
    QString m_report;
};

QTEST_GUILESS_MAIN(TestLegacyAccounts)
#include "tst_legacyaccounts.moc"
