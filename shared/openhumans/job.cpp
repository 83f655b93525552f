#include "openhumans/job.h"

namespace openaps::oh {

Job::Job(QObject *parent) : Step(parent)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        stop(makeError("timeout", QStringLiteral("Open Humans took too long to finish the operation.")));
    });
}

void Job::start()
{
    if (m_started || isFinished())
        return;
    m_started = true;
    run();
}

void Job::abort()
{
    if (!isFinished())
        stop(makeError("aborted", QStringLiteral("The operation was cancelled.")));
}

void Job::stop(const Error &error)
{
    if (isFinished())
        return;
    cancelNetwork();
    fail(error);
}

void Job::setDeadline(std::chrono::milliseconds limit)
{
    if (limit.count() > 0)
        m_deadline.start(limit);
}

void Job::end()
{
    if (!markFinished())
        return;
    m_deadline.stop();
    emit finished();
    if (m_autoDelete)
        deleteLater();
}

} // namespace openaps::oh
