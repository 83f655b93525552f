// The cohort views over sensor glucose (cohortviews.h): overview,
// time_in_range and glucose_by_time_of_day.
#include "api/cohort/cohortsql.h"
#include "core/civildate.h"
#include "metrics/cgmmetrics.h"
#include "metrics/glucosebins.h"
#include "records/localtimesql.h"

#include <QHash>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace openaps::api {

using namespace cohort;

namespace {

constexpr qint64 dayMs = 24 * 3600 * 1000;
// Local time is UTC shifted by at most 14 hours either way.
constexpr qint64 widestOffsetMs = 14 * 3600 * 1000;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

qint64 monthStart(qint64 day)
{
    int y = 0, m = 0, d = 0;
    civil::civilFromDays(day, y, m, d);
    return civil::daysFromCivil(y, m, 1);
}

qint64 nextMonth(qint64 day)
{
    int y = 0, m = 0, d = 0;
    civil::civilFromDays(day, y, m, d);
    return m == 12 ? civil::daysFromCivil(y + 1, 1, 1) : civil::daysFromCivil(y, m + 1, 1);
}

// The local days every reading of which lies in the window, whatever its
// UTC offset, and the whole calendar months among them: their glucose
// bins are the ETL's (derived_days, derived_months). Empty when first > last.
struct WholeDays
{
    std::optional<qint64> first; // unbounded without
    std::optional<qint64> last;
    std::optional<qint64> firstMonth; // the first day of the first whole month
    std::optional<qint64> lastMonthEnd; // the last day of the last whole month
    bool empty = false;
    bool noMonths = false;

    static WholeDays of(const CohortScope &scope)
    {
        WholeDays w;
        if (scope.from) {
            w.first = floorDiv(scope.from->toMSecsSinceEpoch() + widestOffsetMs + dayMs - 1, dayMs);
            w.firstMonth = monthStart(*w.first) == *w.first ? *w.first : nextMonth(*w.first);
        }
        if (scope.to) {
            w.last = floorDiv(scope.to->toMSecsSinceEpoch() - widestOffsetMs, dayMs) - 1;
            w.lastMonthEnd = nextMonth(*w.last) - 1 == *w.last ? *w.last : monthStart(*w.last) - 1;
        }
        w.empty = w.first && w.last && *w.first > *w.last;
        w.noMonths = w.empty || (w.firstMonth && w.lastMonthEnd && *w.firstMonth > *w.lastMonthEnd);
        return w;
    }
};

// 'YYYY-MM-DD' of a day since 1970-01-01.
QString dateText(qint64 day)
{
    int y = 0, m = 0, d = 0;
    civil::civilFromDays(day, y, m, d);
    return QDate(y, m, d).toString(Qt::ISODate);
}

} // namespace

Result<QJsonObject> overviewView(const QSqlDatabase &db, const CohortScope &scope)
{
    CohortQuery query(db, scope);
    // The ETL's monthly summaries: a row per participant and month, few
    // whatever the readings (the entries themselves would take seconds).
    auto q = query.exec(QStringLiteral("SELECT user_id, period_start, readings, days_with_data, source_entity "
                                       "FROM participant_summary WHERE period = 'month' AND readings > 0 AND %1")
                                .arg(query.inScope(QStringLiteral("source_entity"))),
                        "overview");
    if (!q)
        return q.error();
    const MonthWindow window = MonthWindow::of(scope);
    struct Participant
    {
        int sourceEntity = 0;
        qint64 days = 0;
    };
    QHash<qint64, Participant> participants;
    QMap<QString, std::pair<qint64, qint64>> months; // month -> (participants, readings)
    while (q->next()) {
        const QDate month = q->value(1).toDate();
        if (!window.contains(month))
            continue;
        Participant &p = participants[q->value(0).toLongLong()];
        p.sourceEntity = std::max(p.sourceEntity, q->value(4).toInt());
        p.days += q->value(3).toLongLong(); // days lie within one month each
        auto &m = months[month.toString(QStringLiteral("yyyy-MM"))];
        ++m.first;
        m.second += q->value(2).toLongLong();
    }
    qint64 consent[3] = {};
    qint64 volume[4] = {};
    for (const Participant &p : std::as_const(participants)) {
        ++consent[std::clamp(p.sourceEntity, 0, 2)];
        ++volume[p.days < 14 ? 0 : p.days <= 90 ? 1 : p.days <= 365 ? 2 : 3];
    }
    CohortGroup perMonth;
    perMonth.name = QStringLiteral("months");
    perMonth.partition = false; // a participant has data in several months
    for (auto it = months.cbegin(); it != months.cend(); ++it)
        perMonth.cells.append(
                { it.key(), it->first, double(it->first), { { QStringLiteral("readings"), double(it->second) } } });
    return viewJson(QStringLiteral("overview"), scope, participants.size(),
                    { countGroup(QStringLiteral("consent"),
                                 { { QStringLiteral("openaps"), consent[0] },
                                   { QStringLiteral("nsf"), consent[1] },
                                   { QStringLiteral("both"), consent[2] } }),
                      countGroup(QStringLiteral("days_with_data"),
                                 { { QStringLiteral("1-13"), volume[0] },
                                   { QStringLiteral("14-90"), volume[1] },
                                   { QStringLiteral("91-365"), volume[2] },
                                   { QStringLiteral("over 365"), volume[3] } }),
                      perMonth });
}

Result<QJsonObject> timeInRangeView(const QSqlDatabase &db, const CohortScope &scope)
{
    CohortQuery query(db, scope);
    const bool window = scope.from || scope.to;
    auto q = query.exec(QStringLiteral("SELECT user_id, period_start, readings, very_low_percent, low_percent, "
                                       "in_range_percent, high_percent, very_high_percent FROM participant_summary "
                                       "WHERE period = '%1' AND readings > 0 AND %2")
                                .arg(window ? QLatin1String("month") : QLatin1String("all"),
                                     query.inScope(QStringLiteral("source_entity"))),
                        "time in range");
    if (!q)
        return q.error();
    const MonthWindow months = MonthWindow::of(scope);
    constexpr int bandCount = 5;
    struct Bands
    {
        double readings = 0;
        double weighted[bandCount] = {}; // percent x readings
    };
    QHash<qint64, Bands> participants;
    while (q->next()) {
        if (window && !months.contains(q->value(1).toDate()))
            continue;
        Bands &b = participants[q->value(0).toLongLong()];
        const double readings = q->value(2).toDouble();
        b.readings += readings;
        for (int i = 0; i < bandCount; ++i)
            b.weighted[i] += readings * q->value(3 + i).toDouble();
    }
    static const char *const bandNames[bandCount] = { "very_low", "low", "in_range", "high", "very_high" };
    QList<double> percents[bandCount];
    qint64 inRange[4] = {};
    qint64 below[3] = {};
    for (const Bands &b : std::as_const(participants)) {
        double percent[bandCount];
        for (int i = 0; i < bandCount; ++i) {
            percent[i] = b.weighted[i] / b.readings;
            percents[i].append(percent[i]);
        }
        ++inRange[percent[2] < 50 ? 0 : percent[2] < 70 ? 1 : percent[2] < 90 ? 2 : 3];
        const double belowRange = percent[0] + percent[1];
        ++below[belowRange < 1 ? 0 : belowRange < 4 ? 1 : 2];
    }
    CohortGroup bands;
    bands.name = QStringLiteral("bands");
    bands.partition = false; // every cell describes every participant
    for (int i = 0; i < bandCount; ++i) {
        QList<double> &values = percents[i];
        std::sort(values.begin(), values.end());
        QJsonObject figures;
        for (const auto &[name, p] : { std::pair { "p25", 0.25 }, { "p50", 0.5 }, { "p75", 0.75 } })
            figures.insert(QLatin1String(name), metrics::percentile(values, p));
        bands.cells.append({ QLatin1String(bandNames[i]), values.size(), double(values.size()), figures });
    }
    return viewJson(QStringLiteral("time_in_range"), scope, participants.size(),
                    { countGroup(QStringLiteral("time_in_range"),
                                 { { QStringLiteral("under 50 %"), inRange[0] },
                                   { QStringLiteral("50-70 %"), inRange[1] },
                                   { QStringLiteral("70-90 %"), inRange[2] },
                                   { QStringLiteral("90 % and over"), inRange[3] } }),
                      countGroup(QStringLiteral("time_below_range"),
                                 { { QStringLiteral("under 1 %"), below[0] },
                                   { QStringLiteral("1-4 %"), below[1] },
                                   { QStringLiteral("4 % and over"), below[2] } }),
                      bands });
}

namespace {

// Each participant's readings and their sum per bin.
using ParticipantBins = QHash<qint64, metrics::GlucoseBins>;

// Adds the glucose_bins of `sql`'s rows (user_id, glucose_bins).
Status addStoredBins(CohortQuery &query, const QString &sql, ParticipantBins &bins)
{
    auto q = query.exec(sql, "glucose by time of day");
    if (!q)
        return q.error();
    while (q->next())
        metrics::addBins(q->value(1).toString(), bins[q->value(0).toLongLong()]);
    return {};
}

// The window's whole local days from the ETL's bins: its whole months from
// derived_months, its other whole days from derived_days (the scope as the
// participant's, as for the ETL's other rows).
Status addWholeDays(const QSqlDatabase &db, const CohortScope &scope, const WholeDays &w, ParticipantBins &bins)
{
    const auto conditions = [](CohortQuery &query, const QString &column, const std::optional<qint64> &from,
                               const std::optional<qint64> &to) {
        QString sql;
        if (from)
            sql += QStringLiteral(" AND %1 >= %2").arg(column, query.bind(*from));
        if (to)
            sql += QStringLiteral(" AND %1 <= %2").arg(column, query.bind(*to));
        return sql;
    };
    const QString scoped = QStringLiteral(" JOIN participant_summary s ON s.user_id = t.user_id AND s.period = 'all' "
                                          "WHERE %1");
    if (!w.noMonths) {
        CohortQuery query(db, scope);
        const QString sql = QStringLiteral("SELECT t.user_id, t.glucose_bins FROM derived_months t")
                + scoped.arg(query.inScope(QStringLiteral("s.source_entity")))
                + conditions(query, QStringLiteral("t.month"), w.firstMonth,
                             w.lastMonthEnd ? std::optional(monthStart(*w.lastMonthEnd)) : std::nullopt);
        if (auto s = addStoredBins(query, sql + QStringLiteral(" ORDER BY t.user_id, t.month"), bins); !s)
            return s;
    }
    CohortQuery query(db, scope);
    QString sql = QStringLiteral("SELECT t.user_id, t.glucose_bins FROM derived_days t")
            + scoped.arg(query.inScope(QStringLiteral("s.source_entity")))
            + conditions(query, QStringLiteral("t.day"), w.first, w.last);
    if (!w.noMonths) {
        QStringList outside;
        if (w.firstMonth)
            outside << QStringLiteral("t.day < %1").arg(query.bind(*w.firstMonth));
        if (w.lastMonthEnd)
            outside << QStringLiteral("t.day > %1").arg(query.bind(*w.lastMonthEnd));
        sql += QStringLiteral(" AND (%1)").arg(outside.join(QStringLiteral(" OR ")));
    }
    return addStoredBins(query, sql + QStringLiteral(" ORDER BY t.user_id, t.day"), bins);
}

// The readings of the window outside its whole local days, from the entries
// (etl/analytics.cpp's filter): the window's edges, or all of it.
Status addEntries(const QSqlDatabase &db, const CohortScope &scope, const WholeDays &w, ParticipantBins &bins)
{
    CohortQuery query(db, scope);
    const auto local = records::LocalTimeSql::forBackend(query.isPostgres());
    const QString date = QStringLiteral("\"date\"");
    QString sql = QStringLiteral("SELECT user_id, bin, COUNT(*), SUM(sgv) FROM (SELECT user_id, sgv, (%1 / 15) AS bin "
                                 "FROM entries WHERE type = 'sgv' AND sgv >= 39 AND sgv <= 600 AND %2 AND %3")
                          .arg(local.minuteOfDay.arg(date), query.inScope(QStringLiteral("source_entity")),
                               query.inWindow(date));
    if (!w.empty) {
        // Outside the whole days; the times first, which an index can use.
        const QString day = local.day.arg(date);
        const auto localDay = [&query](qint64 d) {
            return query.isPostgres() ? QStringLiteral("CAST(%1 AS date)").arg(query.bind(dateText(d)))
                                      : query.bind(dateText(d));
        };
        // Bound in the order the text has them.
        QStringList before, after;
        if (w.first)
            before << QStringLiteral("%1 < %2").arg(date, query.bindTime(*w.first * dayMs + widestOffsetMs));
        if (w.last)
            before << QStringLiteral("%1 >= %2").arg(date, query.bindTime((*w.last + 1) * dayMs - widestOffsetMs));
        if (w.first)
            after << QStringLiteral("%1 < %2").arg(day, localDay(*w.first));
        if (w.last)
            after << QStringLiteral("%1 > %2").arg(day, localDay(*w.last));
        sql += QStringLiteral(" AND (%1) AND (%2)")
                       .arg(before.join(QStringLiteral(" OR ")), after.join(QStringLiteral(" OR ")));
    }
    sql += QStringLiteral(") e GROUP BY user_id, bin");
    auto q = query.exec(sql, "glucose by time of day");
    if (!q)
        return q.error();
    while (q->next()) {
        const int bin = q->value(1).toInt();
        if (bin >= 0 && bin < metrics::agpBinCount)
            bins[q->value(0).toLongLong()][size_t(bin)].add({ q->value(2).toLongLong(), q->value(3).toDouble(), 0, 0 });
    }
    return {};
}

} // namespace

Result<QJsonObject> glucoseByTimeOfDayView(const QSqlDatabase &db, const CohortScope &scope)
{
    QList<double> means[metrics::agpBinCount];
    qint64 readings[metrics::agpBinCount] = {};
    QSet<qint64> participants;
    const auto add = [&](qint64 user, int bin, qint64 count, double mean) {
        if (bin < 0 || bin >= metrics::agpBinCount || count == 0)
            return;
        participants.insert(user);
        readings[bin] += count;
        means[bin].append(mean);
    };
    if (!scope.from && !scope.to) {
        // The whole history: the ETL's per-participant bins, 96 rows each.
        CohortQuery query(db, scope);
        auto q = query.exec(
                QStringLiteral("SELECT user_id, bin, readings, mean_mgdl FROM analytics_glucose_time_of_day WHERE %1")
                        .arg(query.inScope(QStringLiteral("source_entity"))),
                "glucose by time of day");
        if (!q)
            return q.error();
        while (q->next())
            add(q->value(0).toLongLong(), q->value(1).toInt(), q->value(2).toLongLong(), q->value(3).toDouble());
    } else {
        // A window: the ETL's bins of its whole local days, the entries of the rest.
        ParticipantBins bins;
        const WholeDays whole = WholeDays::of(scope);
        if (!whole.empty) {
            if (auto s = addWholeDays(db, scope, whole, bins); !s)
                return s.error();
        }
        if (auto s = addEntries(db, scope, whole, bins); !s)
            return s.error();
        for (auto it = bins.cbegin(); it != bins.cend(); ++it) {
            for (int bin = 0; bin < metrics::agpBinCount; ++bin) {
                const metrics::BinSum &b = it.value()[size_t(bin)];
                add(it.key(), bin, b.count, b.count > 0 ? b.sum / double(b.count) : 0);
            }
        }
    }
    CohortGroup cells;
    cells.name = QStringLiteral("bins");
    cells.partition = false; // a participant has readings in many bins
    for (int bin = 0; bin < metrics::agpBinCount; ++bin) {
        QList<double> &values = means[bin];
        std::sort(values.begin(), values.end());
        const int minute = bin * metrics::agpBinMinutes;
        QJsonObject figures { { QStringLiteral("readings"), double(readings[bin]) } };
        for (const auto &[name, p] :
             { std::pair { "p5", 0.05 }, { "p25", 0.25 }, { "p50", 0.5 }, { "p75", 0.75 }, { "p95", 0.95 } })
            figures.insert(QLatin1String(name),
                           values.isEmpty() ? QJsonValue() : QJsonValue(metrics::percentile(values, p)));
        cells.cells.append({ QStringLiteral("%1:%2")
                                     .arg(minute / 60, 2, 10, QLatin1Char('0'))
                                     .arg(minute % 60, 2, 10, QLatin1Char('0')),
                             values.size(), double(values.size()), figures });
    }
    return viewJson(QStringLiteral("glucose_by_time_of_day"), scope, participants.size(), { cells });
}

} // namespace openaps::api
