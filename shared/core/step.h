#pragma once

#include <QObject>

namespace openaps {

// The base of step objects that end once (a Nightscout read, an upload, one
// participant's ingest or ETL, an Open Humans job): several paths may race
// to end a step (a result, an error, a lost connection, a cancel), and only
// the first one counts. finished() is emitted at most once.
class Step : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Step)

public:
    bool isFinished() const { return m_finished; }

Q_SIGNALS:
    void finished();

protected:
    explicit Step(QObject *parent = nullptr) : QObject(parent) { }

    // True the first time only, and the step is finished from then on: the
    // caller does its last work and emits finished(). Later calls: false.
    bool markFinished()
    {
        if (m_finished)
            return false;
        m_finished = true;
        return true;
    }
    // markFinished(), then finished() if it was the first time.
    void finishOnce()
    {
        if (markFinished())
            Q_EMIT finished();
    }

private:
    bool m_finished = false;
};

} // namespace openaps
