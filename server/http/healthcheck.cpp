#include "http/healthcheck.h"

#include "http/healthworker.h"

#include <QLoggingCategory>

#include <utility>

namespace openaps::http {

Q_LOGGING_CATEGORY(lcHealth, "openaps.server.health", QtInfoMsg)

HealthCheck::HealthCheck(db::Database database, std::chrono::milliseconds budget, std::chrono::milliseconds reuseFor,
                         QObject *parent)
    : QObject(parent),
      m_budget(budget),
      m_reuseFor(reuseFor),
      m_thread(new QThread)
{
    auto *worker = new HealthWorker(std::move(database), budget);
    m_worker = worker;
    worker->moveToThread(m_thread);
    connect(this, &HealthCheck::runRequested, worker, &HealthWorker::run);
    connect(worker, &HealthWorker::checked, this, &HealthCheck::onChecked);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    m_thread->setObjectName(QStringLiteral("health check"));
    m_thread->start();

    m_budgetTimer.setSingleShot(true);
    connect(&m_budgetTimer, &QTimer::timeout, this, &HealthCheck::onBudgetSpent);
}

namespace {

// A check stuck in a hung database must not keep the process from ending:
// after the deadline its thread is left behind (deleting a running QThread
// aborts); its answer has nowhere to go any more.
void stopThread(QThread *thread, const QDeadlineTimer &deadline)
{
    if (!thread)
        return;
    thread->quit();
    if (!thread->wait(deadline)) {
        qCWarning(lcHealth, "the %s still waits for its database; leaving it behind", qPrintable(thread->objectName()));
        return;
    }
    delete thread;
}

} // namespace

HealthCheck::~HealthCheck()
{
    const QDeadlineTimer deadline(std::chrono::seconds(10));
    stopThread(m_thread, deadline);
    stopThread(m_replicaThread, deadline);
}

void HealthCheck::setReadReplica(const std::shared_ptr<db::ReadReplica> &replica)
{
    if (!replica || m_replica)
        return;
    m_replica = replica;
    m_replicaThread = new QThread;
    auto *probe = new ReplicaProbe(replica);
    probe->moveToThread(m_replicaThread);
    connect(this, &HealthCheck::replicaProbeRequested, probe, &ReplicaProbe::run);
    connect(probe, &ReplicaProbe::done, this, [this] { m_probing = false; });
    connect(m_replicaThread, &QThread::finished, probe, &QObject::deleteLater);
    m_replicaThread->setObjectName(QStringLiteral("read replica check"));
    m_replicaThread->start();
}

std::optional<db::ReplicaState> HealthCheck::replicaState()
{
    if (!m_replica)
        return std::nullopt;
    probeReplica();
    return m_replica->state();
}

void HealthCheck::probeReplica()
{
    if (m_replica && !m_probing) {
        m_probing = true;
        emit replicaProbeRequested();
    }
}

void HealthCheck::check(Callback done)
{
    if (!m_lastValid.hasExpired()) {
        HealthOutcome outcome = m_last;
        outcome.replica = replicaState();
        done(outcome);
        return;
    }
    m_waiting.append(std::move(done));
    if (!m_running) {
        m_running = true;
        emit runRequested();
    }
    // Also when a check is still stuck after its budget: the newcomers wait
    // at most one budget too.
    if (!m_budgetTimer.isActive())
        m_budgetTimer.start(m_budget);
}

void HealthCheck::onChecked(const HealthOutcome &outcome)
{
    m_running = false;
    m_budgetTimer.stop();
    answer(outcome);
}

void HealthCheck::onBudgetSpent()
{
    HealthOutcome late;
    late.problem = QStringLiteral("the database did not answer within %1 ms").arg(m_budget.count());
    answer(late);
}

void HealthCheck::answer(const HealthOutcome &checked)
{
    HealthOutcome outcome = checked;
    outcome.replica = replicaState();
    m_last = outcome;
    m_lastValid = QDeadlineTimer(m_reuseFor);
    if (outcome.databaseUp != m_wasUp) {
        m_wasUp = outcome.databaseUp;
        if (outcome.databaseUp)
            qCInfo(lcHealth, "ready: the database answers again");
        else
            qCWarning(lcHealth, "not ready: the database does not answer (%s)", qPrintable(outcome.problem));
    }
    const QList<Callback> waiting = std::exchange(m_waiting, {});
    for (const Callback &done : waiting)
        done(outcome);
}

} // namespace openaps::http
