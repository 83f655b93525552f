#pragma once

#include "openhumans/job.h"

#include <QObject>

namespace openaps::site {

// Starts an Open Humans job and hands its result to `handler` (called in
// `context`'s thread, not at all when `context` is gone first).
template <typename JobT, typename Handler> void runJob(JobT *job, QObject *context, Handler handler)
{
    QObject::connect(job, &oh::Job::finished, context,
                     [job, handler = std::move(handler)]() mutable { handler(job->result()); });
    job->start();
}

} // namespace openaps::site
