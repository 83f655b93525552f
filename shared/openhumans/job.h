#pragma once

#include "core/result.h"
#include "core/step.h"

#include <QTimer>

#include <chrono>

namespace openaps::oh {

// One Open Humans operation: connect to finished(), then call start().
// finished() is emitted exactly once (possibly from inside start() when the
// input is unusable); afterwards the job deletes itself unless
// setAutoDelete(false). Destroying a running job cancels it without a signal.
class Job : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Job)

public:
    void start();
    void setAutoDelete(bool autoDelete) { m_autoDelete = autoDelete; }

    // Stops the work; finished() follows with the error "aborted".
    void abort();

protected:
    explicit Job(QObject *parent);

    // The work itself, called once by start().
    virtual void run() = 0;
    // Cancels the request in flight, if any (abort, deadline).
    virtual void cancelNetwork() = 0;
    // Finishes with `error`.
    virtual void fail(const Error &error) = 0;

    void stop(const Error &error);

    // Ends the whole operation with `error` if it has not finished after `limit`.
    void setDeadline(std::chrono::milliseconds limit);
    // Finishes the job (once): finished(), then deleteLater() unless
    // setAutoDelete(false).
    void end();

private:
    QTimer m_deadline;
    bool m_started = false;
    bool m_autoDelete = true;
};

// A Job whose outcome is one Result<T>: the value, or an Error whose code a
// caller can act on and whose message a participant can read.
template <typename T> class ValueJob : public Job
{
public:
    const Result<T> &result() const { return m_result; }
    bool ok() const { return isFinished() && m_result.ok(); }

protected:
    using Job::Job;

    void finish(Result<T> result)
    {
        if (isFinished())
            return;
        m_result = std::move(result);
        end();
    }
    void fail(const Error &error) override { finish(error); }

private:
    Result<T> m_result { makeError("pending", QStringLiteral("The operation has not finished.")) };
};

} // namespace openaps::oh
