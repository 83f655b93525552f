#pragma once

#include <QMetaObject>
#include <QObject>

#include <algorithm>

namespace openaps::test {

// How a piece of work spreads over turns of the event loop, without a clock:
// step() is called for each step of the work (connect it to the signal the
// work emits before it queues its next step). Each step posts a marker to
// the event loop; a step that comes before the previous step's marker ran
// came in the same turn. A window that keeps answering does a bounded amount
// of work per turn, whatever the machine's speed or load; how long a turn
// takes is measured by the desktop benchmark (tests/bench/desktop.sh).
class TurnCounter final : public QObject
{
public:
    void step()
    {
        if (m_markerRun == m_steps) { // the event loop turned since the last step
            ++m_turns;
            m_inThisTurn = 0;
        }
        const int step = ++m_steps;
        m_maxPerTurn = std::max(m_maxPerTurn, ++m_inThisTurn);
        QMetaObject::invokeMethod(
                this, [this, step] { m_markerRun = step; }, Qt::QueuedConnection);
    }
    int steps() const { return m_steps; }
    int turns() const { return m_turns; }
    int maxStepsPerTurn() const { return m_maxPerTurn; }

private:
    int m_markerRun = 0; // the last step whose marker ran
    int m_steps = 0, m_turns = 0, m_inThisTurn = 0, m_maxPerTurn = 0;
};

} // namespace openaps::test
