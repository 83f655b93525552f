#include "etl/derivedtables.h"

#include "db/sqlhelpers.h"
#include "etl/dataquality.h"
#include "etl/derivedinput.h"
#include "etl/participantsummary.h"
#include "etl/sqldialect.h"

namespace openaps::etl {

namespace {

// A reading's local day is its UTC day shifted by at most 14 hours.
constexpr qint64 widestOffsetMs = 14 * 3600 * 1000;
constexpr qint64 dayMs = 24 * 3600 * 1000;

qint64 floorDay(qint64 ms)
{
    return ms >= 0 ? ms / dayMs : -((-ms + dayMs - 1) / dayMs);
}

QVariant optionalReal(const std::optional<double> &value)
{
    return value ? QVariant(*value) : sql::nullReal();
}

QVariant optionalText(const QString &value)
{
    return value.isEmpty() ? sql::nullText() : QVariant(value);
}

// Deletes `userId`'s rows of `table` whose `dayColumn` lies from `firstDay`
// to the last changed day (all rows when everything changed).
Status clearDays(const QSqlDatabase &db, const QString &table, const QString &dayColumn, const QString &andWhere,
                 qint64 userId, const ChangedDays &changed, qint64 firstDay)
{
    QString statement = QStringLiteral("DELETE FROM %1 WHERE user_id = ?%2").arg(table, andWhere);
    QVariantList binds { userId };
    if (!changed.everything) {
        statement += QStringLiteral(" AND %1 >= ? AND %1 <= ?").arg(dayColumn);
        binds << dateValue(firstDay) << dateValue(changed.lastDay);
    }
    auto q = sql::exec(db, statement, binds, "clearing derived rows");
    return q ? Status() : q.error();
}

// Runs the prepared INSERT `insert` with `values`.
Status insertRow(QSqlQuery &insert, const QVariantList &values, const char *what)
{
    for (const QVariant &v : values)
        insert.addBindValue(v);
    return sql::run(insert, what);
}

Result<ChangedDays> changedDays(const QSqlDatabase &db, qint64 userId)
{
    auto pending = sql::exec(db, QStringLiteral("SELECT from_ms, to_ms FROM derived_pending WHERE user_id = ?"),
                             { userId }, "reading what changed");
    if (!pending)
        return pending.error();
    auto summary = sql::exec(db,
                             QStringLiteral("SELECT COUNT(*) FROM participant_summary "
                                            "WHERE user_id = ? AND period = 'all'"),
                             { userId }, "reading the summary");
    if (!summary)
        return summary.error();
    const bool computed = summary->next() && summary->value(0).toLongLong() > 0;
    if (!computed)
        return ChangedDays { true, 0, 0 };
    if (!pending->next())
        return ChangedDays { false, 1, 0 }; // nothing
    return ChangedDays { false, floorDay(pending->value(0).toLongLong() - widestOffsetMs),
                         floorDay(pending->value(1).toLongLong() + widestOffsetMs) };
}

Status writeSummaries(const db::Database &database, const QSqlDatabase &db, qint64 userId, const DerivedInput &in,
                      const ChangedDays &changed)
{
    if (auto q = sql::exec(db,
                           QStringLiteral("DELETE FROM participant_summary WHERE user_id = ? AND period <> 'month'"),
                           { userId }, "clearing participant summaries");
        !q)
        return q.error();
    if (auto s = clearDays(db, QStringLiteral("participant_summary"), QStringLiteral("period_start"),
                           QStringLiteral(" AND period = 'month'"), userId, changed, monthOf(changed.firstDay).first);
        !s)
        return s;
    const QList<PeriodSummary> rows = summarizePeriods(in, changed);
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral(
            "INSERT INTO participant_summary (user_id, period, period_start, period_end, readings, days_with_data, "
            "first_reading, last_reading, active_cgm_percent, very_low_percent, low_percent, in_range_percent, "
            "high_percent, very_high_percent, mean_mgdl, sd_mgdl, cv_percent, gmi_percent, lbgi, hbgi, gri, "
            "sufficient, closed_loop_days_percent, basal_units_per_day, bolus_units_per_day, carbs_grams_per_day, "
            "main_device_group, main_uploader, source_entity) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const PeriodSummary &p : rows) {
        const metrics::Summary &m = p.metrics;
        const bool any = !m.isEmpty();
        const auto real = [any](double v) { return any ? QVariant(v) : sql::nullReal(); };
        const QVariantList values {
            userId,
            p.period,
            dateValue(p.firstDay),
            dateValue(p.lastDay),
            m.readings,
            p.daysWithData,
            any ? timeValue(database, m.firstUtcMs) : sql::nullText(),
            any ? timeValue(database, m.lastUtcMs) : sql::nullText(),
            real(m.activePercent),
            real(m.bands.veryLow),
            real(m.bands.low),
            real(m.bands.inRange),
            real(m.bands.high),
            real(m.bands.veryHigh),
            real(m.mean),
            real(m.sd),
            real(m.cv),
            real(m.gmi),
            real(m.lbgi),
            real(m.hbgi),
            real(m.gri),
            database.isPostgres() ? QVariant(p.sufficient) : QVariant(p.sufficient ? 1 : 0),
            optionalReal(p.closedLoopDaysPercent),
            optionalReal(p.basalUnitsPerDay),
            optionalReal(p.bolusUnitsPerDay),
            optionalReal(p.carbsPerDay),
            optionalText(p.mainDeviceGroup),
            optionalText(p.mainUploader),
            in.sourceEntity,
        };
        if (auto s = insertRow(insert, values, "writing participant summaries"); !s)
            return s;
    }
    return {};
}

Status writeQuality(const db::Database &database, const QSqlDatabase &db, qint64 userId, const DerivedInput &in,
                    const ChangedDays &changed)
{
    if (auto s = clearDays(db, QStringLiteral("data_quality"), QStringLiteral("day"), {}, userId, changed,
                           changed.firstDay);
        !s)
        return s;
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral(
            "INSERT INTO data_quality (user_id, day, readings_expected, readings_received, gaps_over_30_min, "
            "longest_gap_minutes, duplicates_dropped, values_clamped, values_not_numbers, bad_lines, first_record, "
            "last_record, uploader, source_entity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    const auto time = [&database](const std::optional<qint64> &ms) {
        return ms ? timeValue(database, *ms) : sql::nullText();
    };
    for (const DayQuality &q : dayQuality(in, changed)) {
        const QVariantList values { userId,
                                    dateValue(q.day),
                                    q.expected,
                                    q.received,
                                    q.gapsOver30,
                                    optionalReal(q.longestGapMinutes),
                                    q.duplicatesDropped,
                                    q.clamped,
                                    q.notNumbers,
                                    q.badLines,
                                    time(q.firstUtcMs),
                                    time(q.lastUtcMs),
                                    optionalText(q.uploader),
                                    in.sourceEntity };
        if (auto s = insertRow(insert, values, "writing data quality"); !s)
            return s;
    }
    return {};
}

} // namespace

Status noteLoadedFile(const db::Database &database, qint64 userId, const QString &file, const FileReport &report,
                      const privacy::WriteGuard &guard)
{
    return sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
        if (auto s = guard.check(db); !s)
            return s;
        if (report.span) {
            if (auto s = markDerivedPending(database, userId, report.span->first, report.span->second); !s)
                return s;
        }
        if (auto q = sql::exec(db, QStringLiteral("DELETE FROM derived_file_days WHERE user_id = ? AND file = ?"),
                               { userId, file }, "forgetting a file's counts");
            !q)
            return q.error();
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
                "INSERT INTO derived_file_days (user_id, file, day, readings, bad_lines) VALUES (?, ?, ?, ?, ?)"));
        for (auto it = report.days.cbegin(); it != report.days.cend(); ++it) {
            if (auto s = insertRow(insert, { userId, file, it.key(), it->readings, it->badLines },
                                   "recording a file's counts");
                !s)
                return s;
        }
        return {};
    });
}

Result<bool> derivedMissing(const db::Database &database, qint64 userId)
{
    auto q = sql::exec(database,
                       QStringLiteral("SELECT 1 FROM entries e WHERE e.user_id = ? AND e.type = 'sgv' AND NOT EXISTS "
                                      "(SELECT 1 FROM participant_summary s WHERE s.user_id = e.user_id "
                                      "AND s.period = 'all') LIMIT 1"),
                       { userId }, "looking for the derived datasets");
    if (!q)
        return q.error();
    return q->next();
}

Status markDerivedPending(const db::Database &database, qint64 userId, qint64 fromMs, qint64 toMs)
{
    const QString least = database.isPostgres() ? QStringLiteral("LEAST") : QStringLiteral("MIN");
    const QString greatest = database.isPostgres() ? QStringLiteral("GREATEST") : QStringLiteral("MAX");
    auto q = sql::exec(database,
                       QStringLiteral("INSERT INTO derived_pending (user_id, from_ms, to_ms) VALUES (?, ?, ?) "
                                      "ON CONFLICT (user_id) DO UPDATE SET "
                                      "from_ms = %1(derived_pending.from_ms, excluded.from_ms), "
                                      "to_ms = %2(derived_pending.to_ms, excluded.to_ms)")
                               .arg(least, greatest),
                       { userId, fromMs, toMs }, "noting what changed");
    return q ? Status() : q.error();
}

Status writeDerivedDatasets(const db::Database &database, const QSqlDatabase &db, qint64 userId)
{
    auto changed = changedDays(db, userId);
    if (!changed)
        return changed.error();
    if (!changed->everything && changed->firstDay > changed->lastDay)
        return {};
    auto input = readDerivedInput(database, db, userId);
    if (!input)
        return input.error();
    if (auto s = writeSummaries(database, db, userId, *input, *changed); !s)
        return s;
    if (auto s = writeQuality(database, db, userId, *input, *changed); !s)
        return s;
    auto cleared = sql::exec(db, QStringLiteral("DELETE FROM derived_pending WHERE user_id = ?"), { userId },
                             "clearing what changed");
    return cleared ? Status() : cleared.error();
}

} // namespace openaps::etl
