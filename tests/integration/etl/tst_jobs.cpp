#include "etltestsupport.h"
#include "jobs/leasestore.h"
#include "jobs/participantrunner.h"

#include <QLoggingCategory>
#include <QMutex>
#include <QSignalSpy>
#include <QThread>

#include <memory>

using namespace openaps;
using namespace openaps::jobs;
using namespace openaps::test::etl;
using namespace std::chrono_literals;

namespace {

QList<qint64> addParticipants(const db::Database &database, int n, int deauthorized = 0)
{
    QList<qint64> ids;
    auto conn = database.connection();
    for (int i = 0; i < n; ++i) {
        QSqlQuery q(*conn);
        q.prepare(QStringLiteral("INSERT INTO participants (member_id) VALUES (?)"));
        q.addBindValue(QStringLiteral("%1").arg(10000000 + i));
        if (!q.exec())
            qFatal("%s", qPrintable(q.lastError().text()));
        ids << scalar(database, QStringLiteral("SELECT id FROM participants WHERE member_id = ?"),
                      { QStringLiteral("%1").arg(10000000 + i) })
                        .toLongLong();
    }
    for (int i = 0; i < deauthorized; ++i)
        QSqlQuery(*conn).exec(
                QStringLiteral("UPDATE participants SET deauthorized_at = registered_at WHERE id = %1").arg(ids[i]));
    return ids;
}

// A clock the test moves by hand.
struct FakeClock
{
    std::shared_ptr<QDateTime> now = std::make_shared<QDateTime>(QDateTime(QDate(2024, 5, 1), QTime(12, 0), Qt::UTC));
    Clock clock() const
    {
        auto n = now;
        return [n] { return *n; };
    }
    void advance(int seconds) { *now = now->addSecs(seconds); }
};

} // namespace

class TestJobs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    void claimsEachDueParticipantOnce()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const QList<qint64> ids = addParticipants(database, 5, 1); // the first is deauthorised
        FakeClock clock;
        LeaseStore a(database, QStringLiteral("etl"), QStringLiteral("a"), 600s, clock.clock());
        LeaseStore b(database, QStringLiteral("etl"), QStringLiteral("b"), 600s, clock.clock());
        QVERIFY(a.enroll().ok());
        const QDateTime cycle = clock.clock()();
        QSet<qint64> claimed;
        for (LeaseStore *store : { &a, &b, &a, &b, &a }) {
            auto next = store->claimNext(cycle);
            QVERIFY(next.ok());
            if (next->has_value()) {
                QVERIFY(!claimed.contains(**next));
                claimed.insert(**next);
            }
        }
        QCOMPARE(claimed, QSet<qint64>(ids.begin() + 1, ids.end()));
        // Released after finishing: not due again in this cycle...
        clock.advance(10);
        QVERIFY(a.release(ids[1], true).ok());
        QVERIFY(!a.claimNext(cycle)->has_value());
        // ...but in the next one.
        clock.advance(10);
        QCOMPARE(a.claimNext(clock.clock()())->value_or(-1), ids[1]);
        // Released without finishing: claimable again at once.
        QVERIFY(b.release(ids[2], false, false).ok());
        QCOMPARE(b.claimNext(cycle)->value_or(-1), ids[2]);
    }

    // An instance that dies stops renewing; its participants come back once
    // the lease expires, and not before.
    void expiredLeasesCanBeTakenOver()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const QList<qint64> ids = addParticipants(database, 1);
        FakeClock clock;
        LeaseStore dead(database, QStringLiteral("etl"), QStringLiteral("dead"), 600s, clock.clock());
        LeaseStore alive(database, QStringLiteral("etl"), QStringLiteral("alive"), 600s, clock.clock());
        QVERIFY(dead.enroll().ok());
        const QDateTime cycle = clock.clock()();
        QCOMPARE(dead.claimNext(cycle)->value_or(-1), ids[0]);
        clock.advance(500);
        QVERIFY(!alive.claimNext(cycle)->has_value());
        QVERIFY(!*alive.claim(ids[0]));
        QVERIFY(dead.renew({ ids[0] }).ok()); // still alive at +500 s: now expires at +1100 s
        clock.advance(500);
        QVERIFY(!alive.claimNext(cycle)->has_value());
        clock.advance(601); // no renewal: expired
        QCOMPARE(alive.claimNext(cycle)->value_or(-1), ids[0]);
        // The dead holder's late release does not free the new holder's lease.
        QVERIFY(dead.release(ids[0], false).ok());
        QVERIFY(!*dead.claim(ids[0]));
        QVERIFY(*alive.claim(ids[0])); // the holder itself may re-claim
        // Other jobs have their own leases.
        LeaseStore ingest(database, QStringLiteral("ingest"), QStringLiteral("dead"), 600s, clock.clock());
        QVERIFY(*ingest.claim(ids[0]));
    }

    // Several "instances" (threads with their own connections) claiming at
    // the same time never get the same participant.
    void concurrentClaimersNeverShare()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const QList<qint64> ids = addParticipants(database, 40);
        QVERIFY(LeaseStore(database, QStringLiteral("etl"), QStringLiteral("x"), 600s).enroll().ok());
        const QDateTime cycle = QDateTime::currentDateTimeUtc().addSecs(-1);
        QMutex mutex;
        QList<qint64> all;
        QList<QThread *> threads;
        for (int t = 0; t < 4; ++t) {
            threads << QThread::create([&, t] {
                LeaseStore store(database, QStringLiteral("etl"), QStringLiteral("holder%1").arg(t), 600s);
                for (;;) {
                    auto next = store.claimNext(cycle);
                    if (!next.ok() || !next->has_value())
                        break;
                    QMutexLocker lock(&mutex);
                    all << **next;
                }
                database.closeConnection();
            });
            threads.last()->start();
        }
        for (QThread *thread : threads) {
            QVERIFY(thread->wait(60000));
            delete thread;
        }
        std::sort(all.begin(), all.end());
        QCOMPARE(all, ids);
    }

    // At most N at a time, everyone once, a failure does not stop the rest.
    void runnerBoundsConcurrency()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const QList<qint64> ids = addParticipants(database, 9);
        int running = 0;
        int maxRunning = 0;
        QList<qint64> seen;
        ParticipantRunner runner(LeaseStore(database, QStringLiteral("etl"), QStringLiteral("h"), 600s), 3,
                                 [&](qint64 id, ParticipantRunner::Done done) {
                                     seen << id;
                                     maxRunning = std::max(maxRunning, ++running);
                                     QTimer::singleShot(10 + int(id % 3) * 5, this,
                                                        [&running, id, done = std::move(done), &ids] {
                                                            --running;
                                                            done(id != ids[4]);
                                                        });
                                 });
        QSignalSpy finished(&runner, &ParticipantRunner::finished);
        runner.run(QDateTime::currentDateTimeUtc());
        QVERIFY(finished.wait(10000));
        QCOMPARE(maxRunning, 3);
        std::sort(seen.begin(), seen.end());
        QCOMPARE(seen, ids);
        QCOMPARE(runner.stats().succeeded, 8);
        QCOMPARE(runner.stats().failed, 1);
        QCOMPARE(
                scalar(database,
                       QStringLiteral(
                               "SELECT COUNT(*) FROM job_leases WHERE holder IS NULL AND last_finished_at IS NOT NULL")),
                QStringLiteral("9"));
        // A second pass of the same cycle finds nobody due.
        seen.clear();
        runner.run(QDateTime::currentDateTimeUtc().addSecs(-3600));
        QVERIFY(finished.count() == 2 || finished.wait(5000));
        QVERIFY(seen.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestJobs)
#include "tst_jobs.moc"
