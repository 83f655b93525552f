#include "etl/derivedinput.h"

#include "db/sqlhelpers.h"
#include "etl/sqldialect.h"
#include "records/localtimesql.h"

#include <cmath>
#include <limits>

namespace openaps::etl {

namespace {

constexpr qint64 dayMs = 24 * 3600 * 1000;

Status readReadings(const db::Database &database, const QSqlDatabase &db, qint64 userId, DerivedInput &in)
{
    auto groups = sql::exec(
            db, QStringLiteral("SELECT device, device_group FROM analytics_device_groups WHERE user_id = ?"),
            { userId }, "reading device groups");
    if (!groups)
        return groups.error();
    QHash<QString, int> groupOf; // device → index into in.deviceGroups
    while (groups->next()) {
        const QString group = groups->value(1).toString();
        qsizetype index = in.deviceGroups.indexOf(group);
        if (index < 0) {
            index = in.deviceGroups.size();
            in.deviceGroups << group;
        }
        groupOf.insert(groups->value(0).toString(), int(index));
    }
    auto q = sql::exec(db,
                       QStringLiteral("SELECT %1, COALESCE(utc_offset, 0), sgv, COALESCE(device, 'unknown'), "
                                      "source_entity FROM entries WHERE user_id = ? AND type = 'sgv' "
                                      "AND \"date\" IS NOT NULL ORDER BY \"date\"")
                               .arg(epochMsSql(database).arg(QStringLiteral("\"date\""))),
                       { userId }, "reading glucose");
    if (!q)
        return q.error();
    QString lastDevice;
    int lastGroup = -1;
    while (q->next()) {
        const QVariant sgv = q->value(2);
        const metrics::Reading r { q->value(0).toLongLong(), q->value(1).toInt(),
                                   sgv.isNull() ? std::numeric_limits<double>::quiet_NaN() : sgv.toDouble() };
        in.readings.append(r);
        in.readingDay.push_back(metrics::localDay(r));
        const QString device = q->value(3).toString();
        if (device != lastDevice || lastGroup < 0) {
            lastDevice = device;
            lastGroup = int(groupOf.value(device, -1));
        }
        in.readingGroup.push_back(lastGroup);
        in.sourceEntity = q->value(4).toInt();
    }
    return {};
}

Status readTreatments(const db::Database &database, const QSqlDatabase &db, qint64 userId, DerivedInput &in)
{
    const QString day = records::LocalTimeSql::forBackend(database.isPostgres()).day.arg(QStringLiteral("created_at"));
    auto sums = sql::exec(db,
                          QStringLiteral("SELECT %1, SUM(CASE WHEN insulin > 0 THEN insulin ELSE 0 END), "
                                         "SUM(CASE WHEN carbs > 0 THEN carbs ELSE 0 END) FROM treatments "
                                         "WHERE user_id = ? AND created_at IS NOT NULL GROUP BY %1")
                                  .arg(day),
                          { userId }, "summing treatments");
    if (!sums)
        return sums.error();
    while (sums->next()) {
        DayActivity &a = in.days[dayOf(sums->value(0))];
        a.hasTreatments = true;
        a.bolusUnits = sums->value(1).toDouble();
        a.carbs = sums->value(2).toDouble();
    }
    auto temps = sql::exec(db,
                           QStringLiteral("SELECT %1, COALESCE(utc_offset, 0), COALESCE(absolute, rate), duration "
                                          "FROM treatments WHERE user_id = ? AND event_type = 'Temp Basal' "
                                          "AND created_at IS NOT NULL AND COALESCE(absolute, rate) IS NOT NULL "
                                          "ORDER BY created_at")
                                   .arg(epochMsSql(database).arg(QStringLiteral("created_at"))),
                           { userId }, "reading temp basals");
    if (!temps)
        return temps.error();
    QList<TempBasal> list;
    while (temps->next())
        list.append({ temps->value(0).toLongLong(), temps->value(1).toInt(), temps->value(2).toDouble(),
                      temps->value(3).isNull() ? 30.0 : temps->value(3).toDouble() });
    const QMap<qint64, double> basal = basalByDay(list);
    for (auto it = basal.cbegin(); it != basal.cend(); ++it)
        in.days[it.key()].basalUnits = it.value();
    return {};
}

Status readDeviceStatus(const db::Database &database, const QSqlDatabase &db, qint64 userId, DerivedInput &in)
{
    auto loops = sql::exec(db,
                           QStringLiteral("SELECT day, loop_type FROM analytics_loop_type_by_day WHERE user_id = ?"),
                           { userId }, "reading loop types");
    if (!loops)
        return loops.error();
    while (loops->next())
        in.days[dayOf(loops->value(0))].closedLoop = loops->value(1).toString() == QLatin1String("closed loop");
    const QString day = records::LocalTimeSql::forBackend(database.isPostgres()).day.arg(QStringLiteral("created_at"));
    auto uploaders = sql::exec(db,
                               QStringLiteral("SELECT %1, device, COUNT(*) FROM device_status WHERE user_id = ? "
                                              "AND created_at IS NOT NULL AND device IS NOT NULL GROUP BY %1, device")
                                       .arg(day),
                               { userId }, "reading uploaders");
    if (!uploaders)
        return uploaders.error();
    while (uploaders->next())
        in.days[dayOf(uploaders->value(0))].uploaders.insert(uploaders->value(1).toString(),
                                                             uploaders->value(2).toLongLong());
    return {};
}

Status readTallies(const db::Database &, const QSqlDatabase &db, qint64 userId, DerivedInput &in)
{
    auto q = sql::exec(db,
                       QStringLiteral("SELECT day, SUM(readings), SUM(bad_lines) FROM derived_file_days "
                                      "WHERE user_id = ? GROUP BY day"),
                       { userId }, "reading file counts");
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

Result<DerivedInput> readDerivedInput(const db::Database &database, const QSqlDatabase &db, qint64 userId)
{
    DerivedInput in;
    for (auto read : { readReadings, readTreatments, readDeviceStatus, readTallies }) {
        if (auto s = read(database, db, userId, in); !s)
            return s.error();
    }
    return in;
}

} // namespace openaps::etl
