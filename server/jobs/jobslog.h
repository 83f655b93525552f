#pragma once

#include <QLoggingCategory>

namespace openaps::jobs {

// openaps.server.jobs: scheduling, leases, runners.
Q_DECLARE_LOGGING_CATEGORY(lcJobs)

} // namespace openaps::jobs
