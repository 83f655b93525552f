#include "charts.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QCoreApplication>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QLocale>
#include <QStackedBarSeries>
#include <QTimeZone>
#include <QValueAxis>

namespace openaps::desktop {

namespace {

using metrics::agpBinCount;
using metrics::agpBinMinutes;

QString tr(const char *text)
{
    return QCoreApplication::translate("Charts", text);
}

const QColor bandColours[] = { QColor(0x8b, 0x00, 0x00), QColor(0xe5, 0x39, 0x35), QColor(0x43, 0xa0, 0x47),
                               QColor(0xfb, 0xc0, 0x2d), QColor(0xef, 0x6c, 0x00) };

// The consensus target range, 70–180 mg/dL, as a shaded band behind the
// glucose curves, from x0 to x1 on the chart's horizontal axis.
QAreaSeries *targetBand(double x0, double x1)
{
    auto *low = new QLineSeries;
    low->append(x0, metrics::targetLow);
    low->append(x1, metrics::targetLow);
    auto *high = new QLineSeries;
    high->append(x0, metrics::targetHigh);
    high->append(x1, metrics::targetHigh);
    auto *band = new QAreaSeries(high, low);
    band->setObjectName(QStringLiteral("targetRange"));
    band->setName(tr("Target range 70–180 mg/dL"));
    band->setColor(QColor(0x43, 0xa0, 0x47, 0x30));
    band->setBorderColor(QColor(0x43, 0xa0, 0x47, 0x80));
    return band;
}

// Date labels that stay distinct: dates for long ranges, times for short ones.
QString timeFormat(qint64 spanMs)
{
    constexpr qint64 dayMs = 24 * 3600 * 1000;
    if (spanMs <= dayMs)
        return QStringLiteral("HH:mm");
    if (spanMs <= 7 * dayMs)
        return QStringLiteral("MM-dd HH:mm");
    return QStringLiteral("yyyy-MM-dd");
}

QValueAxis *glucoseAxis()
{
    auto *axis = new QValueAxis;
    axis->setRange(0, metrics::highestReported);
    axis->setTickCount(9);
    axis->setLabelFormat(QStringLiteral("%d"));
    axis->setTitleText(tr("mg/dL"));
    return axis;
}

QLineSeries *agpLine(const std::array<metrics::AgpBin, agpBinCount> &bins, double metrics::AgpBin::*field,
                     const char *name)
{
    auto *series = new QLineSeries;
    series->setObjectName(QString::fromLatin1(name));
    for (const metrics::AgpBin &bin : bins) {
        if (bin.count > 0)
            series->append((bin.startMinute + agpBinMinutes / 2.0) / 60.0, bin.*field);
    }
    return series;
}

} // namespace

QStringList bandNames()
{
    return { tr("Very low (<54)"), tr("Low (54–69)"), tr("In range (70–180)"), tr("High (181–250)"),
             tr("Very high (>250)") };
}

QChart *glucoseChart(const metrics::ParticipantAnalysis &participant)
{
    auto *chart = new QChart;
    chart->setTitle(tr("Glucose over time, participant %1").arg(participant.participant));
    chart->legend()->hide();
    auto *series = new QLineSeries;
    series->setObjectName(QStringLiteral("glucose"));
    QList<QPointF> points;
    for (const metrics::ChartPoint &p : metrics::downsample(participant.readings, 1500))
        points.append(QPointF(double(p.utcMs), p.mgdl));
    series->replace(points);
    auto *time = new QDateTimeAxis;
    time->setTitleText(tr("Date (UTC)"));
    time->setFormat(timeFormat(0));
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(glucoseAxis(), Qt::AlignLeft);
    QList<QAbstractSeries *> shown { series };
    if (!participant.readings.isEmpty()) {
        const qint64 first = participant.readings.first().utcMs;
        const qint64 last = participant.readings.last().utcMs;
        time->setFormat(timeFormat(last - first));
        time->setRange(QDateTime::fromMSecsSinceEpoch(first, QTimeZone::utc()),
                       QDateTime::fromMSecsSinceEpoch(last, QTimeZone::utc()));
        shown.prepend(targetBand(double(first), double(last)));
    }
    for (QAbstractSeries *s : shown) {
        chart->addSeries(s);
        s->attachAxis(time);
        s->attachAxis(chart->axes(Qt::Vertical).first());
    }
    return chart;
}

QString agpWarning(const metrics::Summary &summary)
{
    if (metrics::isSufficient(summary))
        return {};
    const QLocale locale;
    return tr("Not enough data for a reliable profile: %1 days with %2 % CGM wear (needs %3 days and %4 %).")
            .arg(locale.toString(metrics::periodDays(summary), 'f', 1), locale.toString(summary.activePercent, 'f', 0),
                 locale.toString(metrics::sufficientDays, 'f', 0),
                 locale.toString(metrics::sufficientWearPercent, 'f', 0));
}

QChart *agpChart(const metrics::ParticipantAnalysis &participant)
{
    const std::array<metrics::AgpBin, agpBinCount> &bins = participant.agp;
    auto *chart = new QChart;
    const QString warning = agpWarning(participant.summary);
    chart->setTitle(warning.isEmpty()
                            ? tr("Ambulatory glucose profile (local time of day)")
                            : tr("Ambulatory glucose profile (local time of day)") + QLatin1Char('\n') + warning);
    auto *p5 = agpLine(bins, &metrics::AgpBin::p5, "p5");
    auto *p25 = agpLine(bins, &metrics::AgpBin::p25, "p25");
    auto *p50 = agpLine(bins, &metrics::AgpBin::p50, "p50");
    auto *p75 = agpLine(bins, &metrics::AgpBin::p75, "p75");
    auto *p95 = agpLine(bins, &metrics::AgpBin::p95, "p95");
    auto *outer = new QAreaSeries(p95, p5);
    outer->setName(tr("5–95 %"));
    outer->setColor(QColor(0x90, 0xca, 0xf9));
    outer->setBorderColor(QColor(0x90, 0xca, 0xf9));
    auto *inner = new QAreaSeries(p75, p25);
    inner->setName(tr("25–75 %"));
    inner->setColor(QColor(0x42, 0xa5, 0xf5));
    inner->setBorderColor(QColor(0x42, 0xa5, 0xf5));
    p50->setName(tr("Median"));
    p50->setColor(QColor(0x0d, 0x47, 0xa1));
    QPen pen = p50->pen();
    pen.setWidth(3);
    p50->setPen(pen);
    auto *hours = new QValueAxis;
    hours->setRange(0, 24);
    hours->setTickCount(9);
    hours->setLabelFormat(QStringLiteral("%d:00"));
    hours->setTitleText(tr("Local time of day"));
    auto *glucose = glucoseAxis();
    chart->addAxis(hours, Qt::AlignBottom);
    chart->addAxis(glucose, Qt::AlignLeft);
    for (QAbstractSeries *s : std::initializer_list<QAbstractSeries *> { targetBand(0, 24), outer, inner, p50 }) {
        chart->addSeries(s);
        s->attachAxis(hours);
        s->attachAxis(glucose);
    }
    return chart;
}

QChart *rangeChart(const metrics::Summary &summary)
{
    auto *chart = new QChart;
    chart->setTitle(tr("Time in ranges"));
    auto *series = new QStackedBarSeries;
    const double values[] = { summary.bands.veryLow, summary.bands.low, summary.bands.inRange, summary.bands.high,
                              summary.bands.veryHigh };
    const QStringList names = bandNames();
    const char *objectNames[] = { "veryLow", "low", "inRange", "high", "veryHigh" };
    for (int i = 0; i < 5; ++i) {
        // Legend labels are rich text: "<54" would be read as a tag.
        auto *set = new QBarSet(names[i].toHtmlEscaped());
        set->setObjectName(QString::fromLatin1(objectNames[i]));
        set->setColor(bandColours[i]);
        *set << values[i];
        series->append(set);
    }
    chart->addSeries(series);
    auto *categories = new QBarCategoryAxis;
    categories->append(tr("Readings"));
    auto *percent = new QValueAxis;
    percent->setRange(0, 100);
    percent->setLabelFormat(QStringLiteral("%d %%"));
    chart->addAxis(categories, Qt::AlignBottom);
    chart->addAxis(percent, Qt::AlignLeft);
    series->attachAxis(categories);
    series->attachAxis(percent);
    chart->legend()->setAlignment(Qt::AlignRight);
    return chart;
}

QList<QPair<QString, QString>> metricRows(const metrics::Summary &s)
{
    const QLocale locale;
    const auto number = [&](double v, int decimals) -> QString { return locale.toString(v, 'f', decimals); };
    // Explicit QString: a QStringBuilder returned from a lambda would refer to a dead temporary.
    const auto percent = [&](double v) -> QString { return number(v, 1) + QLatin1String(" %"); };
    const auto day = [](qint64 ms) -> QString {
        return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    };
    if (s.isEmpty())
        return { { tr("Readings"), QStringLiteral("0") } };
    const QStringList bands = bandNames();
    return {
        { tr("Readings"), locale.toString(s.readings) },
        { tr("First reading (UTC)"), day(s.firstUtcMs) },
        { tr("Last reading (UTC)"), day(s.lastUtcMs) },
        { tr("Active CGM time"), percent(s.activePercent) },
        { tr("Mean glucose"), number(s.mean, 1) + QLatin1String(" mg/dL") },
        { tr("Standard deviation"), number(s.sd, 1) + QLatin1String(" mg/dL") },
        { tr("Coefficient of variation"), percent(s.cv) },
        { tr("GMI"), percent(s.gmi) },
        { bands[0], percent(s.bands.veryLow) },
        { bands[1], percent(s.bands.low) },
        { bands[2], percent(s.bands.inRange) },
        { bands[3], percent(s.bands.high) },
        { bands[4], percent(s.bands.veryHigh) },
        { tr("LBGI"), number(s.lbgi, 2) },
        { tr("HBGI"), number(s.hbgi, 2) },
        { tr("GRI"), number(s.gri, 1) },
        { tr("Duplicates left out"), locale.toString(s.duplicates) },
        { tr("Not a number, left out"), locale.toString(s.dropped) },
        { tr("Clamped to 39–400"), locale.toString(s.clamped) },
    };
}

} // namespace openaps::desktop
