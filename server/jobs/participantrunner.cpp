#include "jobs/participantrunner.h"

#include "jobs/jobslog.h"

#include <QPointer>

#include <algorithm>

namespace openaps::jobs {

ParticipantRunner::ParticipantRunner(LeaseStore leases, int concurrency, Task task, QObject *parent)
    : QObject(parent),
      m_leases(std::move(leases)),
      m_concurrency(std::max(1, concurrency)),
      m_task(std::move(task))
{
    const auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(m_leases.ttl());
    m_renew.setInterval(std::max<std::chrono::milliseconds>(ttl / 3, std::chrono::milliseconds(1000)));
    connect(&m_renew, &QTimer::timeout, this, &ParticipantRunner::onRenew);
}

void ParticipantRunner::run(const QDateTime &dueBefore)
{
    if (m_running)
        return;
    m_running = true;
    m_exhausted = false;
    m_stats = {};
    m_dueBefore = dueBefore;
    if (auto s = m_leases.enroll(); !s) {
        m_stats.error = s.error().message;
        qCWarning(lcJobs, "%s: %s", qPrintable(m_leases.job()), qPrintable(s.error().message));
        m_exhausted = true;
    }
    m_renew.start();
    fill();
    finishIfIdle();
}

void ParticipantRunner::fill()
{
    if (m_filling)
        return;
    m_filling = true;
    while (!m_exhausted && m_active.size() < m_concurrency) {
        const auto claimed = m_leases.claimNext(m_dueBefore);
        if (!claimed) {
            // The database is unreachable: stop claiming, let running tasks end.
            m_stats.error = claimed.error().message;
            qCWarning(lcJobs, "%s: %s", qPrintable(m_leases.job()), qPrintable(claimed.error().message));
            m_exhausted = true;
            break;
        }
        if (!claimed->has_value()) {
            m_exhausted = true;
            break;
        }
        const qint64 id = **claimed;
        m_active.insert(id);
        ++m_stats.started;
        QPointer<ParticipantRunner> self(this);
        m_task(id, [self, id](bool ok) {
            if (!self)
                return;
            // Queued: a task that finishes synchronously must not re-enter fill().
            QMetaObject::invokeMethod(
                    self,
                    [self, id, ok] {
                        if (self)
                            self->onTaskDone(id, ok);
                    },
                    Qt::QueuedConnection);
        });
    }
    m_filling = false;
}

void ParticipantRunner::onTaskDone(qint64 participantId, bool ok)
{
    if (!m_active.remove(participantId))
        return; // done called twice
    ++(ok ? m_stats.succeeded : m_stats.failed);
    if (auto s = m_leases.release(participantId, ok); !s)
        qCWarning(lcJobs, "%s: %s", qPrintable(m_leases.job()), qPrintable(s.error().message));
    fill();
    finishIfIdle();
}

void ParticipantRunner::onRenew()
{
    if (m_active.isEmpty())
        return;
    if (auto s = m_leases.renew(m_active.values()); !s)
        qCWarning(lcJobs, "%s: %s", qPrintable(m_leases.job()), qPrintable(s.error().message));
}

void ParticipantRunner::finishIfIdle()
{
    if (!m_running || !m_exhausted || !m_active.isEmpty())
        return;
    m_running = false;
    m_renew.stop();
    qCInfo(lcJobs, "%s: pass over %d participants: %d ok, %d failed", qPrintable(m_leases.job()), m_stats.started,
           m_stats.succeeded, m_stats.failed);
    emit finished();
}

} // namespace openaps::jobs
