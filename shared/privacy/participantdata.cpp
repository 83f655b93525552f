#include "privacy/participantdata.h"

#include "db/sqlhelpers.h"
#include "records/consent.h"
#include "records/researchgeneration.h"
#include "records/researchtables.h"

namespace openaps::privacy {

namespace {

QStringList stampedTables()
{
    return records::researchTables()
            + QStringList { QStringLiteral("analytics_glucose_time_of_day"),
                            QStringLiteral("analytics_loop_type_by_day"), QStringLiteral("analytics_device_groups"),
                            QStringLiteral("participant_summary"), QStringLiteral("data_quality"),
                            // The per-day sums: a refresh stamps every derived row
                            // with the newest of their stamps.
                            QStringLiteral("derived_days"), QStringLiteral("derived_month_sums") };
}

} // namespace

std::optional<int> sourceEntityFor(records::Consent consent)
{
    switch (consent) {
    case records::Consent::OpenAps:
        return 0;
    case records::Consent::Nsf:
        return 1;
    case records::Consent::Both:
        return 2;
    case records::Consent::None:
        break;
    }
    return std::nullopt;
}

Result<qint64> restampSourceEntity(const db::Database &database, qint64 userId, int sourceEntity,
                                   const WriteGuard &guard)
{
    qint64 changed = 0;
    const QString differs = database.isPostgres() ? QStringLiteral("IS DISTINCT FROM") : QStringLiteral("IS NOT");
    const Status s = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        if (auto s = guard.check(db); !s)
            return s;
        for (const QString &table : stampedTables()) {
            auto q = sql::exec(
                    db,
                    QStringLiteral("UPDATE %1 SET source_entity = ? WHERE user_id = ? AND source_entity %2 ?")
                            .arg(table, differs),
                    { sourceEntity, userId, sourceEntity }, "applying a consent change");
            if (!q)
                return q.error();
            changed += q->numRowsAffected();
        }
        return changed > 0 ? records::bumpResearchGeneration(db) : Status();
    });
    if (!s)
        return s.error();
    return changed;
}

Result<qint64> removeParticipantData(const db::Database &database, qint64 userId, std::optional<qint64> participantId)
{
    qint64 removed = 0;
    const Status s = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        // The survey answers go too: nothing is kept of someone who withdrew.
        const QStringList tables = stampedTables()
                + QStringList { QStringLiteral("member_demographics"), QStringLiteral("analytics_demographics"),
                                QStringLiteral("derived_pending"), QStringLiteral("derived_file_days"),
                                QStringLiteral("derived_months") };
        for (const QString &table : tables) {
            auto q = sql::exec(db, QStringLiteral("DELETE FROM %1 WHERE user_id = ?").arg(table), { userId },
                               "removing a participant's data");
            if (!q)
                return q.error();
            removed += q->numRowsAffected();
        }
        if (participantId) {
            auto q = sql::exec(db, QStringLiteral("DELETE FROM etl_files WHERE participant_id = ?"), { *participantId },
                               "forgetting loaded files");
            if (!q)
                return q.error();
        }
        return records::bumpResearchGeneration(db);
    });
    if (!s)
        return s.error();
    return removed;
}

} // namespace openaps::privacy
