#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>

namespace openaps::jobs {

// Runs a periodic job's cycles, never two at once: a single-shot timer is
// re-armed only after a cycle has finished, with random jitter so that
// several instances drift apart instead of hitting Open Humans together.
//
//   Scheduler::Options o;
//   o.interval = config.duration("ETL_INTERVAL");
//   o.once = arguments.contains("--once");
//   auto *s = new Scheduler("etl", o, [job](Scheduler::Done done) { job->runCycle(std::move(done)); }, app);
//   QObject::connect(s, &Scheduler::stopped, app, &QCoreApplication::quit);
//   s->start();
//
// The cycle function starts asynchronous work and calls `done` exactly once
// when it is over (extra calls are ignored).
class Scheduler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Scheduler)

public:
    using Done = std::function<void()>;
    using Cycle = std::function<void(Done done)>;

    struct Options
    {
        std::chrono::milliseconds interval { std::chrono::hours(1) };
        double jitter = 0.1; // each wait is interval × (1 ± jitter)
        std::chrono::milliseconds firstDelay { 0 }; // before the first cycle
        bool once = false; // one cycle, then stopped()
    };

    Scheduler(QString name, Options options, Cycle cycle, QObject *parent = nullptr);

    const QString &name() const { return m_name; }
    void start();
    // No further cycles; emits stopped() once a running cycle has finished.
    void stop();
    // Starts a cycle now unless one is running (then nothing happens).
    void runNow();
    bool isCycleRunning() const { return m_running; }
    int cyclesFinished() const { return m_cycles; }
    // Milliseconds until the next cycle, -1 when none is armed.
    int remainingMs() const { return m_timer.isActive() ? m_timer.remainingTime() : -1; }

    // The jittered wait for an interval (exposed for tests).
    static std::chrono::milliseconds jittered(std::chrono::milliseconds interval, double jitter);

signals:
    void cycleStarted();
    void cycleFinished();
    void stopped();

private:
    void onTimeout();
    void onCycleDone(quint64 generation);

    QString m_name;
    Options m_options;
    Cycle m_cycle;
    QTimer m_timer;
    bool m_running = false;
    bool m_stopping = false;
    quint64 m_generation = 0;
    int m_cycles = 0;
};

} // namespace openaps::jobs
