#include "records/researchgeneration.h"

#include "db/sqlhelpers.h"

namespace openaps::records {

namespace {

const char *const bump = "UPDATE research_generation SET generation = generation + 1 WHERE id = 1";
const char *const bumping = "bumping the research data generation";

} // namespace

Status bumpResearchGeneration(const QSqlDatabase &db)
{
    // Nothing to bind: run without preparing (one round trip, not three).
    return sql::run(db, QLatin1String(bump), bumping);
}

void addResearchGenerationBump(sql::Batch &batch)
{
    batch.add(QLatin1String(bump), {}, bumping);
}

Result<qint64> researchGeneration(const QSqlDatabase &db)
{
    auto q = sql::exec(db, QStringLiteral("SELECT generation FROM research_generation WHERE id = 1"), {},
                       "reading the research data generation");
    if (!q)
        return q.error();
    return q->next() ? q->value(0).toLongLong() : 0;
}

} // namespace openaps::records
