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

HealthCheck::~HealthCheck()
{
    m_thread->quit();
    // A check stuck in a hung database must not keep the process from
    // ending: after a while its thread is left behind (deleting a running
    // QThread aborts); its answer has nowhere to go any more.
    if (!m_thread->wait(QDeadlineTimer(std::chrono::seconds(10)))) {
        qCWarning(lcHealth, "the health check still waits for the database; leaving it behind");
        return;
    }
    delete m_thread;
}

void HealthCheck::setReadReplica(const std::shared_ptr<db::ReadReplica> &replica)
{
    // On the worker's thread, before any check asked after this call.
    QMetaObject::invokeMethod(
            m_worker, [worker = m_worker, replica] { worker->setReadReplica(replica); }, Qt::QueuedConnection);
}

void HealthCheck::check(Callback done)
{
    if (!m_lastValid.hasExpired()) {
        done(m_last);
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

void HealthCheck::answer(const HealthOutcome &outcome)
{
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
