#include "cohortanswers.h"

#include <QDate>
#include <QJsonDocument>

#include <cmath>

namespace openaps::test {

namespace {

QJsonObject cell(const QString &key, qint64 n, int k, const QJsonObject &figures = {})
{
    if (n < k) // withheld: no count, no figures
        return { { QStringLiteral("key"), key },
                 { QStringLiteral("participants"), QJsonValue::Null },
                 { QStringLiteral("suppressed"), true } };
    QJsonObject c = figures;
    c.insert(QStringLiteral("key"), key);
    c.insert(QStringLiteral("participants"), n);
    c.insert(QStringLiteral("suppressed"), false);
    return c;
}

QJsonObject group(const QString &name, bool partition, const QJsonArray &cells)
{
    return { { QStringLiteral("name"), name },
             { QStringLiteral("partition"), partition },
             { QStringLiteral("cells"), cells } };
}

QJsonObject view(const QString &name, int k, qint64 participants, const QJsonArray &groups)
{
    return { { QStringLiteral("view"), name },
             { QStringLiteral("k"), k },
             { QStringLiteral("from"), QJsonValue::Null },
             { QStringLiteral("to"), QJsonValue::Null },
             { QStringLiteral("participants"), participants },
             { QStringLiteral("groups"), groups } };
}

// Shares of n in `weights`, the rest in the first.
QList<qint64> split(qint64 n, const QList<double> &weights)
{
    QList<qint64> out;
    qint64 rest = n;
    for (int i = 1; i < weights.size(); ++i) {
        out.append(qint64(std::floor(double(n) * weights[i])));
        rest -= out.last();
    }
    out.prepend(rest);
    return out;
}

QJsonArray cellsOf(const QStringList &keys, const QList<qint64> &counts, int k)
{
    QJsonArray cells;
    for (int i = 0; i < keys.size(); ++i)
        cells.append(cell(keys[i], counts[i], k));
    return cells;
}

QString month(int i)
{
    return QDate(2020, 1, 1).addMonths(i).toString(QStringLiteral("yyyy-MM"));
}

} // namespace

QMap<QString, QJsonObject> cohortAnswers(int n, int k)
{
    QMap<QString, QJsonObject> out;
    QJsonArray months;
    for (int i = 0; i < 60; ++i) {
        const qint64 active = qint64(n * (0.2 + 0.8 * i / 60.0));
        months.append(cell(month(i), active, k, { { QStringLiteral("readings"), double(active) * 8000 } }));
    }
    out.insert(QStringLiteral("overview"),
               view(QStringLiteral("overview"), k, n,
                    { group(QStringLiteral("consent"), true,
                            cellsOf({ QStringLiteral("openaps"), QStringLiteral("nsf"), QStringLiteral("both") },
                                    split(n, { 0, 0.12, 0.18 }), k)),
                      group(QStringLiteral("days_with_data"), true,
                            cellsOf({ QStringLiteral("1-13"), QStringLiteral("14-90"), QStringLiteral("91-365"),
                                      QStringLiteral("over 365") },
                                    split(n, { 0, 0.1, 0.3, 0.4 }), k)),
                      group(QStringLiteral("months"), false, months) }));

    QJsonArray bands;
    const std::array<std::array<double, 3>, 5> bandPercentiles {
        { { 0.2, 0.6, 1.4 }, { 1.5, 2.8, 4.6 }, { 62, 71, 80 }, { 14, 18, 23 }, { 3, 6, 11 } }
    };
    const QStringList bandNames { QStringLiteral("very_low"), QStringLiteral("low"), QStringLiteral("in_range"),
                                  QStringLiteral("high"), QStringLiteral("very_high") };
    for (int i = 0; i < 5; ++i)
        bands.append(cell(bandNames[i], n, k,
                          { { QStringLiteral("p25"), bandPercentiles[i][0] },
                            { QStringLiteral("p50"), bandPercentiles[i][1] },
                            { QStringLiteral("p75"), bandPercentiles[i][2] } }));
    out.insert(QStringLiteral("time_in_range"),
               view(QStringLiteral("time_in_range"), k, n,
                    { group(QStringLiteral("time_in_range"), true,
                            cellsOf({ QStringLiteral("under 50 %"), QStringLiteral("50-70 %"),
                                      QStringLiteral("70-90 %"), QStringLiteral("90 % and over") },
                                    split(n, { 0, 0.3, 0.5, 0.08 }), k)),
                      group(QStringLiteral("time_below_range"), true,
                            cellsOf({ QStringLiteral("under 1 %"), QStringLiteral("1-4 %"),
                                      QStringLiteral("4 % and over") },
                                    split(n, { 0, 0.5, 0.2 }), k)),
                      group(QStringLiteral("bands"), false, bands) }));

    QJsonArray bins;
    for (int b = 0; b < 96; ++b) {
        const double base = 140 + 25 * std::sin((b - 24) * M_PI / 48);
        const QString key =
                QStringLiteral("%1:%2").arg(b / 4, 2, 10, QLatin1Char('0')).arg(b % 4 * 15, 2, 10, QLatin1Char('0'));
        bins.append(cell(key, n, k,
                         { { QStringLiteral("p5"), base - 70 },
                           { QStringLiteral("p25"), base - 30 },
                           { QStringLiteral("p50"), base },
                           { QStringLiteral("p75"), base + 35 },
                           { QStringLiteral("p95"), base + 100 },
                           { QStringLiteral("readings"), double(n) * 300 } }));
    }
    out.insert(QStringLiteral("glucose_by_time_of_day"),
               view(QStringLiteral("glucose_by_time_of_day"), k, n, { group(QStringLiteral("bins"), false, bins) }));

    QJsonArray loopMonths;
    for (int i = 0; i < 60; ++i) {
        const qint64 active = qint64(n * (0.2 + 0.8 * i / 60.0) * 0.7);
        const QList<qint64> kinds = split(active, { 0, 0.25, 0.15 });
        QJsonArray cells;
        const QStringList names { QStringLiteral("closed loop"), QStringLiteral("open loop"), QStringLiteral("mixed") };
        for (int j = 0; j < 3; ++j)
            cells.append(cell(names[j], kinds[j], k, { { QStringLiteral("days"), double(kinds[j]) * 25 } }));
        loopMonths.append(group(month(i), true, cells));
    }
    out.insert(QStringLiteral("loop_type_by_month"), view(QStringLiteral("loop_type_by_month"), k, n, loopMonths));

    const QStringList devices { QStringLiteral("xDrip"),    QStringLiteral("Dexcom"),    QStringLiteral("Libre"),
                                QStringLiteral("Loop"),     QStringLiteral("OpenAPS"),   QStringLiteral("AndroidAPS"),
                                QStringLiteral("MiaoMiao"), QStringLiteral("Medtronic"), QStringLiteral("Spike"),
                                QStringLiteral("Eversense") };
    QList<qint64> deviceCounts = split(n - 5, { 0, 0.2, 0.15, 0.15, 0.1, 0.1, 0.05, 0.03, 0, 0 });
    deviceCounts[8] = 3; // withheld, and the smallest shown withheld with it: Eversense
    deviceCounts[9] = 2;
    out.insert(QStringLiteral("device_groups"),
               view(QStringLiteral("device_groups"), k, n,
                    { group(QStringLiteral("main_device_group"), true, cellsOf(devices, deviceCounts, k)) }));

    QStringList countries;
    QList<qint64> countryCounts;
    qint64 left = n;
    for (int i = 0; i < 40; ++i) {
        countries << QStringLiteral("Country %1").arg(i + 1, 2, 10, QLatin1Char('0'));
        const qint64 c = i == 39 ? left : std::max<qint64>(1, left / 4);
        countryCounts << c;
        left -= c;
    }
    out.insert(QStringLiteral("demographics"),
               view(QStringLiteral("demographics"), k, n,
                    { group(QStringLiteral("age_bracket"), true,
                            cellsOf({ QStringLiteral("under 18"), QStringLiteral("18-25"), QStringLiteral("26-35"),
                                      QStringLiteral("36-45"), QStringLiteral("46-60"), QStringLiteral("over 60") },
                                    split(n, { 0, 0.2, 0.25, 0.2, 0.15, 0.05 }), k)),
                      group(QStringLiteral("years_since_diagnosed_bracket"), true,
                            cellsOf({ QStringLiteral("0-5"), QStringLiteral("6-10"), QStringLiteral("11-20"),
                                      QStringLiteral("over 20") },
                                    split(n, { 0, 0.3, 0.3, 0.15 }), k)),
                      group(QStringLiteral("gender"), true,
                            cellsOf({ QStringLiteral("female"), QStringLiteral("male"), QStringLiteral("other"),
                                      QStringLiteral("unknown") },
                                    { n / 2, n / 2 - 7, 3, 4 }, k)),
                      group(QStringLiteral("country_corrected"), true, cellsOf(countries, countryCounts, k)) }));
    return out;
}

QJsonArray participantList(int n)
{
    QJsonArray list;
    for (int i = 1; i <= n; ++i) {
        const QDate first = QDate(2020, 1, 1).addDays(i % 700);
        const QString consent = i % 5 == 0 ? QStringLiteral("nsf")
                : i % 7 == 0               ? QStringLiteral("both")
                                           : QStringLiteral("openaps");
        const QString firstData = first.toString(Qt::ISODate) + QStringLiteral("T00:00:00Z");
        const QString lastData = first.addDays(10 + i % 500).toString(Qt::ISODate) + QStringLiteral("T23:55:00Z");
        QJsonObject p;
        p.insert(QStringLiteral("user_id"), 100000 + i);
        p.insert(QStringLiteral("consent"), consent);
        p.insert(QStringLiteral("first_data"), firstData);
        p.insert(QStringLiteral("last_data"), lastData);
        p.insert(QStringLiteral("days_with_data"), 10 + i % 500);
        p.insert(QStringLiteral("sufficient"), i % 3 != 0);
        list.append(p);
    }
    return list;
}

QByteArray participantSummaryNdjson(int n)
{
    QByteArray out;
    for (int i = 1; i <= n; ++i) {
        for (const char *period : { "month", "all", "month" }) {
            const QJsonObject row { { QStringLiteral("user_id"), 100000 + i },
                                    { QStringLiteral("period"), QString::fromLatin1(period) },
                                    { QStringLiteral("period_start"), QStringLiteral("2020-01-01") },
                                    { QStringLiteral("readings"), 2880 + i },
                                    { QStringLiteral("mean_mgdl"), 120.0 + i % 60 },
                                    { QStringLiteral("in_range_percent"), 50.0 + (i % 45) + 0.25 },
                                    { QStringLiteral("very_low_percent"), 0.5 },
                                    { QStringLiteral("low_percent"), 2.0 + (i % 3) },
                                    { QStringLiteral("cv_percent"), 33.3 },
                                    { QStringLiteral("gmi_percent"), 6.5 },
                                    { QStringLiteral("active_cgm_percent"), QJsonValue::Null },
                                    { QStringLiteral("sufficient"), i % 3 != 0 } };
            out += QJsonDocument(row).toJson(QJsonDocument::Compact) + '\n';
        }
    }
    return out;
}

} // namespace openaps::test
