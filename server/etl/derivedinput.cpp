#include "etl/derivedinput.h"

#include "db/sqlhelpers.h"
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

Status readEntries(const db::Database &database, const QSqlDatabase &db, qint64 userId, const ChangedDays &changed,
                   DerivedInput &in)
{
    QVariantList binds { userId };
    const QString window = utcWindow(database, changed, QStringLiteral("\"date\""), binds);
    auto q = sql::exec(db,
                       QStringLiteral("SELECT %1, COALESCE(utc_offset, 0), sgv, COALESCE(device, 'unknown'), type, "
                                      "source_entity FROM entries WHERE user_id = ? AND \"date\" IS NOT NULL%2 "
                                      "ORDER BY \"date\"")
                               .arg(epochMsSql(database).arg(QStringLiteral("\"date\"")), window),
                       binds, "reading entries");
    if (!q)
        return q.error();
    const QString sgv = QStringLiteral("sgv");
    while (q->next()) {
        const QVariant value = q->value(2);
        EntryRow row { { q->value(0).toLongLong(), q->value(1).toInt(),
                         value.isNull() ? std::numeric_limits<double>::quiet_NaN() : value.toDouble() },
                       q->value(3).toString(),
                       q->value(4).toString() == sgv,
                       q->value(5).toInt() };
        const qint64 day = metrics::localDay(row.reading);
        if (changed.contains(day))
            in.entries[day].append(std::move(row));
    }
    return {};
}

Result<QList<TempBasal>> readTemps(const db::Database &database, const QSqlDatabase &db, qint64 userId,
                                   const QString &andWhere, const QVariantList &binds, const char *order)
{
    auto q = sql::exec(
            db,
            QStringLiteral("SELECT %1, COALESCE(utc_offset, 0), COALESCE(absolute, rate), duration "
                           "FROM treatments WHERE user_id = ? AND event_type = 'Temp Basal' "
                           "AND created_at IS NOT NULL AND COALESCE(absolute, rate) IS NOT NULL%2 "
                           "ORDER BY %3")
                    .arg(epochMsSql(database).arg(QStringLiteral("created_at")), andWhere, QLatin1String(order)),
            QVariantList { userId } + binds, "reading temp basals");
    if (!q)
        return q.error();
    QList<TempBasal> list;
    while (q->next())
        list.append({ q->value(0).toLongLong(), q->value(1).toInt(), q->value(2).toDouble(),
                      q->value(3).isNull() ? 30.0 : q->value(3).toDouble() });
    return list;
}

// The temp basals that deliver insulin on the changed days: those starting
// in their UTC span, the last one before it (it may run into the span) and
// the first one after it (it cuts the last one short).
Status readBasal(const db::Database &database, const QSqlDatabase &db, qint64 userId, const ChangedDays &changed,
                 DerivedInput &in)
{
    QVariantList binds;
    const QString window = utcWindow(database, changed, QStringLiteral("created_at"), binds);
    auto temps = readTemps(database, db, userId, window, binds, "created_at, id");
    if (!temps)
        return temps.error();
    if (!changed.everything) {
        auto before = readTemps(database, db, userId, QStringLiteral(" AND created_at < ?"), { binds[0] },
                                "created_at DESC, id DESC LIMIT 1");
        if (!before)
            return before.error();
        auto after = readTemps(database, db, userId, QStringLiteral(" AND created_at >= ?"), { binds[1] },
                               "created_at, id LIMIT 1");
        if (!after)
            return after.error();
        *temps = *before + *temps + *after;
    }
    const QMap<qint64, double> basal = basalByDay(*temps);
    for (auto it = basal.cbegin(); it != basal.cend(); ++it) {
        if (changed.contains(it.key()))
            in.days[it.key()].basalUnits = it.value();
    }
    return {};
}

Status readTreatments(const db::Database &database, const QSqlDatabase &db, qint64 userId, const ChangedDays &changed,
                      DerivedInput &in)
{
    const QString day = records::LocalTimeSql::forBackend(database.isPostgres()).day.arg(QStringLiteral("created_at"));
    QVariantList binds { userId };
    const QString window = utcWindow(database, changed, QStringLiteral("created_at"), binds);
    auto sums = sql::exec(db,
                          QStringLiteral("SELECT %1, SUM(CASE WHEN insulin > 0 THEN insulin ELSE 0 END), "
                                         "SUM(CASE WHEN carbs > 0 THEN carbs ELSE 0 END) FROM treatments "
                                         "WHERE user_id = ? AND created_at IS NOT NULL%2 GROUP BY %1")
                                  .arg(day, window),
                          binds, "summing treatments");
    if (!sums)
        return sums.error();
    while (sums->next()) {
        const qint64 d = dayOf(sums->value(0));
        if (!changed.contains(d))
            continue;
        DayActivity &a = in.days[d];
        a.hasTreatments = true;
        a.bolusUnits = sums->value(1).toDouble();
        a.carbs = sums->value(2).toDouble();
    }
    return readBasal(database, db, userId, changed, in);
}

Status readDeviceStatus(const db::Database &database, const QSqlDatabase &db, qint64 userId, const ChangedDays &changed,
                        DerivedInput &in)
{
    QVariantList binds { userId };
    const QString days = dayWindow(changed, QStringLiteral("day"), binds, dateValue);
    auto loops = sql::exec(
            db, QStringLiteral("SELECT day, loop_type FROM analytics_loop_type_by_day WHERE user_id = ?%1").arg(days),
            binds, "reading loop types");
    if (!loops)
        return loops.error();
    while (loops->next())
        in.days[dayOf(loops->value(0))].closedLoop = loops->value(1).toString() == QLatin1String("closed loop");
    const QString day = records::LocalTimeSql::forBackend(database.isPostgres()).day.arg(QStringLiteral("created_at"));
    binds = { userId };
    const QString window = utcWindow(database, changed, QStringLiteral("created_at"), binds);
    auto uploaders = sql::exec(db,
                               QStringLiteral("SELECT %1, device, COUNT(*) FROM device_status WHERE user_id = ? "
                                              "AND created_at IS NOT NULL AND device IS NOT NULL%2 GROUP BY %1, device")
                                       .arg(day, window),
                               binds, "reading uploaders");
    if (!uploaders)
        return uploaders.error();
    while (uploaders->next()) {
        const qint64 d = dayOf(uploaders->value(0));
        if (changed.contains(d))
            in.days[d].uploaders.insert(uploaders->value(1).toString(), uploaders->value(2).toLongLong());
    }
    return {};
}

Status readTallies(const db::Database &, const QSqlDatabase &db, qint64 userId, const ChangedDays &changed,
                   DerivedInput &in)
{
    QVariantList binds { userId };
    const QString days = dayWindow(changed, QStringLiteral("day"), binds, [](qint64 d) { return QVariant(d); });
    auto q = sql::exec(db,
                       QStringLiteral("SELECT day, SUM(readings), SUM(bad_lines) FROM derived_file_days "
                                      "WHERE user_id = ?%1 GROUP BY day")
                               .arg(days),
                       binds, "reading file counts");
    if (!q)
        return q.error();
    while (q->next())
        in.tallies.insert(q->value(0).toLongLong(), { q->value(1).toLongLong(), q->value(2).toLongLong() });
    return {};
}

} // namespace

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

Result<DerivedInput> readDerivedInput(const db::Database &database, const QSqlDatabase &db, qint64 userId,
                                      const ChangedDays &changed)
{
    DerivedInput in;
    for (auto read : { readEntries, readTreatments, readDeviceStatus, readTallies }) {
        if (auto s = read(database, db, userId, changed, in); !s)
            return s.error();
    }
    return in;
}

} // namespace openaps::etl
