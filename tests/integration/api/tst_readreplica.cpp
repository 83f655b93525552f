#include "exportharness.h"

#include "api/researcherstore.h"
#include "api/tokenauth.h"
#include "core/config.h"
#include "db/migrations.h"
#include "db/readreplica.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

// OPENAPS_DATABASE_READ_URL (README, "Read replica") against a REAL hot
// standby of the test cluster (tests/start-postgres-replica.sh, whose URL
// is OPENAPS_TEST_POSTGRES_REPLICA_URL): exports, counts, the participants
// list, cohort views and release jobs read the standby while the token
// check, the scope and the audit stay on the primary; a standby that is
// stopped or lags past the limit falls back to the primary or answers 503,
// as configured; /healthz and /metrics say how it is. Replay is paused
// with pg_wal_replay_pause() to make the two differ. SQLite has no
// replicas: the setting is refused there.
class TestReadReplica final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void sqliteRefusesTheSetting();
    void settingReadFromAFileAndMasked();
    void readsGoToTheReplicaWritesToThePrimary();
    void authorisationComesFromThePrimary();
    void stoppedReplica_data();
    void stoppedReplica();
    void laggingReplica_data();
    void laggingReplica();
    void aReplicaThatDoesNotAnswerHoldsUpNothing();

private:
    bool haveReplica();
    // Runs SQL on the standby (as the test superuser).
    bool onReplica(const QString &sql);
    bool pauseReplay() { return onReplica(u"SELECT pg_wal_replay_pause()"_s); }
    bool resumeReplay() { return onReplica(u"SELECT pg_wal_replay_resume()"_s); }
    // Waits until the standby has replayed everything the primary wrote so far.
    bool waitForReplay(const db::Database &primary);
    bool replicaScript(const QString &command);

    QString m_replicaUrl;
};

namespace {

const QByteArray secretKey = QByteArrayLiteral("replica-test-secret-key-0123456789ab");

// The standby's URL with the test database's name.
QString replicaUrlFor(const QString &replicaUrl, const QString &primaryUrl)
{
    QUrl url(replicaUrl);
    url.setPath(QUrl(primaryUrl).path());
    return url.toString();
}

std::shared_ptr<db::ReadReplica> replicaOf(const test::TestDatabase &tdb, const QString &replicaUrl,
                                           std::chrono::seconds maxLag, db::ReplicaFallback fallback)
{
    db::ReplicaPolicy policy;
    policy.maxLag = maxLag;
    policy.fallback = fallback;
    policy.retryDown = std::chrono::milliseconds(200);
    return std::make_shared<db::ReadReplica>(
            db::Database(*db::DatabaseUrl::parse(replicaUrlFor(replicaUrl, tdb.url()))), policy);
}

// A migrated, seeded test database on the primary.
std::unique_ptr<test::TestDatabase> seededDatabase()
{
    auto tdb = std::make_unique<test::TestDatabase>(u"postgres"_s);
    if (!tdb->isValid() || !db::migrate(tdb->database()))
        return nullptr;
    test::ExportHarness seeder(tdb->database());
    if (!seeder.isValid() || !seeder.seed())
        return nullptr;
    return tdb;
}

// One more entry of member 101, written to the primary.
// The seeded primary and a harness that reads from the standby with this lag
// limit, falling back to the primary or answering 503 while it is down.
struct OverStandby
{
    OverStandby(const QString &replicaUrl, std::chrono::seconds maxLag, bool fallBack) : primary(seededDatabase())
    {
        if (primary)
            harness = std::make_unique<test::ExportHarness>(
                    primary->database(),
                    replicaOf(*primary, replicaUrl, maxLag,
                              fallBack ? db::ReplicaFallback::Primary : db::ReplicaFallback::Error));
    }
    bool isValid() const { return harness && harness->isValid(); }

    std::unique_ptr<test::TestDatabase> primary;
    std::unique_ptr<test::ExportHarness> harness;
};

bool insertMarker(test::ExportHarness &h, const QString &id)
{
    return h.insert(u"entries"_s,
                    { { u"user_id"_s, 101 },
                      { u"id"_s, id },
                      { u"sgv"_s, 155.0 },
                      { u"type"_s, u"sgv"_s },
                      { u"source_entity"_s, 0 },
                      { u"raw_json"_s, u"{}"_s },
                      { u"date"_s, u"2024-01-03T00:00:00.000Z"_s },
                      { u"utc_offset"_s, 0 } });
}

int entryCount(test::ExportHarness &h, const QByteArray &token = test::tokens::all)
{
    const auto reply = h.get(u"/api/v1/export/entries/count"_s, token);
    return reply.status == 200 ? reply.json().value(u"rows"_s).toInt() : -reply.status;
}

QJsonObject replicaHealth(test::ExportHarness &h)
{
    return h.get(u"/healthz"_s, QByteArray()).json().value(u"readReplica"_s).toObject();
}

QString metrics(test::ExportHarness &h)
{
    return QString::fromUtf8(h.get(u"/metrics"_s, QByteArray()).body);
}

// Log lines, to show that none carries the replica's password.
QStringList g_log;
QtMessageHandler g_previousHandler = nullptr;
void keepLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    g_log << message;
    g_previousHandler(type, context, message);
}

} // namespace

void TestReadReplica::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_replicaUrl = qEnvironmentVariable("OPENAPS_TEST_POSTGRES_REPLICA_URL");
    g_previousHandler = qInstallMessageHandler(keepLog);
}

void TestReadReplica::cleanup()
{
    // Whatever a failed test left: replay running, the standby up.
    if (!m_replicaUrl.isEmpty()) {
        resumeReplay();
        replicaScript(u"start"_s);
    }
    QVERIFY2(!g_log.join(u'\n').contains(u":openaps_test@"_s), "a log line carries the replica's password");
}

bool TestReadReplica::haveReplica()
{
    if (!m_replicaUrl.isEmpty() && !test::TestDatabase::postgresAdminUrl().isEmpty())
        return true;
    if (qEnvironmentVariableIntValue("OPENAPS_TEST_REQUIRE_POSTGRES"))
        qFatal("OPENAPS_TEST_POSTGRES_REPLICA_URL is not set (tests/start-postgres-replica.sh prints it)");
    return false;
}

bool TestReadReplica::onReplica(const QString &sql)
{
    db::Database replica(*db::DatabaseUrl::parse(m_replicaUrl));
    bool ok = false;
    {
        auto connection = replica.connection();
        if (!connection)
            return false;
        QSqlQuery q(*connection);
        ok = q.exec(sql);
        if (!ok)
            qWarning("on the replica: %s", qPrintable(q.lastError().text()));
    }
    replica.closeConnection();
    return ok;
}

bool TestReadReplica::waitForReplay(const db::Database &primary)
{
    QString lsn;
    {
        QSqlQuery q(*primary.connection());
        if (!q.exec(u"SELECT pg_current_wal_lsn()::text"_s) || !q.next())
            return false;
        lsn = q.value(0).toString();
    }
    db::Database replica(*db::DatabaseUrl::parse(m_replicaUrl));
    bool caughtUp = false;
    for (int i = 0; i < 600 && !caughtUp; ++i) { // a minute: the machine may be busy
        {
            auto connection = replica.connection();
            if (connection) {
                QSqlQuery q(*connection);
                caughtUp = q.exec(u"SELECT pg_last_wal_replay_lsn() >= '%1'::pg_lsn"_s.arg(lsn)) && q.next()
                        && q.value(0).toBool();
            }
        }
        if (!caughtUp)
            QTest::qWait(100);
    }
    replica.closeConnection();
    return caughtUp;
}

bool TestReadReplica::replicaScript(const QString &command)
{
    QProcess script;
    script.setProcessChannelMode(QProcess::MergedChannels);
    script.start(qEnvironmentVariable("OPENAPS_TEST_SOURCE_DIR") + u"/tests/start-postgres-replica.sh"_s, { command });
    if (!script.waitForFinished(180000) || script.exitCode() != 0) {
        qWarning("start-postgres-replica.sh %s: %s", qPrintable(command), script.readAll().constData());
        return false;
    }
    return true;
}

void TestReadReplica::sqliteRefusesTheSetting()
{
    QTemporaryDir dir;
    Config config = Config::fromValues({ { u"DATABASE_URL"_s, u"sqlite://"_s + dir.filePath(u"x.db"_s) },
                                         { u"DATABASE_READ_URL"_s, u"postgresql://u:p@127.0.0.1:5433/db"_s } });
    auto valid = config.validate(false);
    QVERIFY(!valid);
    QVERIFY2(valid.error().message.contains(u"SQLite, which has no replicas"_s), qPrintable(valid.error().message));
    // Without a replica, reads go where writes go.
    const db::Database sqlite(*db::DatabaseUrl::parse(u"sqlite://"_s + dir.filePath(u"x.db"_s)));
    const auto reads = db::forReads(sqlite, nullptr);
    QVERIFY(reads);
    QCOMPARE(reads->url().path, sqlite.url().path);

    config = Config::fromValues({ { u"DATABASE_URL"_s, u"postgresql://u:p@127.0.0.1:5432/db"_s },
                                  { u"DATABASE_READ_URL"_s, u"mysql://u:p@host/db"_s } });
    QVERIFY(!config.validate(false));
    config.set(u"DATABASE_READ_URL"_s, u"postgresql://u:p@127.0.0.1:5433/db"_s);
    QVERIFY(config.validate(false));
    config.set(u"DATABASE_READ_FALLBACK"_s, u"sometimes"_s);
    QVERIFY(!config.validate(false));
    config.set(u"DATABASE_READ_FALLBACK"_s, u"error"_s);
    config.set(u"DATABASE_READ_MAX_LAG"_s, u"soon"_s);
    QVERIFY(!config.validate(false));
    config.set(u"DATABASE_READ_MAX_LAG"_s, u"5s"_s);
    QVERIFY(config.validate(false));
    const auto replica = db::ReadReplica::fromConfig(config);
    QVERIFY(replica && *replica);
    QCOMPARE((*replica)->policy().maxLag.count(), 5);
    QVERIFY((*replica)->policy().fallback == db::ReplicaFallback::Error);
}

void TestReadReplica::settingReadFromAFileAndMasked()
{
    QTemporaryDir dir;
    QFile secret(dir.filePath(u"read-url"_s));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write("postgresql://reader:s3cret-pw@replica.internal:5432/openaps\n");
    secret.close();
    QProcessEnvironment env;
    env.insert(u"OPENAPS_DATABASE_URL"_s, u"postgresql://writer:other-pw@primary.internal:5432/openaps"_s);
    env.insert(u"OPENAPS_DATABASE_READ_URL_FILE"_s, secret.fileName());
    const auto config = Config::load(env);
    QVERIFY(config);
    QCOMPARE(config->value(u"DATABASE_READ_URL"_s), u"postgresql://reader:s3cret-pw@replica.internal:5432/openaps"_s);
    QVERIFY(config->validate(false));
    QString described;
    for (const auto &[name, value] : config->describe())
        described += name + u'=' + value + u'\n';
    QVERIFY(described.contains(u"OPENAPS_DATABASE_READ_URL=postgresql://reader:****@replica.internal:5432/openaps"_s));
    QVERIFY(!described.contains(u"s3cret-pw"_s));
    env.insert(u"OPENAPS_DATABASE_READ_URL"_s, u"postgresql://x@y/z"_s);
    QVERIFY(!Config::load(env)); // both set: an error
}

void TestReadReplica::readsGoToTheReplicaWritesToThePrimary()
{
    if (!haveReplica())
        QSKIP("no hot standby (OPENAPS_TEST_POSTGRES_REPLICA_URL)");
    auto tdb = seededDatabase();
    QVERIFY(tdb);
    // A generous limit: a paused replay must not count as lag here.
    test::ExportHarness h(tdb->database(),
                          replicaOf(*tdb, m_replicaUrl, std::chrono::hours(1), db::ReplicaFallback::Error));
    QVERIFY(h.isValid());
    h.installCohortApi(2);
    QTemporaryDir releases;
    api::ReleaseSettings settings;
    settings.directory = releases.path();
    h.installReleaseApi(settings);
    QVERIFY(waitForReplay(h.database()));
    QCOMPARE(entryCount(h), 9);
    QCOMPARE(h.get(u"/api/v1/cohort/overview"_s).status, 200);

    QVERIFY(pauseReplay());
    QVERIFY(insertMarker(h, u"only-on-the-primary"_s));
    {
        QSqlQuery q(*h.database().connection());
        QVERIFY(q.exec(u"SELECT COUNT(*) FROM entries"_s) && q.next());
        QCOMPARE(q.value(0).toInt(), 10); // the primary has it
    }
    // Every heavy read misses it: it comes from the paused standby.
    const auto exported = h.get(u"/api/v1/export/entries?format=ndjson"_s);
    QCOMPARE(exported.status, 200);
    QCOMPARE(exported.body.count('\n'), 9);
    QVERIFY(!exported.body.contains("only-on-the-primary"));
    QCOMPARE(exported.header("X-Export-Rows-Estimate"), QByteArray("9"));
    QCOMPARE(entryCount(h), 9);
    const auto participants = h.get(u"/api/v1/participants"_s);
    QCOMPARE(participants.status, 200);
    const auto post = h.send("POST", u"/api/v1/releases"_s, R"({"datasets":["entries"]})");
    QCOMPARE(post.status, 202);
    const qint64 release = post.json().value(u"id"_s).toInteger();
    QTRY_COMPARE_WITH_TIMEOUT(h.get(u"/api/v1/releases/%1"_s.arg(release)).json().value(u"state"_s).toString(),
                              u"ready"_s, 30000);
    QCOMPARE(h.get(u"/api/v1/releases/%1"_s.arg(release)).json().value(u"rows"_s).toInt(), 9);
    // The writes went to the primary while the standby stood still: the
    // download's audit row, the release's state (a hot standby refuses writes).
    QTRY_COMPARE(h.auditRows().size(), 2); // the release's is written after its state
    const auto audit = h.auditRows();
    QCOMPARE(audit.first().value(u"dataset"_s).toString(), u"entries"_s);
    QCOMPARE(audit.first().value(u"row_count"_s).toInt(), 9);
    QCOMPARE(audit.last().value(u"dataset"_s).toString(), u"release"_s);
    QCOMPARE(audit.last().value(u"row_count"_s).toInt(), 9);
    QVERIFY(metrics(h).contains(u"openaps_database_reads_total{target=\"replica\"}"_s));
    QVERIFY(!metrics(h).contains(u"openaps_database_reads_total{target=\"refused\"} 1"_s));

    // Replay again: the row arrives.
    QVERIFY(resumeReplay());
    QVERIFY(waitForReplay(h.database()));
    QCOMPARE(entryCount(h), 10);
    QVERIFY(h.get(u"/api/v1/export/entries?format=ndjson"_s).body.contains("only-on-the-primary"));
    const QJsonObject health = replicaHealth(h);
    QCOMPARE(health.value(u"state"_s).toString(), u"ok"_s);
    QCOMPARE(health.value(u"fallback"_s).toString(), u"error"_s);
    QCOMPARE(health.value(u"maxLagSeconds"_s).toInt(), 3600);
}

void TestReadReplica::authorisationComesFromThePrimary()
{
    if (!haveReplica())
        QSKIP("no hot standby (OPENAPS_TEST_POSTGRES_REPLICA_URL)");
    auto tdb = seededDatabase();
    QVERIFY(tdb);
    std::shared_ptr<api::TokenAuth> auth;
    const db::Database database = tdb->database();
    const auto replica = replicaOf(*tdb, m_replicaUrl, std::chrono::hours(1), db::ReplicaFallback::Error);
    auth = std::make_shared<api::TokenAuth>(database, secretKey);
    api::ResearcherStore store(database);
    api::Account account;
    account.email = u"all@test.invalid"_s;
    account.name = u"Dr. Replica"_s;
    account.institution = u"Test University"_s;
    account.purpose = u"testing"_s;
    account.status = u"approved"_s;
    account.scope = u"all"_s;
    account.passwordHash = u"not-used"_s;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto id = store.create(account, now);
    QVERIFY(id);
    const QString token = u"tok-replica-0123456789abcdef0123456789abcdef"_s;
    QVERIFY(store.addToken(auth->tokenHash(token), *id, now, now + 3600 * 1000));

    // The export API behind the real token check, as ServerRuntime wires it.
    api::ExportApi exportApi(database, [auth](const QString &t) { return auth->authenticateToken(t); });
    exportApi.setReadReplica(replica);
    http::WebServer web(database);
    exportApi.install(web);
    QVERIFY(web.listen(QHostAddress::LocalHost, 0));
    QNetworkAccessManager nam;
    const auto get = [&](const QString &path) {
        QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(web.port()).arg(path)));
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        QNetworkReply *reply = nam.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(20000);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        reply->deleteLater();
        return std::pair { status, body };
    };
    QVERIFY(waitForReplay(database));
    QCOMPARE(get(u"/api/v1/export/entries/count"_s).second, QByteArray(R"({"rows":9})"));

    // The standby stands still while the primary narrows the scope, then
    // revokes the token: each takes effect at once.
    QVERIFY(pauseReplay());
    QVERIFY(store.approve(*id, api::AccessScope::Nsf, false, std::nullopt, now));
    const auto narrowed = get(u"/api/v1/export/entries?format=ndjson"_s);
    QCOMPARE(narrowed.first, 200);
    // nsf: members 102 (nsf) and 103 (both), not 101 (openaps).
    QCOMPARE(narrowed.second.count('\n'), 6);
    QVERIFY(!narrowed.second.contains("\"user_id\":101"));
    QCOMPARE(get(u"/api/v1/export/entries/count"_s).second, QByteArray(R"({"rows":6})"));
    QVERIFY(store.revokeToken(auth->tokenHash(token), QDateTime::currentMSecsSinceEpoch()));
    QCOMPARE(get(u"/api/v1/export/entries"_s).first, 401);
    QCOMPARE(get(u"/api/v1/export/entries/count"_s).first, 401);
    QCOMPARE(get(u"/api/v1/participants"_s).first, 401);
    QVERIFY(resumeReplay());
    exportApi.waitForAuditWrites();
}

void TestReadReplica::stoppedReplica_data()
{
    QTest::addColumn<bool>("fallBack");
    QTest::addRow("fallback=primary") << true;
    QTest::addRow("fallback=error") << false;
}

void TestReadReplica::stoppedReplica()
{
    QFETCH(bool, fallBack);
    if (!haveReplica())
        QSKIP("no hot standby (OPENAPS_TEST_POSTGRES_REPLICA_URL)");
    const OverStandby world(m_replicaUrl, std::chrono::hours(1), fallBack);
    QVERIFY(world.isValid());
    test::ExportHarness &h = *world.harness;
    h.installCohortApi(2);
    QVERIFY(waitForReplay(h.database()));
    QCOMPARE(entryCount(h), 9);

    g_log.clear();
    QVERIFY(replicaScript(u"stop"_s));
    QVERIFY(insertMarker(h, u"written-while-the-replica-was-down"_s));
    if (fallBack) {
        // The primary answers, with the row only it has.
        QCOMPARE(entryCount(h), 10);
        const auto exported = h.get(u"/api/v1/export/entries?format=ndjson"_s);
        QCOMPARE(exported.status, 200);
        QVERIFY(exported.body.contains("written-while-the-replica-was-down"));
        QCOMPARE(h.get(u"/api/v1/cohort/overview"_s).status, 200);
        QVERIFY(g_log.join(u'\n').contains(u"is down"_s));
        QVERIFY(g_log.join(u'\n').contains(u"they read the primary until it is back"_s));
    } else {
        for (const QString &path : { u"/api/v1/export/entries"_s, u"/api/v1/export/entries/count"_s,
                                     u"/api/v1/participants"_s, u"/api/v1/cohort/overview"_s }) {
            const auto reply = h.get(path);
            QCOMPARE(reply.status, 503);
            QCOMPARE(reply.json().value(u"error"_s).toString(), u"replica-unavailable"_s);
            QVERIFY2(reply.json().value(u"message"_s).toString().contains(u"not available at the moment"_s),
                     reply.body.constData());
            QVERIFY(!reply.body.contains("5433"));
        }
        QVERIFY(g_log.join(u'\n').contains(u"they answer 503 until it is back"_s));
        QVERIFY(h.auditRows().isEmpty()); // nothing was downloaded
    }
    // Still ready: the site and the API serve; the replica's state is shown.
    const auto health = h.get(u"/healthz"_s, QByteArray());
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value(u"readReplica"_s).toObject().value(u"state"_s).toString(), u"down"_s);
    QVERIFY(health.json().value(u"warnings"_s).toArray().contains(u"read-replica-down"_s));
    QVERIFY(metrics(h).contains(u"openaps_database_read_replica_up 0"_s));
    QVERIFY(metrics(h).contains(fallBack ? u"openaps_database_reads_total{target=\"primary\"}"_s
                                         : u"openaps_database_reads_total{target=\"refused\"} 4"_s));

    // Back: reads return to it.
    QVERIFY(replicaScript(u"start"_s));
    QVERIFY(waitForReplay(h.database()));
    QTRY_COMPARE_WITH_TIMEOUT(replicaHealth(h).value(u"state"_s).toString(), u"ok"_s, 20000);
    QCOMPARE(entryCount(h), 10);
    QVERIFY(metrics(h).contains(u"openaps_database_read_replica_up 1"_s));
    QVERIFY(metrics(h).contains(u"openaps_database_read_replica_serving 1"_s));
}

void TestReadReplica::laggingReplica_data()
{
    stoppedReplica_data();
}

void TestReadReplica::laggingReplica()
{
    QFETCH(bool, fallBack);
    if (!haveReplica())
        QSKIP("no hot standby (OPENAPS_TEST_POSTGRES_REPLICA_URL)");
    const OverStandby world(m_replicaUrl, std::chrono::seconds(2), fallBack);
    QVERIFY(world.isValid());
    test::ExportHarness &h = *world.harness;
    QVERIFY(waitForReplay(h.database()));
    QTRY_COMPARE_WITH_TIMEOUT(entryCount(h), 9, 10000);

    g_log.clear();
    QVERIFY(pauseReplay());
    QVERIFY(insertMarker(h, u"not-replayed-yet"_s));
    // Past the limit: what the standby replayed last is over two seconds old.
    QTRY_COMPARE_WITH_TIMEOUT(replicaHealth(h).value(u"state"_s).toString(), u"lagging"_s, 20000);
    QVERIFY(replicaHealth(h).value(u"lagSeconds"_s).toDouble() > 2);
    QVERIFY(g_log.join(u'\n').contains(u"is lagging"_s));
    if (fallBack) {
        const auto exported = h.get(u"/api/v1/export/entries?format=ndjson"_s);
        QCOMPARE(exported.status, 200);
        QVERIFY(exported.body.contains("not-replayed-yet")); // from the primary
        QCOMPARE(entryCount(h), 10);
    } else {
        const auto reply = h.get(u"/api/v1/export/entries"_s);
        QCOMPARE(reply.status, 503);
        QCOMPARE(reply.json().value(u"error"_s).toString(), u"replica-unavailable"_s);
        QVERIFY2(reply.json()
                         .value(u"message"_s)
                         .toString()
                         .contains(u"behind the latest data by more than 2 seconds"_s),
                 reply.body.constData());
        QCOMPARE(entryCount(h), -503);
    }
    QVERIFY(metrics(h).contains(u"openaps_database_read_replica_serving 0"_s));
    QVERIFY(metrics(h).contains(u"openaps_database_read_replica_lag_seconds "_s));

    QVERIFY(resumeReplay());
    QVERIFY(waitForReplay(h.database()));
    QTRY_COMPARE_WITH_TIMEOUT(replicaHealth(h).value(u"state"_s).toString(), u"ok"_s, 20000);
    // (Other tests' writes may put it briefly past a limit this small.)
    QTRY_COMPARE_WITH_TIMEOUT(entryCount(h), 10, 20000);
}

// A replica host that takes the connection and never answers (a network
// that drops packets does the same): looking at it takes its whole connect
// timeout, here 60 s. Meanwhile /healthz still answers ready (its budget is
// 3 s), and /metrics and /livez answer at once; the replica is shown down
// once the look has ended.
void TestReadReplica::aReplicaThatDoesNotAnswerHoldsUpNothing()
{
    auto tdb = seededDatabase();
    if (!tdb)
        QSKIP("no PostgreSQL (OPENAPS_TEST_POSTGRES_URL)");
    auto silent = std::make_unique<QTcpServer>();
    QVERIFY(silent->listen(QHostAddress::LocalHost));
    db::ReplicaPolicy policy;
    policy.retryDown = std::chrono::milliseconds(200);
    const QString url = u"postgresql://openaps_test:secret@127.0.0.1:%1/postgres?connect_timeout=60"_s.arg(
            silent->serverPort());
    test::ExportHarness h(tdb->database(),
                          std::make_shared<db::ReadReplica>(db::Database(*db::DatabaseUrl::parse(url)), policy));
    QVERIFY(h.isValid());
    // Closed first on the way out, so the look that waits on it ends.
    const auto closeSilent = qScopeGuard([&silent] { silent.reset(); });

    const auto health = h.get(u"/healthz"_s, QByteArray());
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(health.json().value(u"readReplica"_s).toObject().value(u"state"_s).toString(), u"unknown"_s);
    const auto scraped = h.get(u"/metrics"_s, QByteArray());
    QCOMPARE(scraped.status, 200);
    QVERIFY(scraped.body.contains("openaps_database_up 1"));
    QVERIFY2(!scraped.body.contains("openaps_database_read_replica_up"), scraped.body.constData());
    QCOMPARE(h.get(u"/livez"_s, QByteArray()).status, 200);

    // The connection ends: the replica is down, and said so.
    silent.reset();
    QTRY_COMPARE_WITH_TIMEOUT(replicaHealth(h).value(u"state"_s).toString(), u"down"_s, 20000);
    QVERIFY(metrics(h).contains(u"openaps_database_read_replica_up 0"_s));
}

QTEST_GUILESS_MAIN(TestReadReplica)
#include "tst_readreplica.moc"
