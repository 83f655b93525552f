// `openaps-server admin ...` as an operator runs it: the real binary on a
// throw-away database (SQLite and PostgreSQL), exit codes 0/1/2.

#include "apiharness.h"

#include "api/researcherstore.h"

#include <QDateTime>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace openaps;

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runAdmin(const QString &databaseUrl, const QStringList &arguments, const QByteArray &input = {})
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("OPENAPS_DATABASE_URL"), databaseUrl);
    env.remove(QStringLiteral("OPENAPS_SMTP_URL"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(OPENAPS_SERVER_BINARY), QStringList { QStringLiteral("admin") } + arguments);
    if (!process.waitForStarted())
        return {};
    process.write(input);
    process.closeWriteChannel();
    Run run;
    if (!process.waitForFinished(60000)) {
        process.kill();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace

class TestAdminCli final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void usageErrors_data();
    void usageErrors();
    void createApproveRejectDeactivate();
    void duplicateSites();
};

void TestAdminCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");
    QTest::addRow("no action") << QStringList {} << "needs an action";
    QTest::addRow("unknown action") << QStringList { QStringLiteral("promote") } << "Unknown admin action";
    QTest::addRow("approve without scope")
            << QStringList { QStringLiteral("approve"), QStringLiteral("a@example.org") } << "--scope";
    QTest::addRow("create without name") << QStringList { QStringLiteral("create"), QStringLiteral("a@example.org"),
                                                          QStringLiteral("--scope"), QStringLiteral("all") }
                                         << "--name";
    QTest::addRow("unknown option") << QStringList { QStringLiteral("list"), QStringLiteral("--colour") } << "--colour";
    QTest::addRow("bad status") << QStringList { QStringLiteral("list"), QStringLiteral("--status"),
                                                 QStringLiteral("odd") }
                                << "--status";
}

void TestAdminCli::usageErrors()
{
    QFETCH_GLOBAL(QString, backend);
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);
    test::TestDatabase tdb(backend);
    QVERIFY(tdb.isValid());
    const Run r = runAdmin(tdb.url(), arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
}

void TestAdminCli::createApproveRejectDeactivate()
{
    QFETCH_GLOBAL(QString, backend);
    test::TestDatabase tdb(backend);
    QVERIFY(tdb.isValid());
    const QString url = tdb.url();
    const QStringList create { QStringLiteral("create"),   QStringLiteral("Boss@Example.org"), QStringLiteral("--name"),
                               QStringLiteral("The Boss"), QStringLiteral("--scope"),          QStringLiteral("all"),
                               QStringLiteral("--admin") };
    Run r = runAdmin(url, create, "short\n");
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("at least 10 characters")), qPrintable(r.err));
    r = runAdmin(url, create, "a long enough password\n");
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QStringLiteral("boss@example.org")));
    QVERIFY(!r.out.contains(QStringLiteral("a long enough password")));
    r = runAdmin(url, create, "a long enough password\n");
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("already exists")), qPrintable(r.err));

    // Researchers who applied through the API.
    api::ResearcherStore store(tdb.database());
    for (const char *email : { "pending@example.org", "other@example.org", "fresh@example.org" }) {
        api::Account a;
        a.email = QString::fromLatin1(email);
        a.name = QStringLiteral("Applicant");
        a.institution = QStringLiteral("Uni");
        a.status = a.email.startsWith(QLatin1String("fresh")) ? QStringLiteral("unverified")
                                                              : QStringLiteral("pending");
        a.passwordHash = QStringLiteral("$argon2id$placeholder");
        a.application = { QStringLiteral("+1 555 0100"),
                          QStringLiteral("unsure"),
                          QStringLiteral("Board review in May"),
                          QStringLiteral("Sponsor Inc"),
                          QStringLiteral("nsf"),
                          QStringLiteral("v1"),
                          1,
                          {} };
        QVERIFY(store.create(a, 1).ok());
    }
    // Everything the application said (issue 17).
    r = runAdmin(url, { QStringLiteral("show"), QStringLiteral("other@example.org") });
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    for (const char *shown :
         { "+1 555 0100", "unsure", "Board review in May", "Sponsor Inc", "Nightscout", "v1, accepted" })
        QVERIFY2(r.out.contains(QLatin1String(shown)), shown);
    QVERIFY(r.out.contains(QStringLiteral("old portal:       -\n")));
    // An account migrate-legacy copied shows the old portal's counters.
    {
        auto conn = tdb.database().connection();
        QSqlQuery q(*conn);
        QVERIFY(q.exec(QStringLiteral("UPDATE researchers SET legacy_login_count = 17, legacy_last_login_ms = "
                                      "1572598800000, legacy_downloads = 4, legacy_download_mb = 12.5 "
                                      "WHERE email = 'other@example.org'")));
    }
    r = runAdmin(url, { QStringLiteral("show"), QStringLiteral("other@example.org") });
    QVERIFY2(r.out.contains(QStringLiteral("old portal:       17 sign-ins (last 2019-11-01T09:00:00Z), 4 downloads, "
                                           "12.5 MiB\n")),
             qPrintable(r.out));
    r = runAdmin(url, { QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("pending") });
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains(QStringLiteral("pending@example.org"))
            && !r.out.contains(QStringLiteral("boss@example.org")));
    QVERIFY(r.out.contains(QStringLiteral("2 researchers")));

    r = runAdmin(url,
                 { QStringLiteral("approve"), QStringLiteral("PENDING@example.org"), QStringLiteral("--scope"),
                   QStringLiteral("nsf") });
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    auto approved = store.findByEmail(QStringLiteral("pending@example.org"));
    QVERIFY(approved.ok() && approved->has_value());
    QCOMPARE((*approved)->status, QStringLiteral("approved"));
    QCOMPARE((*approved)->scope, QStringLiteral("nsf"));
    QVERIFY(!(*approved)->isAdmin);

    r = runAdmin(url,
                 { QStringLiteral("approve"), QStringLiteral("fresh@example.org"), QStringLiteral("--scope"),
                   QStringLiteral("all") });
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("not confirmed")), qPrintable(r.err));
    r = runAdmin(url,
                 { QStringLiteral("approve"), QStringLiteral("nobody@example.org"), QStringLiteral("--scope"),
                   QStringLiteral("all") });
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("no researcher")), qPrintable(r.err));

    // A rejection needs the reason the applicant is told.
    r = runAdmin(url, { QStringLiteral("reject"), QStringLiteral("other@example.org") });
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("--reason")), qPrintable(r.err));
    QCOMPARE(runAdmin(url,
                      { QStringLiteral("reject"), QStringLiteral("other@example.org"), QStringLiteral("--reason"),
                        QStringLiteral("No IRB approval yet") })
                     .exitCode,
             0);
    QVERIFY(runAdmin(url, { QStringLiteral("show"), QStringLiteral("other@example.org") })
                    .out.contains(QStringLiteral("No IRB approval yet")));
    QCOMPARE(runAdmin(url, { QStringLiteral("deactivate"), QStringLiteral("other@example.org") }).exitCode, 1);
    QCOMPARE(runAdmin(url, { QStringLiteral("deactivate"), QStringLiteral("pending@example.org") }).exitCode, 0);
    auto states = store.list({});
    QVERIFY(states.ok());
    QStringList summary;
    for (const auto &a : *states)
        summary << a.email + u'=' + a.status;
    summary.sort();
    QCOMPARE(summary,
             QStringList({ QStringLiteral("boss@example.org=approved"), QStringLiteral("fresh@example.org=unverified"),
                           QStringLiteral("other@example.org=rejected"),
                           QStringLiteral("pending@example.org=deactivated") }));
    tdb.database().closeConnection();
}

void TestAdminCli::duplicateSites()
{
    QFETCH_GLOBAL(QString, backend);
    test::TestDatabase tdb(backend);
    QVERIFY(tdb.isValid());
    QCOMPARE(runAdmin(tdb.url(), { QStringLiteral("list") }).exitCode, 0); // migrates the database
    auto db = tdb.database().connection();
    QVERIFY(db.ok());
    // Two active members on one site, one on another, a deauthorised one on the first.
    const QList<std::tuple<const char *, const char *, bool>> rows {
        { "11111111", "a.example", false },
        { "22222222", "a.example", false },
        { "33333333", "b.example", false },
        { "44444444", "a.example", true },
    };
    for (const auto &[member, site, gone] : rows) {
        QSqlQuery q(*db);
        q.prepare(QStringLiteral("INSERT INTO participants (member_id, nightscout_site, deauthorized_at) "
                                 "VALUES (?, ?, ?)"));
        q.addBindValue(QString::fromLatin1(member));
        q.addBindValue(QString::fromLatin1(site));
        q.addBindValue(gone ? QVariant(QDateTime::currentDateTimeUtc()) : QVariant(QMetaType::fromType<QDateTime>()));
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    }
    const Run r = runAdmin(tdb.url(), { QStringLiteral("duplicate-sites") });
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("11111111, 22222222\n")), qPrintable(r.out));
    QVERIFY(!r.out.contains(QStringLiteral("33333333")) && !r.out.contains(QStringLiteral("44444444")));
    QVERIFY(!r.out.contains(QStringLiteral("a.example")));
    QVERIFY(r.out.contains(QStringLiteral("1 site registered by more than one member")));
    QCOMPARE(runAdmin(tdb.url(), { QStringLiteral("duplicate-sites"), QStringLiteral("x@example.org") }).exitCode, 2);
    tdb.database().closeConnection();
}

QTEST_GUILESS_MAIN(TestAdminCli)
#include "tst_admincli.moc"
