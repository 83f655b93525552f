#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <algorithm>
#include <ctime>

namespace openaps::test {

// The GUI thread's longest stretch without returning to the event loop,
// seen by a 5 ms timer: measured in the thread's CPU time (what our code
// spent, whatever the machine's load) and in wall time (for the log).
class StallWatch final : public QObject
{
public:
    StallWatch()
    {
        m_wall.start();
        m_lastCpuMs = threadCpuMs();
        m_timer.setInterval(5);
        m_timer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_timer, &QTimer::timeout, this, &StallWatch::tick);
        m_timer.start();
    }
    void stop()
    {
        tick();
        m_timer.stop();
    }
    double maxCpuMs() const { return m_maxCpuMs; }
    double maxWallMs() const { return m_maxWallMs; }

private:
    static double threadCpuMs()
    {
        timespec t {};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return double(t.tv_sec) * 1000.0 + double(t.tv_nsec) / 1e6;
    }
    void tick()
    {
        const double cpu = threadCpuMs(), wall = double(m_wall.nsecsElapsed()) / 1e6;
        m_maxCpuMs = std::max(m_maxCpuMs, cpu - m_lastCpuMs);
        m_maxWallMs = std::max(m_maxWallMs, wall - m_lastWallMs);
        m_lastCpuMs = cpu;
        m_lastWallMs = wall;
    }

    QTimer m_timer;
    QElapsedTimer m_wall;
    double m_lastCpuMs = 0, m_lastWallMs = 0, m_maxCpuMs = 0, m_maxWallMs = 0;
};

} // namespace openaps::test
