// Issue 17, item 1: with the project's master token the ETL loads every
// project member, also those who never logged in here, and keeps loading
// after the token is rotated; an expired token is reported (log, metric,
// /healthz), never a silent stop; erased members stay out.

#include "app/runtimemetrics.h"
#include "db/sqlhelpers.h"
#include "etlworld.h"
#include "http/healthcheck.h"
#include "privacy/tombstones.h"

#include <QRegularExpression>

using namespace openaps;
using namespace openaps::etl;
using namespace openaps::test::etl;
using Endpoint = openaps::standins::OpenHumansStandIn::Endpoint;

namespace {

// A member of the old system: files in Open Humans, no consent file, never
// logged in here (no participants row).
QString addLegacyMember(World &w, int from, int to)
{
    QString member = w.oh.standIn->addMember();
    w.oh.clock.advance(60);
    w.oh.standIn->addFile(member, QStringLiteral("1706745600000_%1_entries.json").arg(member), entries(from, to));
    w.oh.standIn->addFile(member, QStringLiteral("%1_open_aps_nightscout_url.txt").arg(member), "https://example.org");
    return member;
}

qint64 rowsOf(const db::Database &database, const privacy::ParticipantKeys &keys, const QString &member)
{
    return scalar(database, QStringLiteral("SELECT COUNT(*) FROM entries WHERE user_id = ?"),
                  { keys.pseudonym(member) })
            .toLongLong();
}

QString metrics(const db::Database &database)
{
    http::PrometheusText text;
    app::addDatabaseMetrics(database, text);
    return text.text();
}

QString health(const db::Database &database)
{
    http::HealthCheck check(database, std::chrono::seconds(10), std::chrono::milliseconds(0));
    QString state = QStringLiteral("pending");
    check.check([&](const http::HealthOutcome &outcome) { state = outcome.masterToken; });
    if (!QTest::qWaitFor([&] { return state != QLatin1String("pending"); }, 20000))
        qWarning("the health check did not answer");
    return state;
}

auto withMaster(const QString &token, const QString &file = {})
{
    return [token, file](EtlService::Options &o) { o.masterToken = { token, file }; };
}

} // namespace

class TestMasterToken : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    // A member who never logged in is listed through the members endpoint
    // (several pages), loaded with the master token under their pseudonym,
    // in the OpenAPS commons (no consent file: the old system's default),
    // and the next cycle fetches nothing again.
    void loadsMembersWhoNeverLoggedIn()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database); // one member who did log in, with tokens of their own
        w.addFile(QStringLiteral("1706745600000_%1_entries.json").arg(w.member), entries(0, 20));
        QStringList legacy;
        for (int i = 0; i < 3; ++i)
            legacy << addLegacyMember(w, 0, 30 + i);
        const QString master = w.oh.standIn->issueMasterToken();
        const auto pass = w.runOnce(withMaster(master));
        QCOMPARE(pass.succeeded, 4);
        QCOMPARE(pass.failed, 0);
        QCOMPARE(w.userCount("entries"), qint64(20));
        for (int i = 0; i < legacy.size(); ++i)
            QCOMPARE(rowsOf(database, w.keys, legacy[i]), qint64(30 + i));
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM participants WHERE access_token_enc IS NULL")),
                 QStringLiteral("3"));
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT MIN(source_entity) || '/' || MAX(source_entity) FROM entries "
                                       "WHERE user_id = ?"),
                        { w.keys.pseudonym(legacy[0]) }),
                 QStringLiteral("0/0"));
        QCOMPARE(scalar(database, QStringLiteral("SELECT state || '/' || members FROM oh_master_token_status")),
                 QStringLiteral("ok/4"));
        QVERIFY(metrics(database).contains(QLatin1String("openaps_oh_master_token_expired 0")));
        QCOMPARE(health(database), QStringLiteral("ok"));

        // Incremental: nothing is downloaded again.
        const int downloads = w.oh.standIn->requestCount(Endpoint::StorageGet);
        QCOMPARE(w.runOnce(withMaster(master)).succeeded, 4);
        QCOMPARE(w.oh.standIn->requestCount(Endpoint::StorageGet), downloads);
        QCOMPARE(rowsOf(database, w.keys, legacy[2]), qint64(32));
    }

    // The members endpoint is paginated: every page is followed.
    void followsEveryPage()
    {
        standins::OpenHumansStandIn::Options options;
        options.pageSize = 2;
        test::OpenHumansFixture oh(options);
        for (int i = 0; i < 5; ++i)
            oh.standIn->addMember();
        const auto members = test::runJob(oh.client().projectMembers(oh.standIn->issueMasterToken()));
        QVERIFY2(members.ok(), members.ok() ? "" : qPrintable(members.error().message));
        QCOMPARE(members->size(), 5);
        QCOMPARE(oh.standIn->requestCount(Endpoint::ProjectMembers), 3);
        // A member's token is not the master token.
        oh::TokenPair tokens;
        oh.memberWithTokens(&tokens);
        const auto refused = test::runJob(oh.client().projectMembers(tokens.accessToken));
        QCOMPARE(refused.error().code, QStringLiteral("unauthorized"));
    }

    // Expiry is reported in the log, as a metric and in /healthz; the
    // registered member goes on; a rotated token (a new value in the
    // setting's file) loads again, also what arrived meanwhile.
    void reportsExpiryAndKeepsLoadingAfterRotation()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        const QString legacy = addLegacyMember(w, 0, 40);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("oh_master_token"));
        const auto writeToken = [&file](const QString &token) {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(token.toUtf8() + '\n');
        };
        const QString first = w.oh.standIn->issueMasterToken();
        writeToken(first);
        QCOMPARE(w.runOnce(withMaster(first, file)).succeeded, 2);
        QCOMPARE(rowsOf(database, w.keys, legacy), qint64(40));

        // A day later the token has expired; new data arrived meanwhile.
        w.oh.clock.advance(24 * 3600 + 60);
        w.oh.standIn->addFile(legacy, QStringLiteral("%1_entries_2024-02.ndjson.gz").arg(legacy),
                              gzipped(entries(40, 60)));
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("master token .* has EXPIRED")));
        const auto expired = w.runOnce(withMaster(first, file));
        QCOMPARE(expired.succeeded, 1); // the member with tokens of their own
        QCOMPARE(expired.failed, 1);
        QCOMPARE(rowsOf(database, w.keys, legacy), qint64(40));
        QCOMPARE(scalar(database, QStringLiteral("SELECT state FROM oh_master_token_status")),
                 QStringLiteral("expired"));
        QVERIFY(metrics(database).contains(QLatin1String("openaps_oh_master_token_expired 1")));
        QCOMPARE(health(database), QStringLiteral("expired"));

        // The operator makes a new token and puts it in the file.
        writeToken(w.oh.standIn->issueMasterToken());
        QCOMPARE(w.runOnce(withMaster(first, file)).succeeded, 2);
        QCOMPARE(rowsOf(database, w.keys, legacy), qint64(60));
        QCOMPARE(scalar(database, QStringLiteral("SELECT state FROM oh_master_token_status")), QStringLiteral("ok"));
        QCOMPARE(health(database), QStringLiteral("ok"));
    }

    // An erased member the members endpoint still lists is skipped: no row
    // in participants, nothing loaded.
    void skipsTombstonedMembers()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        const QString erased = addLegacyMember(w, 0, 10);
        const QString kept = addLegacyMember(w, 0, 12);
        {
            auto conn = database.connection();
            QVERIFY(privacy::addTombstone(*conn, w.keys.tombstone(erased)).ok());
        }
        const QString master = w.oh.standIn->issueMasterToken();
        QCOMPARE(w.runOnce(withMaster(master)).succeeded, 2);
        QCOMPARE(rowsOf(database, w.keys, erased), qint64(0));
        QCOMPARE(rowsOf(database, w.keys, kept), qint64(12));
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM participants WHERE member_id = ?"), { erased }),
                 QStringLiteral("0"));
    }
};

QTEST_GUILESS_MAIN(TestMasterToken)
#include "tst_mastertoken.moc"
