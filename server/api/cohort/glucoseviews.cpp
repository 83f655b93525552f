// The cohort views over sensor glucose (cohortviews.h): overview,
// time_in_range and glucose_by_time_of_day.
#include "api/cohort/cohortsql.h"
#include "metrics/cgmmetrics.h"
#include "records/localtimesql.h"

#include <QHash>
#include <QMap>
#include <QSet>

#include <algorithm>

namespace openaps::api {

using namespace cohort;

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

Result<QJsonObject> glucoseByTimeOfDayView(const QSqlDatabase &db, const CohortScope &scope)
{
    CohortQuery query(db, scope);
    QString sql;
    if (!scope.from && !scope.to) {
        // The whole history: the ETL's per-participant bins, 96 rows each.
        sql = QStringLiteral("SELECT user_id, bin, readings, mean_mgdl FROM analytics_glucose_time_of_day WHERE %1")
                      .arg(query.inScope(QStringLiteral("source_entity")));
    } else {
        // A window: the same bins from the entries in it (etl/analytics.cpp's filter).
        const auto local = records::LocalTimeSql::forBackend(query.isPostgres());
        sql = QStringLiteral("SELECT user_id, bin, COUNT(*), AVG(sgv) FROM (SELECT user_id, sgv, (%1 / 15) AS bin "
                             "FROM entries WHERE type = 'sgv' AND sgv >= 39 AND sgv <= 600 AND %2 AND %3) s "
                             "GROUP BY user_id, bin")
                      .arg(local.minuteOfDay.arg(QStringLiteral("\"date\"")),
                           query.inScope(QStringLiteral("source_entity")), query.inWindow(QStringLiteral("\"date\"")));
    }
    auto q = query.exec(sql, "glucose by time of day");
    if (!q)
        return q.error();
    QList<double> means[metrics::agpBinCount];
    qint64 readings[metrics::agpBinCount] = {};
    QSet<qint64> participants;
    while (q->next()) {
        const int bin = q->value(1).toInt();
        if (bin < 0 || bin >= metrics::agpBinCount)
            continue;
        participants.insert(q->value(0).toLongLong());
        readings[bin] += q->value(2).toLongLong();
        means[bin].append(q->value(3).toDouble());
    }
    CohortGroup bins;
    bins.name = QStringLiteral("bins");
    bins.partition = false; // a participant has readings in many bins
    for (int bin = 0; bin < metrics::agpBinCount; ++bin) {
        QList<double> &values = means[bin];
        std::sort(values.begin(), values.end());
        const int minute = bin * metrics::agpBinMinutes;
        QJsonObject figures { { QStringLiteral("readings"), double(readings[bin]) } };
        for (const auto &[name, p] :
             { std::pair { "p5", 0.05 }, { "p25", 0.25 }, { "p50", 0.5 }, { "p75", 0.75 }, { "p95", 0.95 } })
            figures.insert(QLatin1String(name),
                           values.isEmpty() ? QJsonValue() : QJsonValue(metrics::percentile(values, p)));
        bins.cells.append({ QStringLiteral("%1:%2")
                                    .arg(minute / 60, 2, 10, QLatin1Char('0'))
                                    .arg(minute % 60, 2, 10, QLatin1Char('0')),
                            values.size(), double(values.size()), figures });
    }
    return viewJson(QStringLiteral("glucose_by_time_of_day"), scope, participants.size(), { bins });
}

} // namespace openaps::api
