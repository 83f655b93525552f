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
#include <QScatterSeries>
#include <QStackedBarSeries>
#include <QTimeZone>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace openaps::desktop {

namespace {

using metrics::agpBinCount;
using metrics::agpBinMinutes;

QString tr(const char *text)
{
    return QCoreApplication::translate("Charts", text);
}

constexpr qint64 dayMs = 24 * 3600 * 1000;
constexpr int drawnBuckets = 1500;

const QColor bandColours[] = { QColor(0x8b, 0x00, 0x00), QColor(0xe5, 0x39, 0x35), QColor(0x43, 0xa0, 0x47),
                               QColor(0xfb, 0xc0, 0x2d), QColor(0xef, 0x6c, 0x00) };

// The consensus target range, 70–180 mg/dL, as a shaded band behind the
// glucose curves, from x0 to x1 on the chart's horizontal axis.
QAreaSeries *targetBand(double x0, double x1, GlucoseUnit unit)
{
    auto *low = new QLineSeries;
    low->append(x0, toUnit(metrics::targetLow, unit));
    low->append(x1, toUnit(metrics::targetLow, unit));
    auto *high = new QLineSeries;
    high->append(x0, toUnit(metrics::targetHigh, unit));
    high->append(x1, toUnit(metrics::targetHigh, unit));
    auto *band = new QAreaSeries(high, low);
    band->setObjectName(QStringLiteral("targetRange"));
    band->setName(tr("Target range %1").arg(targetRangeText(unit)));
    band->setColor(QColor(0x43, 0xa0, 0x47, 0x30));
    band->setBorderColor(QColor(0x43, 0xa0, 0x47, 0x80));
    return band;
}

// Date labels that stay distinct: dates for long ranges, times for short ones.
QString timeFormat(qint64 spanMs)
{
    if (spanMs <= dayMs)
        return QStringLiteral("HH:mm");
    if (spanMs <= 7 * dayMs)
        return QStringLiteral("MM-dd HH:mm");
    return QStringLiteral("yyyy-MM-dd");
}

QValueAxis *glucoseAxis(GlucoseUnit unit)
{
    auto *axis = new QValueAxis;
    // Round steps from 0, few enough to stay readable in a short chart.
    const bool mmol = unit == GlucoseUnit::MmolL;
    axis->setRange(0, mmol ? 22 : metrics::highestReported);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(mmol ? 4 : 100);
    axis->setLabelFormat(QStringLiteral("%d"));
    axis->setTitleText(unitName(unit));
    return axis;
}

QDateTimeAxis *timeAxis(TimeRange range)
{
    auto *time = new QDateTimeAxis;
    time->setObjectName(QStringLiteral("timeAxis"));
    time->setTitleText(tr("Date (UTC)"));
    time->setFormat(timeFormat(range.span()));
    if (!range.isEmpty())
        time->setRange(QDateTime::fromMSecsSinceEpoch(range.fromMs, QTimeZone::utc()),
                       QDateTime::fromMSecsSinceEpoch(range.toMs, QTimeZone::utc()));
    return time;
}

QLineSeries *agpLine(const std::array<metrics::AgpBin, agpBinCount> &bins, double metrics::AgpBin::*field,
                     const char *name, GlucoseUnit unit)
{
    auto *series = new QLineSeries;
    series->setObjectName(QString::fromLatin1(name));
    for (const metrics::AgpBin &bin : bins) {
        if (bin.count > 0)
            series->append((bin.startMinute + agpBinMinutes / 2.0) / 60.0, toUnit(bin.*field, unit));
    }
    return series;
}

// The items of `list` (sorted by `field`) within [from, to].
template <typename T> std::pair<const T *, const T *> within(const QList<T> &list, qint64 T::*field, TimeRange r)
{
    const auto lo = std::lower_bound(list.cbegin(), list.cend(), r.fromMs,
                                     [field](const T &item, qint64 ms) { return item.*field < ms; });
    const auto hi = std::upper_bound(lo, list.cend(), r.toMs,
                                     [field](qint64 ms, const T &item) { return ms < item.*field; });
    return { &*lo, &*lo + (hi - lo) };
}

// Lines of many points kept drawable: per time bucket the lowest and the
// highest value, so peaks stay visible (as metrics::downsample does).
QList<QPointF> decimate(const QList<QPointF> &points, TimeRange range)
{
    if (points.size() <= 2 * drawnBuckets || range.isEmpty())
        return points;
    QList<QPointF> out;
    const double width = double(range.span()) / drawnBuckets;
    qsizetype i = 0;
    while (i < points.size()) {
        const qint64 bucket = qint64((points[i].x() - double(range.fromMs)) / width);
        qsizetype lo = i, hi = i, j = i;
        for (; j < points.size() && qint64((points[j].x() - double(range.fromMs)) / width) == bucket; ++j) {
            if (points[j].y() < points[lo].y())
                lo = j;
            if (points[j].y() > points[hi].y())
                hi = j;
        }
        out.append(points[std::min(lo, hi)]);
        if (lo != hi)
            out.append(points[std::max(lo, hi)]);
        i = j;
    }
    return out;
}

QScatterSeries *markers(const char *name, const QString &label, const QColor &colour, QScatterSeries::MarkerShape shape)
{
    auto *series = new QScatterSeries;
    series->setObjectName(QString::fromLatin1(name));
    series->setName(label);
    series->setColor(colour);
    series->setBorderColor(colour);
    series->setMarkerShape(shape);
    series->setMarkerSize(9);
    return series;
}

void attach(QChart *chart, QAbstractSeries *series, QAbstractAxis *x, QAbstractAxis *y)
{
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
}

} // namespace

QString targetRangeText(GlucoseUnit unit)
{
    return unit == GlucoseUnit::MmolL ? tr("3.9–10.0 mmol/L") : tr("70–180 mg/dL");
}

QStringList bandNames(GlucoseUnit unit)
{
    if (unit == GlucoseUnit::MmolL)
        return { tr("Very low (<3.0)"), tr("Low (3.0–3.8)"), tr("In range (3.9–10.0)"), tr("High (10.1–13.9)"),
                 tr("Very high (>13.9)") };
    return { tr("Very low (<54)"), tr("Low (54–69)"), tr("In range (70–180)"), tr("High (181–250)"),
             tr("Very high (>250)") };
}

TimeRange wholeRange(const metrics::ParticipantAnalysis &p, const metrics::ParticipantRecords *records)
{
    qint64 from = std::numeric_limits<qint64>::max(), to = std::numeric_limits<qint64>::min();
    const auto see = [&](qint64 ms) {
        from = std::min(from, ms);
        to = std::max(to, ms);
    };
    if (!p.readings.isEmpty()) {
        see(p.readings.first().utcMs);
        see(p.readings.last().utcMs);
    }
    if (records) {
        for (const auto *list : { &records->treatments })
            if (!list->isEmpty()) {
                see(list->first().utcMs);
                see(list->last().utcMs);
            }
        if (!records->loop.isEmpty()) {
            see(records->loop.first().utcMs);
            see(records->loop.last().utcMs);
        }
    }
    return from > to ? TimeRange {} : TimeRange { from, to };
}

QChart *glucoseChart(const metrics::ParticipantAnalysis &participant, GlucoseUnit unit,
                     const metrics::ParticipantRecords *records, TimeRange range)
{
    if (range.isEmpty())
        range = wholeRange(participant, records);
    auto *chart = new QChart;
    chart->setTitle(tr("Glucose over time, participant %1").arg(participant.participant));
    chart->setMargins(QMargins(6, 2, 6, 2));
    chart->legend()->hide();
    auto *series = new QLineSeries;
    series->setObjectName(QStringLiteral("glucose"));
    series->setName(tr("Glucose"));
    QList<QPointF> points;
    if (!range.isEmpty()) {
        const auto [first, last] = within(participant.readings, &metrics::Reading::utcMs, range);
        const QList<metrics::Reading> slice(first, last);
        for (const metrics::ChartPoint &p : metrics::downsample(slice, drawnBuckets))
            points.append(QPointF(double(p.utcMs), toUnit(p.mgdl, unit)));
    }
    series->replace(points);
    auto *time = timeAxis(range);
    auto *glucose = glucoseAxis(unit);
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(glucose, Qt::AlignLeft);
    if (!range.isEmpty())
        attach(chart, targetBand(double(range.fromMs), double(range.toMs), unit), time, glucose);
    attach(chart, series, time, glucose);
    if (!records || records->treatments.isEmpty() || range.isEmpty())
        return chart;
    const auto [first, last] = within(records->treatments, &metrics::Treatment::utcMs, range);
    if (range.span() > markerDays * dayMs) {
        if (last != first)
            chart->setTitle(chart->title()
                            + tr(" (zoom in to %1 days or less to see insulin and carbs)").arg(markerDays));
        return chart;
    }
    // Insulin near the bottom, carbs near the top, where no curve hides them.
    auto *insulin = markers("insulin", tr("Insulin"), QColor(0x15, 0x65, 0xc0), QScatterSeries::MarkerShapeTriangle);
    auto *carbs = markers("carbs", tr("Carbs"), QColor(0x6d, 0x4c, 0x41), QScatterSeries::MarkerShapeRectangle);
    const double top = glucose->max() * 0.93, bottom = glucose->max() * 0.04;
    for (const metrics::Treatment *t = first; t != last; ++t) {
        if (t->insulin > 0)
            insulin->append(double(t->utcMs), bottom);
        if (t->carbs > 0)
            carbs->append(double(t->utcMs), top);
    }
    attach(chart, insulin, time, glucose);
    attach(chart, carbs, time, glucose);
    chart->legend()->show();
    chart->legend()->setAlignment(Qt::AlignRight);
    return chart;
}

QChart *loopChart(const metrics::ParticipantRecords &records, TimeRange range)
{
    auto *chart = new QChart;
    chart->setTitle(tr("Insulin and carbs on board (device status)"));
    chart->setMargins(QMargins(6, 2, 6, 2));
    auto *iob = new QLineSeries;
    iob->setObjectName(QStringLiteral("iob"));
    iob->setName(tr("Insulin on board (U)"));
    auto *cob = new QLineSeries;
    cob->setObjectName(QStringLiteral("cob"));
    cob->setName(tr("Carbs on board (g)"));
    QList<QPointF> iobPoints, cobPoints;
    if (!range.isEmpty()) {
        const auto [first, last] = within(records.loop, &metrics::LoopStatus::utcMs, range);
        for (const metrics::LoopStatus *s = first; s != last; ++s) {
            if (!std::isnan(s->iob))
                iobPoints.append(QPointF(double(s->utcMs), s->iob));
            if (!std::isnan(s->cob))
                cobPoints.append(QPointF(double(s->utcMs), s->cob));
        }
    }
    iob->replace(decimate(iobPoints, range));
    cob->replace(decimate(cobPoints, range));
    auto *time = timeAxis(range);
    auto *units = new QValueAxis;
    units->setTitleText(tr("U"));
    auto *grams = new QValueAxis;
    grams->setTitleText(tr("g"));
    chart->addAxis(time, Qt::AlignBottom);
    chart->addAxis(units, Qt::AlignLeft);
    chart->addAxis(grams, Qt::AlignRight);
    attach(chart, iob, time, units);
    attach(chart, cob, time, grams);
    const auto maxOf = [](const QList<QPointF> &p, double floor) {
        double m = floor;
        for (const QPointF &q : p)
            m = std::max(m, q.y());
        return m;
    };
    units->setRange(std::min(0.0,
                             [&] {
                                 double m = 0;
                                 for (const QPointF &q : iobPoints)
                                     m = std::min(m, q.y());
                                 return m;
                             }()),
                    maxOf(iobPoints, 1) * 1.1);
    grams->setRange(0, maxOf(cobPoints, 10) * 1.1);
    chart->legend()->setAlignment(Qt::AlignRight);
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

QChart *agpChart(const metrics::ParticipantAnalysis &participant, GlucoseUnit unit)
{
    const std::array<metrics::AgpBin, agpBinCount> &bins = participant.agp;
    auto *chart = new QChart;
    const QString warning = agpWarning(participant.summary);
    chart->setTitle(warning.isEmpty()
                            ? tr("Ambulatory glucose profile (local time of day)")
                            : tr("Ambulatory glucose profile (local time of day)") + QLatin1Char('\n') + warning);
    auto *p5 = agpLine(bins, &metrics::AgpBin::p5, "p5", unit);
    auto *p25 = agpLine(bins, &metrics::AgpBin::p25, "p25", unit);
    auto *p50 = agpLine(bins, &metrics::AgpBin::p50, "p50", unit);
    auto *p75 = agpLine(bins, &metrics::AgpBin::p75, "p75", unit);
    auto *p95 = agpLine(bins, &metrics::AgpBin::p95, "p95", unit);
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
    auto *glucose = glucoseAxis(unit);
    chart->addAxis(hours, Qt::AlignBottom);
    chart->addAxis(glucose, Qt::AlignLeft);
    for (QAbstractSeries *s : std::initializer_list<QAbstractSeries *> { targetBand(0, 24, unit), outer, inner, p50 })
        attach(chart, s, hours, glucose);
    return chart;
}

QChart *rangeChart(const metrics::Summary &summary, GlucoseUnit unit)
{
    auto *chart = new QChart;
    chart->setTitle(tr("Time in ranges"));
    auto *series = new QStackedBarSeries;
    const double values[] = { summary.bands.veryLow, summary.bands.low, summary.bands.inRange, summary.bands.high,
                              summary.bands.veryHigh };
    const QStringList names = bandNames(unit);
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

QList<QPair<QString, QString>> metricRows(const metrics::Summary &s, GlucoseUnit unit)
{
    const QLocale locale;
    const auto number = [&](double v, int decimals) -> QString { return locale.toString(v, 'f', decimals); };
    // Explicit QString: a QStringBuilder returned from a lambda would refer to a dead temporary.
    const auto percent = [&](double v) -> QString { return number(v, 1) + QLatin1String(" %"); };
    const auto glucose = [&](double mgdl) -> QString {
        return formatGlucose(mgdl, unit, 1) + QLatin1Char(' ') + unitName(unit);
    };
    const auto day = [](qint64 ms) -> QString {
        return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    };
    if (s.isEmpty())
        return { { tr("Readings"), QStringLiteral("0") } };
    const QStringList bands = bandNames(unit);
    return {
        { tr("Readings"), locale.toString(s.readings) },
        { tr("First reading (UTC)"), day(s.firstUtcMs) },
        { tr("Last reading (UTC)"), day(s.lastUtcMs) },
        { tr("Active CGM time"), percent(s.activePercent) },
        { tr("Mean glucose"), glucose(s.mean) },
        { tr("Standard deviation"), glucose(s.sd) },
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
