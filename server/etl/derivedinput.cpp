#include "etl/derivedinput.h"

#include "etl/sqldialect.h"
#include "records/localtimesql.h"

#include <cmath>
#include <limits>

namespace openaps::etl {

namespace {

constexpr qint64 dayMs = 24 * 3600 * 1000;
// Local time is UTC shifted by at most 14 hours either way.
constexpr qint64 widestOffsetMs = 14 * 3600 * 1000;

// " AND column >= ? AND column < ?" for the UTC span of the changed days
// (nothing for everything), with its binds appended to `binds`.
QString utcWindow(const db::Database &database, const ChangedDays &changed, const QString &column, QVariantList &binds)
{
    if (changed.everything)
        return {};
    binds << timeValue(database, changed.firstDay * dayMs - widestOffsetMs)
          << timeValue(database, (changed.lastDay + 1) * dayMs + widestOffsetMs);
    return QStringLiteral(" AND %1 >= ? AND %1 < ?").arg(column);
}

// " AND column >= ? AND column <= ?" for the changed days as `value` binds them.
template <typename Bind>
QString dayWindow(const ChangedDays &changed, const QString &column, QVariantList &binds, Bind value)
{
    if (changed.everything)
        return {};
    binds << value(changed.firstDay) << value(changed.lastDay);
    return QStringLiteral(" AND %1 >= ? AND %1 <= ?").arg(column);
}

QString tempsSql(const db::Database &database, const QString &andWhere, const char *order)
{
    return QStringLiteral("SELECT %1, COALESCE(utc_offset, 0), COALESCE(absolute, rate), duration "
                          "FROM treatments WHERE user_id = ? AND event_type = 'Temp Basal' "
                          "AND created_at IS NOT NULL AND COALESCE(absolute, rate) IS NOT NULL%2 "
                          "ORDER BY %3")
            .arg(epochMsSql(database).arg(QStringLiteral("created_at")), andWhere, QLatin1String(order));
}

void readEntries(sql::BatchRows rows, const ChangedDays &changed, DerivedInput &in)
{
    const QString sgv = QStringLiteral("sgv");
    while (rows.next()) {
        const QVariant value = rows.value(2);
        EntryRow row { { rows.value(0).toLongLong(), rows.value(1).toInt(),
                         value.isNull() ? std::numeric_limits<double>::quiet_NaN() : value.toDouble() },
                       rows.value(3).toString(),
                       rows.value(4).toString() == sgv,
                       rows.value(5).toInt() };
        const qint64 day = metrics::localDay(row.reading);
        if (changed.contains(day))
            in.entries[day].append(std::move(row));
    }
}

void readTemps(sql::BatchRows rows, QList<TempBasal> &temps)
{
    while (rows.next())
        temps.append({ rows.value(0).toLongLong(), rows.value(1).toInt(), rows.value(2).toDouble(),
                       rows.value(3).isNull() ? 30.0 : rows.value(3).toDouble() });
}

void readTreatments(sql::BatchRows rows, const ChangedDays &changed, DerivedInput &in)
{
    while (rows.next()) {
        const qint64 d = dayOf(rows.value(0));
        if (!changed.contains(d))
            continue;
        DayActivity &a = in.days[d];
        a.hasTreatments = true;
        a.bolusUnits = rows.value(1).toDouble();
        a.carbs = rows.value(2).toDouble();
    }
}

} // namespace

InputReads::InputReads(const db::Database &database, sql::Batch &batch, qint64 userId, const ChangedDays &changed)
    : m_changed(changed)
{
    QVariantList binds { userId };
    QString window = utcWindow(database, changed, QStringLiteral("\"date\""), binds);
    m_entries = batch.add(QStringLiteral("SELECT %1, COALESCE(utc_offset, 0), sgv, COALESCE(device, 'unknown'), type, "
                                         "source_entity FROM entries WHERE user_id = ? AND \"date\" IS NOT NULL%2 "
                                         "ORDER BY \"date\"")
                                  .arg(epochMsSql(database).arg(QStringLiteral("\"date\"")), window),
                          binds, "reading entries");

    const QString day = records::LocalTimeSql::forBackend(database.isPostgres()).day.arg(QStringLiteral("created_at"));
    binds = { userId };
    window = utcWindow(database, changed, QStringLiteral("created_at"), binds);
    m_treatments = batch.add(QStringLiteral("SELECT %1, SUM(CASE WHEN insulin > 0 THEN insulin ELSE 0 END), "
                                            "SUM(CASE WHEN carbs > 0 THEN carbs ELSE 0 END) FROM treatments "
                                            "WHERE user_id = ? AND created_at IS NOT NULL%2 GROUP BY %1")
                                     .arg(day, window),
                             binds, "summing treatments");

    // The temp basals that deliver insulin on the changed days: those
    // starting in their UTC span, the last one before it (it may run into
    // the span) and the first one after it (it cuts the last one short).
    m_temps = batch.add(tempsSql(database, window, "created_at, id"), binds, "reading temp basals");
    if (!changed.everything) {
        m_tempBefore = batch.add(
                tempsSql(database, QStringLiteral(" AND created_at < ?"), "created_at DESC, id DESC LIMIT 1"),
                { userId, binds[1] }, "reading temp basals");
        m_tempAfter = batch.add(tempsSql(database, QStringLiteral(" AND created_at >= ?"), "created_at, id LIMIT 1"),
                                { userId, binds[2] }, "reading temp basals");
    }

    binds = { userId };
    const QString days = dayWindow(changed, QStringLiteral("day"), binds, dateValue);
    m_loops = batch.add(
            QStringLiteral("SELECT day, loop_type FROM analytics_loop_type_by_day WHERE user_id = ?%1").arg(days),
            binds, "reading loop types");
    binds = { userId };
    window = utcWindow(database, changed, QStringLiteral("created_at"), binds);
    m_uploaders = batch.add(QStringLiteral("SELECT %1, device, COUNT(*) FROM device_status WHERE user_id = ? "
                                           "AND created_at IS NOT NULL AND device IS NOT NULL%2 GROUP BY %1, device")
                                    .arg(day, window),
                            binds, "reading uploaders");

    binds = { userId };
    const QString fileDays = dayWindow(changed, QStringLiteral("day"), binds, [](qint64 d) { return QVariant(d); });
    m_tallies = batch.add(QStringLiteral("SELECT day, SUM(readings), SUM(bad_lines) FROM derived_file_days "
                                         "WHERE user_id = ?%1 GROUP BY day")
                                  .arg(fileDays),
                          binds, "reading file counts");
}

DerivedInput InputReads::read(const sql::Batch &batch) const
{
    DerivedInput in;
    readEntries(batch.rows(m_entries), m_changed, in);
    readTreatments(batch.rows(m_treatments), m_changed, in);
    QList<TempBasal> temps;
    if (m_tempBefore >= 0)
        readTemps(batch.rows(m_tempBefore), temps);
    readTemps(batch.rows(m_temps), temps);
    if (m_tempAfter >= 0)
        readTemps(batch.rows(m_tempAfter), temps);
    const QMap<qint64, double> basal = basalByDay(temps);
    for (auto it = basal.cbegin(); it != basal.cend(); ++it) {
        if (m_changed.contains(it.key()))
            in.days[it.key()].basalUnits = it.value();
    }
    for (sql::BatchRows loops = batch.rows(m_loops); loops.next();)
        in.days[dayOf(loops.value(0))].closedLoop = loops.value(1).toString() == QLatin1String("closed loop");
    for (sql::BatchRows uploaders = batch.rows(m_uploaders); uploaders.next();) {
        const qint64 d = dayOf(uploaders.value(0));
        if (m_changed.contains(d))
            in.days[d].uploaders.insert(uploaders.value(1).toString(), uploaders.value(2).toLongLong());
    }
    for (sql::BatchRows tallies = batch.rows(m_tallies); tallies.next();)
        in.tallies.insert(tallies.value(0).toLongLong(),
                          { tallies.value(1).toLongLong(), tallies.value(2).toLongLong() });
    return in;
}

QMap<qint64, double> basalByDay(const QList<TempBasal> &temps)
{
    QMap<qint64, double> out;
    for (qsizetype i = 0; i < temps.size(); ++i) {
        const TempBasal &t = temps[i];
        qint64 end = t.utcMs + qint64(std::llround(t.minutes * 60000));
        if (i + 1 < temps.size())
            end = std::min(end, temps[i + 1].utcMs);
        const qint64 shift = qint64(t.offsetMinutes) * 60000;
        // Local time, cut at local midnights.
        qint64 from = t.utcMs + shift;
        const qint64 to = end + shift;
        while (from < to) {
            const qint64 day = from >= 0 ? from / dayMs : -((-from + dayMs - 1) / dayMs);
            const qint64 cut = std::min(to, (day + 1) * dayMs);
            out[day] += t.unitsPerHour * double(cut - from) / 3600000.0;
            from = cut;
        }
    }
    return out;
}

} // namespace openaps::etl
