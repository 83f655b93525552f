#pragma once

#include "db/database.h"
#include "db/readreplica.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <chrono>
#include <functional>

namespace openaps::http {

class HealthWorker;
class ReplicaProbe;

// What one readiness check found out about the database.
struct HealthOutcome
{
    bool databaseUp = false;
    int schemaVersion = 0;
    // The Open Humans master token as the jobs last found it (ok, expired,
    // refused); empty when none is configured.
    QString masterToken;
    QString problem; // why not, for the log only: it may name the database host
    // The read replica's health and lag as last found, when one is
    // configured; it never makes the process unready (reads fall back or
    // answer 503 by themselves), and a replica that does not answer never
    // delays this outcome: it is looked at on a thread of its own.
    std::optional<db::ReplicaState> replica;
};

// Asks the database whether it answers, on a thread of its own with its own
// connection, so a slow or hung database never holds up the event loop.
// Callers get the answer of a check started for them, or of one finished at
// most `reuseFor` ago (probes from a load balancer, a proxy and the container
// come often); a check that has not answered within `budget` counts as failed.
class HealthCheck final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthCheck)

public:
    using Callback = std::function<void(const HealthOutcome &)>;

    HealthCheck(db::Database database, std::chrono::milliseconds budget,
                std::chrono::milliseconds reuseFor = std::chrono::seconds(1), QObject *parent = nullptr);
    ~HealthCheck() override;

    // Calls `done` on this object's thread, at the latest after the budget.
    void check(Callback done);
    // Checks also report the read replica's health and lag.
    void setReadReplica(const std::shared_ptr<db::ReadReplica> &replica);
    // The replica's state as last found (none without a replica), at once;
    // asks for a new look in the background.
    std::optional<db::ReplicaState> replicaState();

signals:
    void runRequested(); // to the worker
    void replicaProbeRequested(); // to the replica probe

private:
    void onChecked(const HealthOutcome &outcome);
    void onBudgetSpent();
    void answer(const HealthOutcome &outcome);
    void probeReplica();

    std::chrono::milliseconds m_budget;
    std::chrono::milliseconds m_reuseFor;
    QThread *m_thread; // deleted with this, unless a hung check keeps it busy
    HealthWorker *m_worker = nullptr; // lives on m_thread
    std::shared_ptr<db::ReadReplica> m_replica;
    QThread *m_replicaThread = nullptr; // as m_thread, for the replica probe
    bool m_probing = false;
    QTimer m_budgetTimer;
    bool m_running = false;
    QList<Callback> m_waiting;
    HealthOutcome m_last;
    QDeadlineTimer m_lastValid; // expired: nothing to reuse
    bool m_wasUp = true; // for logging changes only
};

} // namespace openaps::http
