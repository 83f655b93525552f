#include "etl/derivedtables.h"

#include "db/sqlhelpers.h"
#include "etl/analytics.h"
#include "etl/derivedday.h"
#include "etl/derivedrows.h"
#include "etl/participantsummary.h"

namespace openaps::etl {

namespace {

// A reading's local day is its UTC day shifted by at most 14 hours.
constexpr qint64 widestOffsetMs = 14 * 3600 * 1000;
constexpr qint64 dayMs = 24 * 3600 * 1000;

qint64 floorDay(qint64 ms)
{
    return ms >= 0 ? ms / dayMs : -((-ms + dayMs - 1) / dayMs);
}

// Days around a changed range that a computation reads: the rolling
// periods reach 90 days back from their last day, and a month lasts at
// most 31 days.
constexpr qint64 daysBefore = 120;
constexpr qint64 daysAfter = 31;

// What a computation needs of the stored derived rows besides the changed
// days: the sums of the months it does not touch; the other days of the
// months that it touches or that its periods cut (those near the changed
// days, the first and the last day with readings: a superset); the glucose
// bins of the other days of the months the changed days touch, and those
// of the other months. Nothing when everything is computed.
class StoredReads
{
public:
    StoredReads(sql::Batch &batch, qint64 userId, const ChangedDays &changed) : m_changed(changed)
    {
        if (changed.everything)
            return;
        const QString outside = QStringLiteral("(day < ? OR day > ?)");
        const QString readings = QStringLiteral(
                                         "(SELECT %2(day) FROM derived_days WHERE user_id = ? AND sgv_rows > 0 AND %1)")
                                         .arg(outside);
        m_days = batch.add(
                QStringLiteral("SELECT day, sgv_rows, readings, dropped, duplicates, clamped, first_ms, "
                               "last_ms, very_low, low, in_range, high, very_high, sum_mgdl, sum_squares, "
                               "low_risk, high_risk, slots, closed_loop, basal_units, treatments, "
                               "bolus_units, carbs, devices, uploaders, source_entity FROM derived_days "
                               "WHERE user_id = ? AND %1 AND ((day >= ? AND day <= ?) OR day <= %2 + ? "
                               "OR day >= %3 - ?)")
                        .arg(outside, readings.arg(QLatin1String("MIN")), readings.arg(QLatin1String("MAX"))),
                { userId, changed.firstDay, changed.lastDay, changed.firstDay - daysBefore, changed.lastDay + daysAfter,
                  userId, changed.firstDay, changed.lastDay, daysAfter, userId, changed.firstDay, changed.lastDay,
                  daysBefore },
                "reading derived days");
        const qint64 firstMonth = monthOf(changed.firstDay).first;
        const qint64 lastMonth = monthOf(changed.lastDay).first;
        m_sums = batch.add(QStringLiteral("SELECT month, sums, source_entity FROM derived_month_sums WHERE user_id = ? "
                                          "AND (month < ? OR month > ?)"),
                           { userId, firstMonth, lastMonth }, "reading month sums");
        m_monthDays = batch.add(QStringLiteral("SELECT day, glucose_bins FROM derived_days WHERE user_id = ? "
                                               "AND day >= ? AND day <= ? AND (day < ? OR day > ?)"),
                                { userId, firstMonth, monthOf(lastMonth).second, changed.firstDay, changed.lastDay },
                                "reading glucose bins");
        m_months = batch.add(QStringLiteral("SELECT month, glucose_bins FROM derived_months WHERE user_id = ? "
                                            "AND (month < ? OR month > ?)"),
                             { userId, firstMonth, lastMonth }, "reading glucose bins");
    }

    // The sums of all of the participant's months: those the changed days
    // touch from `days` (the result of days()), the others as stored.
    QMap<qint64, PeriodSums> months(const sql::Batch &batch, const QMap<qint64, DerivedDay> &days) const
    {
        if (m_changed.everything)
            return monthSums(days);
        QMap<qint64, PeriodSums> months;
        for (sql::BatchRows rows = batch.rows(m_sums); rows.next();) {
            PeriodSums &month = months[rows.value(0).toLongLong()];
            month = decodeSums(rows.value(1).toString());
            if (const QVariant source = rows.value(2); !source.isNull())
                month.sourceEntity = source.toInt();
        }
        const qint64 last = monthOf(m_changed.lastDay).second;
        for (auto it = days.lowerBound(monthOf(m_changed.firstDay).first); it != days.cend() && it.key() <= last; ++it)
            months[monthOf(it.key()).first].add(it.value());
        return months;
    }

    // The participant's days that a computation needs (all of them when
    // everything is computed): those `computed` now and the others as
    // stored, without their glucose bins.
    QMap<qint64, DerivedDay> days(const sql::Batch &batch, const QMap<qint64, DerivedDay> &computed) const
    {
        QMap<qint64, DerivedDay> days = computed;
        if (m_days < 0)
            return days;
        sql::BatchRows rows = batch.rows(m_days);
        while (rows.next()) {
            DerivedDay d;
            int c = 0;
            const auto next = [&rows, &c] { return rows.value(c++); };
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

    // The glucose bins of the months the changed days touch (every one of
    // them, days of data or not now), summed in day order as a computation
    // from scratch sums them.
    QMap<qint64, GlucoseBins> touchedMonths(const sql::Batch &batch, const QMap<qint64, DerivedDay> &computed) const
    {
        QMap<qint64, GlucoseBins> days;
        for (const DerivedDay &d : computed)
            days.insert(d.day, d.bins);
        QMap<qint64, GlucoseBins> months;
        if (!m_changed.everything) {
            for (qint64 month = monthOf(m_changed.firstDay).first; month <= m_changed.lastDay;
                 month = monthOf(month).second + 1)
                months[month];
            for (sql::BatchRows rows = batch.rows(m_monthDays); rows.next();)
                addBins(rows.value(1).toString(), days[rows.value(0).toLongLong()]);
        }
        for (auto it = days.cbegin(); it != days.cend(); ++it)
            addTo(months[monthOf(it.key()).first], it.value());
        return months;
    }

    // The glucose bins of the whole history: the `touched` months and the others as stored.
    GlucoseBins allBins(const sql::Batch &batch, QMap<qint64, GlucoseBins> touched) const
    {
        if (m_months >= 0) {
            for (sql::BatchRows rows = batch.rows(m_months); rows.next();)
                addBins(rows.value(1).toString(), touched[rows.value(0).toLongLong()]);
        }
        GlucoseBins total;
        for (const GlucoseBins &month : std::as_const(touched))
            addTo(total, month);
        return total;
    }

private:
    ChangedDays m_changed;
    int m_days = -1;
    int m_sums = -1;
    int m_monthDays = -1;
    int m_months = -1;
};

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
        sql::Batch batch(db);
        insertRows(batch, QStringLiteral("derived_file_days"),
                   { QStringLiteral("user_id"), QStringLiteral("file"), QStringLiteral("day"),
                     QStringLiteral("readings"), QStringLiteral("bad_lines") },
                   rows, "recording a file's counts");
        return batch.run();
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

PendingReads::PendingReads(sql::Batch &batch, qint64 userId)
    : m_pending(batch.add(QStringLiteral("SELECT from_ms, to_ms, everything FROM derived_pending WHERE user_id = ?"),
                          { userId }, "reading what changed")),
      m_summary(batch.add(QStringLiteral("SELECT COUNT(*) FROM participant_summary "
                                         "WHERE user_id = ? AND period = 'all'"),
                          { userId }, "reading the summary"))
{ }

ChangedDays PendingReads::read(const sql::Batch &batch) const
{
    sql::BatchRows summaries = batch.rows(m_summary);
    const bool computed = summaries.next() && summaries.value(0).toLongLong() > 0;
    if (!computed)
        return ChangedDays { true, 0, 0 };
    sql::BatchRows range = batch.rows(m_pending);
    if (!range.next())
        return ChangedDays { false, 1, 0 }; // nothing
    if (range.value(2).toInt() != 0)
        return ChangedDays { true, 0, 0 };
    return ChangedDays { false, floorDay(range.value(0).toLongLong() - widestOffsetMs),
                         floorDay(range.value(1).toLongLong() + widestOffsetMs) };
}

Result<ChangedDays> pendingDays(const QSqlDatabase &db, qint64 userId)
{
    sql::Batch batch(db);
    const PendingReads reads(batch, userId);
    if (auto s = batch.run(); !s)
        return s.error();
    return reads.read(batch);
}

Status writeDerivedDatasets(const db::Database &database, sql::Batch &batch, qint64 userId, const ChangedDays &changed)
{
    if (changed.isEmpty())
        return {};
    // Derived rows can always be computed again, and what is pending is
    // cleared in the same transaction: a commit lost in a crash leaves it
    // pending for the next refresh. So the commit need not wait for the
    // disk (a flush per participant was most of an incremental run).
    if (database.isPostgres())
        batch.add(QStringLiteral("SET LOCAL synchronous_commit TO OFF"), {}, "starting a refresh");
    // Three round trips: everything read; the days and device groups
    // written, and the groups read back; everything else written.
    const InputReads inputReads(database, batch, userId, changed);
    const StoredReads stored(batch, userId, changed);
    const int undated = addUndatedEntriesRead(batch, userId);
    if (auto s = batch.run(); !s)
        return s;
    const DerivedInput input = inputReads.read(batch);
    const QMap<qint64, DerivedDay> computed = deriveDays(input);
    const QMap<qint64, DerivedDay> days = stored.days(batch, computed);
    const QMap<qint64, PeriodSums> sums = stored.months(batch, days);
    const QMap<qint64, GlucoseBins> months = stored.touchedMonths(batch, computed);
    const GlucoseBins bins = stored.allBins(batch, months);
    const QHash<QString, qint64> withoutTime = undatedEntries(batch.rows(undated));
    int sourceEntity = 0;
    for (const PeriodSums &month : sums)
        sourceEntity = std::max(sourceEntity, month.sourceEntity.value_or(0));

    writeDays(batch, userId, changed, computed);
    writeDeviceGroups(database, batch, userId, sums, withoutTime, sourceEntity);
    const int groups = batch.add(
            QStringLiteral("SELECT device, device_group FROM analytics_device_groups WHERE user_id = ?"), { userId },
            "reading device groups");
    if (auto s = batch.run(); !s)
        return s;
    QHash<QString, QString> groupOf;
    for (sql::BatchRows rows = batch.rows(groups); rows.next();)
        groupOf.insert(rows.value(0).toString(), rows.value(1).toString());

    writeQuality(database, batch, userId, input, computed, changed, groupOf, sourceEntity);
    writeSummaries(database, batch, userId, days, sums, changed, groupOf, sourceEntity);
    writeMonths(batch, userId, changed, months, sums);
    writeGlucoseTimeOfDay(batch, userId, bins, sourceEntity);
    batch.add(QStringLiteral("DELETE FROM derived_pending WHERE user_id = ?"), { userId }, "clearing what changed");
    return {};
}

Status writeDerivedDatasets(const db::Database &database, const QSqlDatabase &db, qint64 userId)
{
    auto changed = pendingDays(db, userId);
    if (!changed)
        return changed.error();
    sql::Batch batch(db);
    if (auto s = writeDerivedDatasets(database, batch, userId, *changed); !s)
        return s;
    return batch.run();
}

} // namespace openaps::etl
