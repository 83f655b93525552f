#pragma once

#include "core/result.h"
#include "db/sqlbatch.h"

#include <QSqlDatabase>

// The generation of the research data (table research_generation, 0110): a
// number every transaction that changes what researchers can see bumps
// before it commits (the ETL's analytics refresh after a participant's load,
// a consent change or withdrawal, an erasure, a survey import, `migrate`'s
// rewrites). Readers that cache something computed from the research tables
// (the researcher API's cohort views) keep it only while the generation is
// the same. One row in the shared database, so it works for several server
// instances; the bump is in the writer's transaction, so a reader that sees
// the new generation also sees the new rows.
namespace openaps::records {

// Inside the writer's transaction, as late as possible (the row stays
// locked until it commits).
Status bumpResearchGeneration(const QSqlDatabase &db);
// The same as the last statement of a batch the writer runs.
void addResearchGenerationBump(sql::Batch &batch);
Result<qint64> researchGeneration(const QSqlDatabase &db);

} // namespace openaps::records
