#include "jobs/scheduler.h"

#include <QSignalSpy>
#include <QTest>

using namespace openaps::jobs;
using namespace std::chrono_literals;

// The single-shot, re-armed-after-finish scheduler.
class TestScheduler : public QObject
{
    Q_OBJECT

private slots:
    void onceRunsOneCycle()
    {
        int cycles = 0;
        Scheduler::Options o;
        o.interval = 10ms;
        o.once = true;
        Scheduler s(QStringLiteral("t"), o, [&cycles](const Scheduler::Done &done) {
            ++cycles;
            QTimer::singleShot(5, [done] { done(); });
        });
        QSignalSpy stopped(&s, &Scheduler::stopped);
        s.start();
        QVERIFY(stopped.wait(2000));
        QCOMPARE(cycles, 1);
        QCOMPARE(s.cyclesFinished(), 1);
        QCOMPARE(s.remainingMs(), -1); // nothing armed after a --once run
    }

    // A cycle longer than the interval delays the next one instead of
    // overlapping it; done() called twice counts once.
    void cyclesNeverOverlap()
    {
        int running = 0;
        int maxRunning = 0;
        int cycles = 0;
        Scheduler::Options o;
        o.interval = 1ms;
        o.jitter = 0;
        Scheduler s(QStringLiteral("t"), o, [&](const Scheduler::Done &done) {
            ++cycles;
            maxRunning = std::max(maxRunning, ++running);
            QTimer::singleShot(20, &s, [&running, done] {
                --running;
                done();
                done();
            });
        });
        QSignalSpy finished(&s, &Scheduler::cycleFinished);
        s.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 4, 5000);
        QCOMPARE(maxRunning, 1);
        QCOMPARE(finished.count(), s.cyclesFinished());
        // Let the cycle in flight end before `running` and `s` go out of
        // scope: its timer would otherwise fire into the next test.
        QSignalSpy stopped(&s, &Scheduler::stopped);
        s.stop();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 5000);
        QCOMPARE(running, 0);
    }

    void stopWaitsForTheRunningCycle()
    {
        Scheduler::Done pending;
        Scheduler::Options o;
        o.interval = 1h;
        Scheduler s(QStringLiteral("t"), o, [&pending](Scheduler::Done done) { pending = std::move(done); });
        QSignalSpy started(&s, &Scheduler::cycleStarted);
        QSignalSpy stopped(&s, &Scheduler::stopped);
        s.start();
        QVERIFY(started.wait(1000));
        s.runNow(); // ignored: a cycle is running
        QCOMPARE(started.count(), 1);
        s.stop();
        QCOMPARE(stopped.count(), 0);
        pending();
        QVERIFY(stopped.wait(1000));
        QCOMPARE(started.count(), 1);
    }

    void rearmsWithJitter()
    {
        Scheduler::Options o;
        o.interval = 1h;
        o.jitter = 0.1;
        Scheduler s(QStringLiteral("t"), o, [](const Scheduler::Done &done) { done(); });
        QSignalSpy finished(&s, &Scheduler::cycleFinished);
        s.start();
        QVERIFY(finished.wait(1000));
        const int remaining = s.remainingMs();
        QVERIFY2(remaining > 3240000 - 1000 && remaining <= 3960000, qPrintable(QString::number(remaining)));
        for (int i = 0; i < 200; ++i) {
            const auto w = Scheduler::jittered(1000ms, 0.1);
            QVERIFY(w >= 900ms && w <= 1100ms);
        }
        s.stop();
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
