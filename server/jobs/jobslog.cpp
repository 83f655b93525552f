#include "jobs/jobslog.h"

namespace openaps::jobs {

Q_LOGGING_CATEGORY(lcJobs, "openaps.server.jobs", QtInfoMsg)

} // namespace openaps::jobs
