#include "etl/derivedtables.h"

#include "db/sqlhelpers.h"
#include "etl/analytics.h"
#include "etl/dataquality.h"
#include "etl/derivedday.h"
#include "etl/derivedrows.h"
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

QVariant optionalInt(const std::optional<qint64> &value)
{
    return value ? QVariant(*value) : QVariant(QMetaType::fromType<qint64>());
}

// Deletes `userId`'s rows of `table` whose `dayColumn` lies from `firstDay`
// to the last changed day (all rows when everything changed); `day` binds a day.
Status clearDays(const QSqlDatabase &db, const QString &table, const QString &dayColumn, const QString &andWhere,
                 qint64 userId, const ChangedDays &changed, qint64 firstDay, QVariant (*day)(qint64))
{
    QString statement = QStringLiteral("DELETE FROM %1 WHERE user_id = ?%2").arg(table, andWhere);
    QVariantList binds { userId };
    if (!changed.everything) {
        statement += QStringLiteral(" AND %1 >= ? AND %1 <= ?").arg(dayColumn);
        binds << day(firstDay) << day(changed.lastDay);
    }
    auto q = sql::exec(db, statement, binds, "clearing derived rows");
    return q ? Status() : q.error();
}

QVariant dayNumber(qint64 day)
{
    return day;
}

// The derived_days rows of the changed days, replaced by `computed`.
Status writeDays(const QSqlDatabase &db, qint64 userId, const ChangedDays &changed,
                 const QMap<qint64, DerivedDay> &computed)
{
    if (auto s = clearDays(db, QStringLiteral("derived_days"), QStringLiteral("day"), {}, userId, changed,
                           changed.firstDay, dayNumber);
        !s)
        return s;
    QList<QVariantList> rows;
    for (const DerivedDay &d : computed) {
        const metrics::Partial &p = d.cgm;
        const DayActivity &a = d.activity;
        const bool any = !p.isEmpty();
        rows.append({ userId,
                      d.day,
                      d.sgvRows,
                      p.readings,
                      p.dropped,
                      p.duplicates,
                      p.clamped,
                      optionalInt(any ? std::optional(p.firstUtcMs) : std::nullopt),
                      optionalInt(any ? std::optional(p.lastUtcMs) : std::nullopt),
                      p.bands[0],
                      p.bands[1],
                      p.bands[2],
                      p.bands[3],
                      p.bands[4],
                      p.sum,
                      p.sumSquares,
                      p.lowRisk,
                      p.highRisk,
                      p.filledSlots,
                      a.closedLoop ? QVariant(*a.closedLoop ? 1 : 0) : QVariant(QMetaType::fromType<int>()),
                      optionalReal(a.basalUnits),
                      a.hasTreatments ? 1 : 0,
                      a.bolusUnits,
                      a.carbs,
                      encodeDevices(d.devices),
                      encodeCounts(a.uploaders),
                      encodeBins(d.bins),
                      d.sourceEntity ? QVariant(*d.sourceEntity) : QVariant(QMetaType::fromType<int>()) });
    }
    static const QStringList columns {
        QStringLiteral("user_id"),       QStringLiteral("day"),         QStringLiteral("sgv_rows"),
        QStringLiteral("readings"),      QStringLiteral("dropped"),     QStringLiteral("duplicates"),
        QStringLiteral("clamped"),       QStringLiteral("first_ms"),    QStringLiteral("last_ms"),
        QStringLiteral("very_low"),      QStringLiteral("low"),         QStringLiteral("in_range"),
        QStringLiteral("high"),          QStringLiteral("very_high"),   QStringLiteral("sum_mgdl"),
        QStringLiteral("sum_squares"),   QStringLiteral("low_risk"),    QStringLiteral("high_risk"),
        QStringLiteral("slots"),         QStringLiteral("closed_loop"), QStringLiteral("basal_units"),
        QStringLiteral("treatments"),    QStringLiteral("bolus_units"), QStringLiteral("carbs"),
        QStringLiteral("devices"),       QStringLiteral("uploaders"),   QStringLiteral("glucose_bins"),
        QStringLiteral("source_entity"),
    };
    return insertRows(db, QStringLiteral("derived_days"), columns, rows, "writing derived days");
}

// All of `userId`'s derived days, without their glucose bins.
Result<QMap<qint64, DerivedDay>> readDays(const QSqlDatabase &db, qint64 userId)
{
    auto q = sql::exec(db,
                       QStringLiteral("SELECT day, sgv_rows, readings, dropped, duplicates, clamped, first_ms, "
                                      "last_ms, very_low, low, in_range, high, very_high, sum_mgdl, sum_squares, "
                                      "low_risk, high_risk, slots, closed_loop, basal_units, treatments, "
                                      "bolus_units, carbs, devices, uploaders, source_entity FROM derived_days "
                                      "WHERE user_id = ? ORDER BY day"),
                       { userId }, "reading derived days");
    if (!q)
        return q.error();
    QMap<qint64, DerivedDay> days;
    while (q->next()) {
        DerivedDay d;
        int c = 0;
        const auto next = [&q, &c] { return q->value(c++); };
        d.day = next().toLongLong();
        d.sgvRows = next().toLongLong();
        metrics::Partial &p = d.cgm;
        p.readings = next().toLongLong();
        p.dropped = next().toLongLong();
        p.duplicates = next().toLongLong();
        p.clamped = next().toLongLong();
        p.firstUtcMs = next().toLongLong();
        p.lastUtcMs = next().toLongLong();
        for (qint64 &band : p.bands)
            band = next().toLongLong();
        p.sum = next().toDouble();
        p.sumSquares = next().toDouble();
        p.lowRisk = next().toDouble();
        p.highRisk = next().toDouble();
        p.filledSlots = next().toLongLong();
        DayActivity &a = d.activity;
        if (const QVariant loop = next(); !loop.isNull())
            a.closedLoop = loop.toInt() != 0;
        if (const QVariant basal = next(); !basal.isNull())
            a.basalUnits = basal.toDouble();
        a.hasTreatments = next().toInt() != 0;
        a.bolusUnits = next().toDouble();
        a.carbs = next().toDouble();
        addDevices(next().toString(), d.devices);
        addCounts(next().toString(), a.uploaders);
        if (const QVariant source = next(); !source.isNull())
            d.sourceEntity = source.toInt();
        days.insert(d.day, d);
    }
    return days;
}

Result<QHash<QString, QString>> readDeviceGroups(const QSqlDatabase &db, qint64 userId)
{
    auto q = sql::exec(db, QStringLiteral("SELECT device, device_group FROM analytics_device_groups WHERE user_id = ?"),
                       { userId }, "reading device groups");
    if (!q)
        return q.error();
    QHash<QString, QString> groupOf;
    while (q->next())
        groupOf.insert(q->value(0).toString(), q->value(1).toString());
    return groupOf;
}

Status writeSummaries(const db::Database &database, const QSqlDatabase &db, qint64 userId,
                      const QMap<qint64, DerivedDay> &days, const ChangedDays &changed,
                      const QHash<QString, QString> &groupOf, int sourceEntity)
{
    if (auto q = sql::exec(db,
                           QStringLiteral("DELETE FROM participant_summary WHERE user_id = ? AND period <> 'month'"),
                           { userId }, "clearing participant summaries");
        !q)
        return q.error();
    if (auto s = clearDays(db, QStringLiteral("participant_summary"), QStringLiteral("period_start"),
                           QStringLiteral(" AND period = 'month'"), userId, changed, monthOf(changed.firstDay).first,
                           dateValue);
        !s)
        return s;
    QList<QVariantList> rows;
    for (const PeriodSummary &p : summarizePeriods(days, changed, groupOf)) {
        const metrics::Summary &m = p.metrics;
        const bool any = !m.isEmpty();
        const auto real = [any](double v) { return any ? QVariant(v) : sql::nullReal(); };
        rows.append({
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
                sourceEntity,
        });
    }
    static const QStringList columns = QStringLiteral(
                                               "user_id period period_start period_end readings days_with_data "
                                               "first_reading last_reading active_cgm_percent very_low_percent "
                                               "low_percent in_range_percent high_percent very_high_percent "
                                               "mean_mgdl sd_mgdl cv_percent gmi_percent lbgi hbgi gri sufficient "
                                               "closed_loop_days_percent basal_units_per_day bolus_units_per_day "
                                               "carbs_grams_per_day main_device_group main_uploader source_entity")
                                               .split(QLatin1Char(' '));
    return insertRows(db, QStringLiteral("participant_summary"), columns, rows, "writing participant summaries");
}

Status writeQuality(const db::Database &database, const QSqlDatabase &db, qint64 userId, const DerivedInput &in,
                    const QMap<qint64, DerivedDay> &computed, const ChangedDays &changed,
                    const QHash<QString, QString> &groupOf, int sourceEntity)
{
    if (auto s = clearDays(db, QStringLiteral("data_quality"), QStringLiteral("day"), {}, userId, changed,
                           changed.firstDay, dateValue);
        !s)
        return s;
    // The days with sensor glucose rows or file counts.
    QMap<qint64, DerivedDay> days;
    for (const DerivedDay &d : computed) {
        if (d.sgvRows > 0)
            days.insert(d.day, d);
    }
    for (auto it = in.tallies.cbegin(); it != in.tallies.cend(); ++it) {
        if (changed.contains(it.key()) && !days.contains(it.key()))
            days[it.key()].day = it.key(); // a day of bad lines only
    }
    const auto time = [&database](const std::optional<qint64> &ms) {
        return ms ? timeValue(database, *ms) : sql::nullText();
    };
    QList<QVariantList> rows;
    for (const DerivedDay &d : std::as_const(days)) {
        const DayQuality q = dayQuality(d, in.entries.value(d.day), in.tallies.value(d.day), groupOf);
        rows.append({ userId, dateValue(q.day), q.expected, q.received, q.gapsOver30, optionalReal(q.longestGapMinutes),
                      q.duplicatesDropped, q.clamped, q.notNumbers, q.badLines, time(q.firstUtcMs), time(q.lastUtcMs),
                      optionalText(q.uploader), sourceEntity });
    }
    static const QStringList columns =
            QStringLiteral("user_id day readings_expected readings_received gaps_over_30_min longest_gap_minutes "
                           "duplicates_dropped values_clamped values_not_numbers bad_lines first_record last_record "
                           "uploader source_entity")
                    .split(QLatin1Char(' '));
    return insertRows(db, QStringLiteral("data_quality"), columns, rows, "writing data quality");
}

// derived_months of the changed months again from their days, then the
// glucose bins of the whole history from the months.
Result<GlucoseBins> glucoseBins(const QSqlDatabase &db, qint64 userId, const QMap<qint64, DerivedDay> &days,
                                const ChangedDays &changed)
{
    if (auto s = clearDays(db, QStringLiteral("derived_months"), QStringLiteral("month"), {}, userId, changed,
                           monthOf(changed.firstDay).first, dayNumber);
        !s)
        return s.error();
    QList<qint64> months;
    for (auto it = days.cbegin(); it != days.cend(); ++it) {
        const qint64 month = monthOf(it.key()).first;
        if (changed.contains(it.key()) && (months.isEmpty() || months.last() != month))
            months.append(month);
    }
    QList<QVariantList> rows;
    for (const qint64 month : std::as_const(months)) {
        auto q = sql::exec(db,
                           QStringLiteral("SELECT glucose_bins FROM derived_days WHERE user_id = ? AND day >= ? "
                                          "AND day <= ? ORDER BY day"),
                           { userId, month, monthOf(month).second }, "reading glucose bins");
        if (!q)
            return q.error();
        GlucoseBins bins;
        while (q->next())
            addBins(q->value(0).toString(), bins);
        const QString text = encodeBins(bins);
        if (!text.isEmpty())
            rows.append({ userId, month, text });
    }
    if (auto s = insertRows(db, QStringLiteral("derived_months"),
                            { QStringLiteral("user_id"), QStringLiteral("month"), QStringLiteral("glucose_bins") },
                            rows, "writing glucose bins");
        !s)
        return s.error();
    auto q = sql::exec(db, QStringLiteral("SELECT glucose_bins FROM derived_months WHERE user_id = ? ORDER BY month"),
                       { userId }, "reading glucose bins");
    if (!q)
        return q.error();
    GlucoseBins bins;
    while (q->next())
        addBins(q->value(0).toString(), bins);
    return bins;
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
        QList<QVariantList> rows;
        for (auto it = report.days.cbegin(); it != report.days.cend(); ++it)
            rows.append({ userId, file, it.key(), it->readings, it->badLines });
        return insertRows(db, QStringLiteral("derived_file_days"),
                          { QStringLiteral("user_id"), QStringLiteral("file"), QStringLiteral("day"),
                            QStringLiteral("readings"), QStringLiteral("bad_lines") },
                          rows, "recording a file's counts");
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

Status markAllDerivedPending(const QSqlDatabase &db)
{
    return sql::run(db,
                    QStringLiteral("INSERT INTO derived_pending (user_id, from_ms, to_ms, everything) "
                                   "SELECT DISTINCT user_id, 0, 0, 1 FROM derived_days WHERE 1 = 1 "
                                   "ON CONFLICT (user_id) DO UPDATE SET everything = 1"),
                    "noting that everything changed");
}

Result<ChangedDays> pendingDays(const QSqlDatabase &db, qint64 userId)
{
    auto pending = sql::exec(db,
                             QStringLiteral("SELECT from_ms, to_ms, everything FROM derived_pending WHERE user_id = ?"),
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
    if (pending->value(2).toInt() != 0)
        return ChangedDays { true, 0, 0 };
    return ChangedDays { false, floorDay(pending->value(0).toLongLong() - widestOffsetMs),
                         floorDay(pending->value(1).toLongLong() + widestOffsetMs) };
}

Status writeDerivedDatasets(const db::Database &database, const QSqlDatabase &db, qint64 userId,
                            const ChangedDays &changed)
{
    if (changed.isEmpty())
        return {};
    auto input = readDerivedInput(database, db, userId, changed);
    if (!input)
        return input.error();
    const QMap<qint64, DerivedDay> computed = deriveDays(*input);
    if (auto s = writeDays(db, userId, changed, computed); !s)
        return s;
    auto days = readDays(db, userId);
    if (!days)
        return days.error();
    int sourceEntity = 0;
    for (const DerivedDay &d : std::as_const(*days))
        sourceEntity = std::max(sourceEntity, d.sourceEntity.value_or(0));
    if (auto s = writeDeviceGroups(database, db, userId, *days, sourceEntity); !s)
        return s;
    auto groupOf = readDeviceGroups(db, userId);
    if (!groupOf)
        return groupOf.error();
    if (auto s = writeQuality(database, db, userId, *input, computed, changed, *groupOf, sourceEntity); !s)
        return s;
    if (auto s = writeSummaries(database, db, userId, *days, changed, *groupOf, sourceEntity); !s)
        return s;
    auto bins = glucoseBins(db, userId, *days, changed);
    if (!bins)
        return bins.error();
    if (auto s = writeGlucoseTimeOfDay(db, userId, *bins, sourceEntity); !s)
        return s;
    auto cleared = sql::exec(db, QStringLiteral("DELETE FROM derived_pending WHERE user_id = ?"), { userId },
                             "clearing what changed");
    return cleared ? Status() : cleared.error();
}

Status writeDerivedDatasets(const db::Database &database, const QSqlDatabase &db, qint64 userId)
{
    auto changed = pendingDays(db, userId);
    if (!changed)
        return changed.error();
    return writeDerivedDatasets(database, db, userId, *changed);
}

} // namespace openaps::etl
