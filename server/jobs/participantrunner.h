#pragma once

#include "jobs/leasestore.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace openaps::jobs {

// One pass over the due participants of a job with bounded concurrency: at
// most `concurrency` tasks run at once, each participant claimed through the
// LeaseStore first (so another instance never runs it at the same time) and
// released when its task is done. Leases of running tasks are renewed every
// ttl/3. One participant's failure never stops the others.
//
//   ParticipantRunner runner(leases, config.integer("ETL_CONCURRENCY"),
//       [](qint64 participantId, ParticipantRunner::Done done) { ...; done(true); });
//   connect(&runner, &ParticipantRunner::finished, ...);
//   runner.run(cycleStart);  // everyone not finished since cycleStart
//
// The task is asynchronous: it calls `done(ok)` exactly once, from the
// runner's thread (queue it there when the work ran elsewhere).
class ParticipantRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParticipantRunner)

public:
    using Done = std::function<void(bool ok)>;
    using Task = std::function<void(qint64 participantId, Done done)>;

    struct Stats
    {
        int started = 0;
        int succeeded = 0;
        int failed = 0;
        QString error; // why claiming stopped early (database trouble), if it did
    };

    ParticipantRunner(LeaseStore leases, int concurrency, Task task, QObject *parent = nullptr);

    // Starts a pass; finished() follows when nobody due is left and every
    // task has called done. Ignored while a pass is running.
    void run(const QDateTime &dueBefore);
    bool isRunning() const { return m_running; }
    const Stats &stats() const { return m_stats; }
    const LeaseStore &leases() const { return m_leases; }
    QSet<qint64> active() const { return m_active; }

signals:
    void finished();

private:
    void fill();
    void onTaskDone(qint64 participantId, bool ok);
    void onRenew();
    void finishIfIdle();

    LeaseStore m_leases;
    int m_concurrency;
    Task m_task;
    QTimer m_renew;
    QSet<qint64> m_active;
    QDateTime m_dueBefore;
    Stats m_stats;
    bool m_running = false;
    bool m_exhausted = false;
    bool m_filling = false;
};

} // namespace openaps::jobs
