#include "etl/analytics.h"

#include "db/sqlhelpers.h"
#include "etl/derivedtables.h"
#include "records/localtimesql.h"
#include "records/researchgeneration.h"

#include <QSqlQuery>

namespace openaps::etl {

namespace {

const char *const analyticsTables[] = { "analytics_glucose_time_of_day", "analytics_loop_type_by_day",
                                        "analytics_device_groups" };

QString deviceGroup()
{
    // The old dashboards' grouping, extended with the loop systems.
    return QStringLiteral("CASE"
                          " WHEN lower(device) LIKE '%xdrip%' THEN 'xDrip'"
                          " WHEN lower(device) LIKE '%libre%' THEN 'Libre'"
                          " WHEN lower(device) LIKE '%miaomiao%' THEN 'MiaoMiao'"
                          " WHEN lower(device) LIKE '%share2%' OR lower(device) LIKE '%dexcom%' THEN 'Dexcom'"
                          " WHEN lower(device) LIKE '%medtronic%' OR lower(device) LIKE '%minimed%' THEN 'Medtronic'"
                          " WHEN lower(device) LIKE 'openaps://%' OR device = 'openaps' THEN 'OpenAPS'"
                          " WHEN lower(device) LIKE '%androidaps%' THEN 'AndroidAPS'"
                          " WHEN lower(device) LIKE 'loop://%' OR device = 'loop' THEN 'Loop'"
                          " WHEN device IS NULL OR device = '' THEN 'unknown'"
                          " ELSE device END");
}

// analytics_device_groups from the entries `where` selects.
QString deviceGroupsFrom(const QString &where)
{
    return QStringLiteral("INSERT INTO analytics_device_groups (user_id, device, device_group, entries, first_seen, "
                          "last_seen, source_entity) SELECT user_id, COALESCE(device, 'unknown'), MAX(%1), COUNT(*), "
                          "MIN(\"date\"), MAX(\"date\"), MAX(source_entity) FROM entries %2 "
                          "GROUP BY user_id, COALESCE(device, 'unknown')")
            .arg(deviceGroup(), where);
}

Status deleteRows(const QSqlDatabase &db, qint64 userId)
{
    for (const char *table : analyticsTables) {
        auto q = sql::exec(db, QStringLiteral("DELETE FROM %1 WHERE user_id = ?").arg(QLatin1String(table)), { userId },
                           "clearing analytics");
        if (!q)
            return q.error();
    }
    return {};
}

} // namespace

Status refreshParticipantAnalytics(const db::Database &database, qint64 userId, const privacy::WriteGuard &guard)
{
    const auto d = records::LocalTimeSql::forBackend(database.isPostgres());
    const QString bin = QStringLiteral("(%1 / 15)").arg(d.minuteOfDay.arg(QStringLiteral("\"date\"")));
    const QString glucose =
            QStringLiteral("INSERT INTO analytics_glucose_time_of_day (user_id, bin, bin_start, readings, mean_mgdl, "
                           "mean_mmol, min_mgdl, max_mgdl, source_entity) "
                           "SELECT user_id, bin, %1, COUNT(*), AVG(sgv), AVG(sgv) / 18.01559, MIN(sgv), MAX(sgv), "
                           "MAX(source_entity) FROM (SELECT user_id, sgv, source_entity, %2 AS bin FROM entries "
                           "WHERE user_id = ? AND type = 'sgv' AND sgv >= 39 AND sgv <= 600) s GROUP BY user_id, bin")
                    .arg(d.binLabel.arg(QStringLiteral("bin")), bin);
    const QString day = d.day.arg(QStringLiteral("ds.created_at"))
                                .replace(QLatin1String("utc_offset"), QLatin1String("ds.utc_offset"));
    const QString loopType =
            QStringLiteral(
                    "INSERT INTO analytics_loop_type_by_day (user_id, day, loop_type, device_status_rows, source_entity) "
                    "SELECT ds.user_id, %1, CASE WHEN MAX(CASE WHEN ds.loop_iob IS NOT NULL OR m.enacted_rate IS NOT NULL "
                    "OR m.enacted_duration IS NOT NULL OR m.enacted_timestamp IS NOT NULL THEN 1 ELSE 0 END) = 1 "
                    "THEN 'closed loop' ELSE 'open loop' END, COUNT(*), MAX(ds.source_entity) "
                    "FROM device_status ds LEFT JOIN device_status_metrics m "
                    "ON m.user_id = ds.user_id AND m.device_status_id = ds.id "
                    "WHERE ds.user_id = ? AND ds.created_at IS NOT NULL GROUP BY ds.user_id, %1")
                    .arg(day);
    const QString devices = deviceGroupsFrom(QStringLiteral("WHERE user_id = ?"));

    return sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        // First: an erasure cannot slip between these statements.
        if (auto s = guard.check(db); !s)
            return s;
        if (auto s = deleteRows(db, userId); !s)
            return s;
        for (const QString &statement : { glucose, loopType, devices }) {
            if (auto q = sql::exec(db, statement, { userId }, "refreshing analytics"); !q)
                return q.error();
        }
        if (auto s = writeDerivedDatasets(database, db, userId); !s)
            return s;
        return records::bumpResearchGeneration(db);
    });
}

Status rebuildDeviceGroups(const QSqlDatabase &db)
{
    if (auto s = sql::run(db, QStringLiteral("DELETE FROM analytics_device_groups"), "clearing device groups"); !s)
        return s;
    if (auto s = sql::run(db, deviceGroupsFrom({}), "rebuilding device groups"); !s)
        return s;
    return records::bumpResearchGeneration(db);
}

Status removeParticipantAnalytics(const db::Database &database, qint64 userId)
{
    return sql::inTransaction(database, [userId](const QSqlDatabase &db) {
        if (auto s = deleteRows(db, userId); !s)
            return s;
        return records::bumpResearchGeneration(db);
    });
}

} // namespace openaps::etl
