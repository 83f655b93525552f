#include "ingestharness.h"
#include "records/datatype.h"

#include "ingest/filelayout.h"
#include "jobs/leasestore.h"

#include <QProcess>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace openaps;
using namespace openaps::test::ingest;
using namespace openaps::records;
using Endpoint = standins::OpenHumansStandIn::Endpoint;
using Failure = standins::StandInFaults::Failure;

namespace {

// The real binary, with the test's database and Open Humans stand-in.
class ServerProcess
{
public:
    ServerProcess(const Harness &h, const QString &dataDir, int concurrency)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OPENAPS_DATABASE_URL"), h.tdb.url());
        env.insert(QStringLiteral("OPENAPS_DATA_DIR"), dataDir);
        env.insert(QStringLiteral("OPENAPS_SECRET_KEY"), QString::fromLatin1(kSecretKey));
        env.insert(QStringLiteral("OPENAPS_OH_BASE_URL"), h.ohSettings.baseUrl.toString());
        env.insert(QStringLiteral("OPENAPS_OH_CLIENT_ID"), h.ohSettings.clientId);
        env.insert(QStringLiteral("OPENAPS_OH_CLIENT_SECRET"), h.ohSettings.clientSecret);
        env.insert(QStringLiteral("OPENAPS_INGEST_CONCURRENCY"), QString::number(concurrency));
        env.insert(QStringLiteral("OPENAPS_NIGHTSCOUT_ALLOW_LOOPBACK"), QStringLiteral("1"));
        env.insert(QStringLiteral("OPENAPS_INGEST_LEASE_TTL"), QStringLiteral("3s"));
        m_process.setProcessEnvironment(env);
    }

    void start()
    {
        m_process.start(QStringLiteral(OPENAPS_SERVER_BINARY), { QStringLiteral("ingest"), QStringLiteral("--once") });
    }
    // Waits on the event loop: the stand-ins answer from this process.
    bool finish(int timeoutMs = 120000)
    {
        if (m_process.state() == QProcess::NotRunning)
            return true;
        QSignalSpy finished(&m_process, &QProcess::finished);
        return finished.wait(timeoutMs);
    }
    void kill() { m_process.kill(); }
    bool running() const { return m_process.state() != QProcess::NotRunning; }
    int exitCode() const { return m_process.exitCode(); }
    QString output() { return QString::fromUtf8(m_process.readAllStandardOutput()); }
    QString errors() { return QString::fromUtf8(m_process.readAllStandardError()); }

private:
    QProcess m_process;
};

QList<Member> addMembers(Harness &h, int n, int days, quint64 seed)
{
    QList<Member> members;
    for (int i = 0; i < n; ++i) {
        const Member m = h.addMember();
        for (DataType type : kAllTypes)
            h.site(m).store().add(collectionOf(type),
                                  syntheticRecords(seed + quint64(i), type, h.now.addDays(-days), h.now));
        members.append(m);
    }
    return members;
}

} // namespace

// `openaps-server ingest --once` as a process: killed mid-cycle and started
// again, and two instances sharing one database.
class TestIngestProcess : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void killedMidCycleThenRestarted()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        QTemporaryDir dataDir;
        // The child reads up to its own "now": data ends a little before it.
        h.now = QDateTime::currentDateTimeUtc().addSecs(-60);
        const QList<Member> members = addMembers(h, 3, 10, 100);
        for (const Member &m : members)
            h.site(m).setFaults({ std::chrono::milliseconds(10), Failure::None, 0 });

        ServerProcess first(h, dataDir.path(), 1);
        first.start();
        // Kill it once some segments are in and the cycle is far from done.
        QVERIFY(waitUntil([&] { return h.openHumans->requestCount(Endpoint::UploadComplete) >= 3 || !first.running(); },
                          60000));
        QVERIFY2(first.running(), qPrintable(first.output() + first.errors()));
        first.kill();
        QVERIFY(first.finish());

        // The dead instance's lease runs out; then the participant can be claimed again.
        jobs::LeaseStore probe(h.database, QStringLiteral("ingest"), QStringLiteral("probe"), std::chrono::seconds(3));
        QList<qint64> held;
        {
            auto connection = h.database.connection();
            QSqlQuery q(*connection);
            QVERIFY(q.exec(QStringLiteral("SELECT participant_id FROM job_leases WHERE job = 'ingest' "
                                          "AND holder IS NOT NULL")));
            while (q.next())
                held << q.value(0).toLongLong();
        }
        QVERIFY(!held.isEmpty()); // it was killed while holding one
        for (qint64 id : std::as_const(held)) {
            const auto claimable = [&probe, id] {
                const auto claimed = probe.claim(id);
                return claimed.ok() && *claimed;
            };
            QTRY_VERIFY_WITH_TIMEOUT(claimable(), 30000);
            QVERIFY(probe.release(id, false, false).ok());
        }

        ServerProcess second(h, dataDir.path(), 1);
        second.start();
        QVERIFY(second.finish());
        QCOMPARE(second.exitCode(), 0);
        const QString summary = second.output();
        QVERIFY2(summary.contains(QLatin1String("ingest cycle")), qPrintable(summary + second.errors()));
        QVERIFY(!summary.contains(QLatin1String("http://")));
        for (const Member &m : members)
            QVERIFY2(h.exactlyOnce(m).isEmpty(), qPrintable(h.exactlyOnce(m)));
    }

    void twoInstancesShareOneDatabase()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != QLatin1String("postgres"))
            QSKIP("several instances need PostgreSQL");
        Harness h(backend);
        QVERIFY(h.isValid());
        QTemporaryDir dataDir;
        h.now = QDateTime::currentDateTimeUtc().addSecs(-60);
        const QList<Member> members = addMembers(h, 50, 1, 500);

        ServerProcess a(h, dataDir.path(), 4);
        ServerProcess b(h, dataDir.path(), 4);
        a.start();
        b.start();
        QVERIFY(a.finish(300000));
        QVERIFY(b.finish(300000));
        QCOMPARE(a.exitCode(), 0);
        QCOMPARE(b.exitCode(), 0);
        qInfo("instance a: %s", qPrintable(a.output().trimmed()));
        qInfo("instance b: %s", qPrintable(b.output().trimmed()));

        auto connection = h.database.connection();
        QSqlQuery q(*connection);
        QVERIFY(q.exec(QStringLiteral("SELECT participant_id, runs, last_holder FROM ingest_participants")));
        QHash<qint64, qint64> runs;
        QSet<QString> holders;
        while (q.next()) {
            runs.insert(q.value(0).toLongLong(), q.value(1).toLongLong());
            holders.insert(q.value(2).toString());
        }
        QCOMPARE(runs.size(), members.size());
        for (const Member &m : members) {
            QCOMPARE(runs.value(m.id), 1); // each participant exactly once across both instances
            QVERIFY2(h.exactlyOnce(m).isEmpty(), qPrintable(h.exactlyOnce(m)));
        }
        qInfo("participants per instance: %lld instances took part", qint64(holders.size()));
    }
};

QTEST_GUILESS_MAIN(TestIngestProcess)
#include "tst_ingestprocess.moc"
