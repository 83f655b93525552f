#include "jobs/scheduler.h"

#include "jobs/jobslog.h"

#include <QPointer>
#include <QRandomGenerator>

#include <algorithm>

namespace openaps::jobs {

Scheduler::Scheduler(QString name, Options options, Cycle cycle, QObject *parent)
    : QObject(parent),
      m_name(std::move(name)),
      m_options(options),
      m_cycle(std::move(cycle))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Scheduler::onTimeout);
}

std::chrono::milliseconds Scheduler::jittered(std::chrono::milliseconds interval, double jitter)
{
    jitter = std::clamp(jitter, 0.0, 1.0);
    const double factor = 1.0 + jitter * (2.0 * QRandomGenerator::global()->generateDouble() - 1.0);
    return std::chrono::milliseconds(qint64(double(interval.count()) * factor));
}

void Scheduler::start()
{
    m_stopping = false;
    if (m_running || m_timer.isActive())
        return;
    m_timer.start(m_options.firstDelay);
}

void Scheduler::stop()
{
    m_stopping = true;
    m_timer.stop();
    if (!m_running)
        emit stopped();
}

void Scheduler::runNow()
{
    if (m_running || m_stopping)
        return;
    m_timer.stop();
    onTimeout();
}

void Scheduler::onTimeout()
{
    if (m_running || m_stopping)
        return;
    m_running = true;
    const quint64 generation = ++m_generation;
    qCInfo(lcJobs, "%s: cycle starting", qPrintable(m_name));
    emit cycleStarted();
    // `done` may be called from anywhere, late, or twice: only the first
    // call of the current cycle counts, and never after this is gone.
    QPointer<Scheduler> self(this);
    m_cycle([self, generation] {
        if (self)
            QMetaObject::invokeMethod(
                    self,
                    [self, generation] {
                        if (self)
                            self->onCycleDone(generation);
                    },
                    Qt::QueuedConnection);
    });
}

void Scheduler::onCycleDone(quint64 generation)
{
    if (!m_running || generation != m_generation)
        return;
    m_running = false;
    ++m_cycles;
    emit cycleFinished();
    if (m_options.once || m_stopping) {
        qCInfo(lcJobs, "%s: stopped", qPrintable(m_name));
        emit stopped();
        return;
    }
    const auto wait = jittered(m_options.interval, m_options.jitter);
    qCInfo(lcJobs, "%s: cycle finished, next in %lld s", qPrintable(m_name),
           qint64(std::chrono::duration_cast<std::chrono::seconds>(wait).count()));
    m_timer.start(wait);
}

} // namespace openaps::jobs
