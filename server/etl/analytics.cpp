#include "etl/analytics.h"

#include "db/sqlhelpers.h"
#include "etl/derivedrows.h"
#include "etl/derivedtables.h"
#include "etl/sqldialect.h"
#include "records/localtimesql.h"
#include "records/researchgeneration.h"

#include <QSqlQuery>

namespace openaps::etl {

namespace {

constexpr qint64 dayMs = 24 * 3600 * 1000;
// Local time is UTC shifted by at most 14 hours either way.
constexpr qint64 widestOffsetMs = 14 * 3600 * 1000;
constexpr double mmolFactor = 18.01559;

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

// analytics_loop_type_by_day of the changed days again.
void refreshLoopTypes(const db::Database &database, sql::Batch &batch, qint64 userId, const ChangedDays &changed)
{
    const auto d = records::LocalTimeSql::forBackend(database.isPostgres());
    const QString day = d.day.arg(QStringLiteral("ds.created_at"))
                                .replace(QLatin1String("utc_offset"), QLatin1String("ds.utc_offset"));
    QString clear = QStringLiteral("DELETE FROM analytics_loop_type_by_day WHERE user_id = ?");
    QString window;
    QString having;
    QVariantList clearBinds { userId };
    QVariantList binds { userId };
    if (!changed.everything) {
        clear += QStringLiteral(" AND day >= ? AND day <= ?");
        clearBinds << dateValue(changed.firstDay) << dateValue(changed.lastDay);
        window = QStringLiteral(" AND ds.created_at >= ? AND ds.created_at < ?");
        binds << timeValue(database, changed.firstDay * dayMs - widestOffsetMs)
              << timeValue(database, (changed.lastDay + 1) * dayMs + widestOffsetMs);
        having = QStringLiteral(" HAVING %1 >= ? AND %1 <= ?").arg(day);
        binds << dateValue(changed.firstDay) << dateValue(changed.lastDay);
    }
    batch.add(clear, clearBinds, "clearing loop types");
    const QString insert =
            QStringLiteral(
                    "INSERT INTO analytics_loop_type_by_day (user_id, day, loop_type, device_status_rows, source_entity) "
                    "SELECT ds.user_id, %1, CASE WHEN MAX(CASE WHEN ds.loop_iob IS NOT NULL OR m.enacted_rate IS NOT NULL "
                    "OR m.enacted_duration IS NOT NULL OR m.enacted_timestamp IS NOT NULL THEN 1 ELSE 0 END) = 1 "
                    "THEN 'closed loop' ELSE 'open loop' END, COUNT(*), MAX(ds.source_entity) "
                    "FROM device_status ds LEFT JOIN device_status_metrics m "
                    "ON m.user_id = ds.user_id AND m.device_status_id = ds.id "
                    "WHERE ds.user_id = ? AND ds.created_at IS NOT NULL%2 GROUP BY ds.user_id, %1%3")
                    .arg(day, window, having);
    batch.add(insert, binds, "refreshing loop types");
}

} // namespace

void writeDeviceGroups(const db::Database &database, sql::Batch &batch, qint64 userId,
                       const QMap<qint64, PeriodSums> &months, const QHash<QString, qint64> &withoutTime,
                       int sourceEntity)
{
    QMap<QString, DeviceDay> devices;
    for (const PeriodSums &d : months) {
        for (auto it = d.devices.cbegin(); it != d.devices.cend(); ++it) {
            DeviceDay &sum = devices[it.key()];
            sum.firstMs = sum.entries > 0 ? std::min(sum.firstMs, it->firstMs) : it->firstMs;
            sum.lastMs = sum.entries > 0 ? std::max(sum.lastMs, it->lastMs) : it->lastMs;
            sum.entries += it->entries;
        }
    }
    batch.add(QStringLiteral("DELETE FROM analytics_device_groups WHERE user_id = ?"), { userId },
              "clearing device groups");
    for (auto it = withoutTime.cbegin(); it != withoutTime.cend(); ++it) {
        if (!devices.contains(it.key()))
            devices.insert(it.key(), {});
    }
    const QString insert = QStringLiteral("INSERT INTO analytics_device_groups (user_id, device, device_group, "
                                          "entries, first_seen, last_seen, source_entity) "
                                          "SELECT ?, device, %1, ?, ?, ?, ? FROM (SELECT CAST(? AS TEXT) AS device) d")
                                   .arg(deviceGroup());
    for (auto it = devices.cbegin(); it != devices.cend(); ++it) {
        const bool dated = it->entries > 0;
        const QVariant none = sql::nullText();
        batch.add(insert,
                  { userId, it->entries + withoutTime.value(it.key()), dated ? timeValue(database, it->firstMs) : none,
                    dated ? timeValue(database, it->lastMs) : none, sourceEntity, it.key() },
                  "writing device groups");
    }
}

int addUndatedEntriesRead(sql::Batch &batch, qint64 userId)
{
    return batch.add(QStringLiteral("SELECT COALESCE(device, 'unknown'), COUNT(*) FROM entries "
                                    "WHERE user_id = ? AND \"date\" IS NULL GROUP BY COALESCE(device, 'unknown')"),
                     { userId }, "counting entries without a time");
}

QHash<QString, qint64> undatedEntries(sql::BatchRows rows)
{
    QHash<QString, qint64> withoutTime;
    while (rows.next())
        withoutTime.insert(rows.value(0).toString(), rows.value(1).toLongLong());
    return withoutTime;
}

void writeGlucoseTimeOfDay(sql::Batch &batch, qint64 userId, const GlucoseBins &bins, int sourceEntity)
{
    batch.add(QStringLiteral("DELETE FROM analytics_glucose_time_of_day WHERE user_id = ?"), { userId },
              "clearing glucose by time of day");
    QList<QVariantList> rows;
    for (int i = 0; i < metrics::agpBinCount; ++i) {
        const BinSum &b = bins[size_t(i)];
        if (b.count == 0)
            continue;
        const int minute = i * metrics::agpBinMinutes;
        const double mean = b.sum / double(b.count);
        rows.append({ userId, i,
                      QStringLiteral("%1:%2")
                              .arg(minute / 60, 2, 10, QLatin1Char('0'))
                              .arg(minute % 60, 2, 10, QLatin1Char('0')),
                      b.count, mean, mean / mmolFactor, b.min, b.max, sourceEntity });
    }
    insertRows(batch, QStringLiteral("analytics_glucose_time_of_day"),
               QStringLiteral("user_id bin bin_start readings mean_mgdl mean_mmol min_mgdl max_mgdl "
                              "source_entity")
                       .split(QLatin1Char(' ')),
               rows, "writing glucose by time of day");
}

Status refreshParticipantAnalytics(const db::Database &database, qint64 userId, const privacy::WriteGuard &guard,
                                   Recompute what)
{
    return sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        // First: an erasure cannot slip between these statements. The
        // guard's lock and check, and the reads of what is pending, in one
        // round trip.
        sql::Batch batch(db);
        const int guarded = guard.addCheck(db, batch);
        const std::optional<PendingReads> pending = what == Recompute::Everything
                ? std::nullopt
                : std::optional<PendingReads>(PendingReads(batch, userId));
        if (auto s = batch.run(); !s)
            return s;
        if (auto s = privacy::WriteGuard::checked(batch, guarded); !s)
            return s;
        const ChangedDays changed = pending ? pending->read(batch) : ChangedDays {};
        if (changed.isEmpty())
            return {};
        refreshLoopTypes(database, batch, userId, changed);
        if (auto s = writeDerivedDatasets(database, batch, userId, changed); !s)
            return s;
        records::addResearchGenerationBump(batch);
        return batch.run();
    });
}

Status rebuildDeviceGroups(const QSqlDatabase &db)
{
    if (auto s = sql::run(db, QStringLiteral("DELETE FROM analytics_device_groups"), "clearing device groups"); !s)
        return s;
    if (auto s = sql::run(db, deviceGroupsFrom({}), "rebuilding device groups"); !s)
        return s;
    // The device names the derived days hold changed too.
    if (auto s = markAllDerivedPending(db); !s)
        return s;
    return records::bumpResearchGeneration(db);
}

Status removeParticipantAnalytics(const db::Database &database, qint64 userId)
{
    return sql::inTransaction(database, [userId](const QSqlDatabase &db) -> Status {
        if (auto s = deleteRows(db, userId); !s)
            return s;
        for (const char *table : { "derived_days", "derived_months", "derived_month_sums", "derived_pending" }) {
            if (auto q = sql::exec(db, QStringLiteral("DELETE FROM %1 WHERE user_id = ?").arg(QLatin1String(table)),
                                   { userId }, "clearing derived days");
                !q)
                return q.error();
        }
        return records::bumpResearchGeneration(db);
    });
}

} // namespace openaps::etl
