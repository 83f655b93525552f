#pragma once

#include "db/database.h"
#include "http/prometheus.h"
#include "jobs/participantrunner.h"

namespace openaps::app {

// Metric families read from the shared database, so every instance reports
// the same totals whichever roles it runs: participants by state and
// consent, and the ETL's per-file results.
void addDatabaseMetrics(const db::Database &database, http::PrometheusText &out);

// The last pass of a scheduled job (ETL) in this process.
void addPassMetrics(const char *name, const char *help, const jobs::ParticipantRunner::Stats &stats,
                    http::PrometheusText &out);

} // namespace openaps::app
