#include "cohortcharts.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QCoreApplication>
#include <QFontMetrics>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QStackedBarSeries>
#include <QValueAxis>

#include <algorithm>

namespace openaps::desktop {

namespace {

using researcher::CohortCell;
using researcher::CohortGroup;

QString tr(const char *text)
{
    return QCoreApplication::translate("CohortCharts", text);
}

const QColor shownColour(0x1e, 0x88, 0xe5);
const QColor suppressedColour(0x75, 0x75, 0x75);

QChart *newChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title.toHtmlEscaped()); // QChart reads markup: "(target < 4 %)" lost its end
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    return chart;
}

// Withheld cells: a hatched bar up to k, "fewer than k" made visible.
QBarSet *suppressedSet(int k)
{
    auto *set = new QBarSet(tr("suppressed (< %1 participants)").arg(k));
    set->setObjectName(QStringLiteral("suppressed"));
    set->setBrush(QBrush(suppressedColour, Qt::BDiagPattern));
    set->setBorderColor(suppressedColour);
    return set;
}

QBarSet *countSet(const QString &name, const char *objectName, const QColor &colour)
{
    auto *set = new QBarSet(name);
    set->setObjectName(QString::fromLatin1(objectName));
    set->setColor(colour);
    return set;
}

QValueAxis *countAxis(double max, const QString &title)
{
    auto *axis = new QValueAxis;
    axis->setRange(0, std::max(1.0, max * 1.1));
    axis->setLabelFormat(QStringLiteral("%d"));
    axis->setTitleText(title);
    return axis;
}

void attach(QChart *chart, QAbstractSeries *series, QAbstractAxis *x, QAbstractAxis *y)
{
    chart->addSeries(series);
    if (!chart->axes(Qt::Horizontal).contains(x))
        chart->addAxis(x, Qt::AlignBottom);
    if (!chart->axes(Qt::Vertical).contains(y))
        chart->addAxis(y, y->objectName() == QLatin1String("right") ? Qt::AlignRight : Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
}

// Hides the legend entry of the hatched set when nothing was withheld.
void hideEmptySuppressed(QChart *chart, QBarSet *suppressed)
{
    if (suppressed->sum() > 0)
        return;
    for (QLegendMarker *marker : chart->legend()->markers()) {
        if (marker->label() == suppressed->label())
            marker->setVisible(false);
    }
}

// Whether the `step`-th month labels start at `key` (index `i`): January,
// April, July, ... of "YYYY-MM" keys (January of even years for 24), else
// every step-th key.
bool startsStep(const QString &key, int i, int step)
{
    if (key.size() != 7 || key.at(4) != QLatin1Char('-'))
        return i % step == 0;
    const int year = key.left(4).toInt(), month = key.mid(5).toInt();
    return step > 12 ? month == 1 && year % (step / 12) == 0 : (month - 1) % step == 0;
}

// Months along the bottom. QtCharts cuts a category label that is wider than
// its bar to "...", which five years of months did. So the bars' own axis
// labels each month only while every label fits the plot's width; beyond,
// a second axis names every `step`-th month at its bar (step 2, 3, 6, 12 or
// 24 months, as small as fits; on January, July, ... where the keys are
// "YYYY-MM"), chosen again whenever the plot's width changes.
void labelMonths(QChart *chart, QBarCategoryAxis *bars, const QStringList &months)
{
    bars->setLabelsAngle(0);
    auto *sparse = new QCategoryAxis;
    sparse->setObjectName(QStringLiteral("monthLabels"));
    sparse->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    sparse->setGridLineVisible(false);
    sparse->setStartValue(-0.5);
    sparse->setRange(-0.5, double(months.size()) - 0.5);
    sparse->setVisible(false);
    chart->addAxis(sparse, Qt::AlignBottom);
    const auto relabel = [chart, bars, sparse, months](const QRectF &plot) {
        if (months.isEmpty() || plot.width() <= 0)
            return;
        const QFontMetricsF metrics(bars->labelsFont());
        double widest = 0;
        for (const QString &label : bars->categories())
            widest = std::max(widest, metrics.horizontalAdvance(label));
        const double perMonth = plot.width() / double(months.size());
        const double monthLabel = metrics.horizontalAdvance(months.first()) + 24; // with room between labels
        int step = 0; // 0: every month on the bars' axis
        if (perMonth < widest + 12) {
            step = 24;
            for (const int s : { 1, 2, 3, 6, 12 }) {
                if (perMonth * s >= monthLabel) {
                    step = s;
                    break;
                }
            }
        }
        if (chart->property("monthStep").toInt() == step + 1)
            return;
        chart->setProperty("monthStep", step + 1);
        bars->setLabelsVisible(step == 0);
        sparse->setVisible(step != 0);
        for (const QString &label : sparse->categoriesLabels())
            sparse->remove(label);
        QList<int> labelled;
        for (int i = 0; step > 0 && i < months.size(); ++i) {
            // Whole steps apart (a month missing from the keys never crowds two labels).
            if (startsStep(months[i], i, step) && (labelled.isEmpty() || i - labelled.last() >= step))
                labelled << i;
        }
        if (step > 0 && (labelled.isEmpty() || labelled.first() >= step))
            labelled.prepend(0); // the first month, when no label is near it
        for (const int i : std::as_const(labelled))
            sparse->append(months[i], i);
    };
    QObject::connect(chart, &QChart::plotAreaChanged, sparse, relabel);
}

} // namespace

QString cohortCategoryLabel(const CohortCell &cell, int k)
{
    return cell.suppressed ? tr("%1 (suppressed, < %2)").arg(cell.key).arg(k) : cell.key;
}

QChart *cohortBarChart(const CohortGroup &group, int k, const QString &title)
{
    QChart *chart = newChart(title);
    auto *shown = countSet(tr("participants"), "participants", shownColour);
    QBarSet *hidden = suppressedSet(k);
    QStringList categories;
    double max = k;
    for (const CohortCell &cell : group.cells) {
        categories << cohortCategoryLabel(cell, k);
        shown->append(cell.suppressed ? 0 : double(*cell.participants));
        hidden->append(cell.suppressed ? k : 0);
        max = std::max(max, double(cell.participants.value_or(0)));
    }
    auto *series = new QStackedBarSeries;
    series->setObjectName(QStringLiteral("cells"));
    series->append(shown);
    series->append(hidden);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    if (categories.size() > 6)
        x->setLabelsAngle(-45);
    attach(chart, series, x, countAxis(max, tr("participants")));
    hideEmptySuppressed(chart, hidden);
    if (group.cells.isEmpty())
        chart->setTitle(QString(title + tr(" (no participants)")).toHtmlEscaped());
    return chart;
}

QChart *cohortMonthsChart(const CohortGroup &months, int k)
{
    QChart *chart = cohortBarChart(months, k, tr("Participants with readings per month"));
    auto *readings = new QLineSeries;
    readings->setObjectName(QStringLiteral("readings"));
    readings->setName(tr("readings"));
    double max = 1;
    for (int i = 0; i < months.cells.size(); ++i) {
        if (const auto n = months.cells[i].figure(QStringLiteral("readings"))) {
            readings->append(i, *n);
            max = std::max(max, *n);
        }
    }
    auto *right = countAxis(max, tr("readings"));
    right->setObjectName(QStringLiteral("right"));
    right->setLabelFormat(QStringLiteral("%.0f"));
    auto *x = qobject_cast<QBarCategoryAxis *>(chart->axes(Qt::Horizontal).value(0));
    attach(chart, readings, x, right);
    QStringList keys;
    for (const CohortCell &cell : months.cells)
        keys << cell.key;
    labelMonths(chart, x, keys);
    return chart;
}

QChart *cohortBandsChart(const CohortGroup &bands, int k)
{
    QChart *chart = newChart(tr("Time in each range across participants (percent of readings)"));
    const std::pair<const char *, QColor> percentiles[] = { { "p25", QColor(0x90, 0xca, 0xf9) },
                                                            { "p50", QColor(0x1e, 0x88, 0xe5) },
                                                            { "p75", QColor(0x0d, 0x47, 0xa1) } };
    auto *series = new QBarSeries;
    series->setObjectName(QStringLiteral("bands"));
    QStringList categories;
    for (const CohortCell &cell : bands.cells)
        categories << cohortCategoryLabel(cell, k);
    for (const auto &[name, colour] : percentiles) {
        auto *set = countSet(tr("%1th percentile").arg(QString::fromLatin1(name + 1)), name, colour);
        for (const CohortCell &cell : bands.cells)
            set->append(cell.figure(QString::fromLatin1(name)).value_or(0)); // withheld: labelled, no bar
        series->append(set);
    }
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    auto *y = new QValueAxis;
    y->setRange(0, 100);
    y->setLabelFormat(QStringLiteral("%d %%"));
    attach(chart, series, x, y);
    return chart;
}

QChart *cohortTimeOfDayChart(const CohortGroup &bins, int k, GlucoseUnit unit)
{
    QChart *chart = newChart(tr("Cohort glucose by local time of day (%1)").arg(unitName(unit)));
    const double top = toUnit(400, unit);
    auto *x = new QValueAxis;
    x->setRange(0, 24);
    x->setTickCount(9);
    x->setLabelFormat(QStringLiteral("%d:00"));
    auto *y = new QValueAxis;
    y->setRange(0, top);
    y->setTickCount(9);
    y->setLabelFormat(unit == GlucoseUnit::MgDl ? QStringLiteral("%d") : QStringLiteral("%.1f"));
    y->setTitleText(unitName(unit));
    const auto line = [](const char *name) {
        auto *s = new QLineSeries;
        s->setObjectName(QString::fromLatin1(name));
        return s;
    };
    QLineSeries *p5 = line("p5"), *p25 = line("p25"), *p50 = line("p50"), *p75 = line("p75"), *p95 = line("p95");
    auto *hiddenTop = line("suppressedTop");
    auto *hiddenBottom = line("suppressedBottom");
    int suppressed = 0;
    for (int i = 0; i < bins.cells.size(); ++i) {
        const CohortCell &cell = bins.cells[i];
        const double hour = (i + 0.5) * 24.0 / double(std::max<qsizetype>(1, bins.cells.size()));
        const auto p = [&cell, unit](const char *n) -> std::optional<double> {
            const auto v = cell.figure(QString::fromLatin1(n));
            return v ? std::optional<double>(toUnit(*v, unit)) : std::nullopt;
        };
        if (!cell.suppressed && p("p50")) {
            p5->append(hour, p("p5").value_or(0));
            p25->append(hour, p("p25").value_or(0));
            p50->append(hour, *p("p50"));
            p75->append(hour, p("p75").value_or(0));
            p95->append(hour, p("p95").value_or(0));
        }
        // A withheld bin: a hatched column over its quarter hour (NaN-free:
        // bottom 0 where the bin is shown).
        const double x0 = i * 24.0 / double(bins.cells.size()), x1 = (i + 1) * 24.0 / double(bins.cells.size());
        const double hiddenHeight = cell.suppressed ? top : 0;
        suppressed += cell.suppressed ? 1 : 0;
        hiddenTop->append(x0, hiddenHeight);
        hiddenTop->append(x1, hiddenHeight);
        hiddenBottom->append(x0, 0);
        hiddenBottom->append(x1, 0);
    }
    auto *outer = new QAreaSeries(p95, p5);
    outer->setObjectName(QStringLiteral("p5-p95"));
    outer->setName(tr("5–95 %"));
    outer->setColor(QColor(0x90, 0xca, 0xf9, 0x90));
    outer->setBorderColor(Qt::transparent);
    auto *inner = new QAreaSeries(p75, p25);
    inner->setObjectName(QStringLiteral("p25-p75"));
    inner->setName(tr("25–75 %"));
    inner->setColor(QColor(0x1e, 0x88, 0xe5, 0xa0));
    inner->setBorderColor(Qt::transparent);
    p50->setName(tr("median"));
    p50->setColor(QColor(0x0d, 0x47, 0xa1));
    auto *hidden = new QAreaSeries(hiddenTop, hiddenBottom);
    hidden->setObjectName(QStringLiteral("suppressed"));
    hidden->setName(tr("suppressed (< %1 participants)").arg(k));
    hidden->setBrush(QBrush(suppressedColour, Qt::BDiagPattern));
    hidden->setBorderColor(Qt::transparent);
    for (QAbstractSeries *s : std::initializer_list<QAbstractSeries *> { outer, inner, p50, hidden })
        attach(chart, s, x, y);
    if (suppressed == 0) {
        for (QLegendMarker *marker : chart->legend()->markers(hidden))
            marker->setVisible(false);
    }
    return chart;
}

QChart *cohortLoopChart(const researcher::CohortView &view)
{
    QChart *chart = newChart(tr("Loop type by month (participants)"));
    const std::pair<const char *, QColor> kinds[] = { { "closed loop", QColor(0x43, 0xa0, 0x47) },
                                                      { "open loop", QColor(0xfb, 0xc0, 0x2d) },
                                                      { "mixed", QColor(0x1e, 0x88, 0xe5) } };
    auto *series = new QStackedBarSeries;
    series->setObjectName(QStringLiteral("cells"));
    QList<QBarSet *> sets;
    for (const auto &[name, colour] : kinds) {
        sets << countSet(QString::fromLatin1(name), name, colour);
        series->append(sets.last());
    }
    QBarSet *hidden = suppressedSet(view.k);
    series->append(hidden);
    QStringList months;
    double max = view.k;
    for (const CohortGroup &month : view.groups) {
        months << month.name;
        double total = 0, withheld = 0;
        for (int i = 0; i < sets.size(); ++i) {
            const auto cell = std::find_if(month.cells.cbegin(), month.cells.cend(),
                                           [&](const CohortCell &c) { return c.key == QLatin1String(kinds[i].first); });
            const double n = cell == month.cells.cend() || cell->suppressed ? 0 : double(*cell->participants);
            withheld += cell != month.cells.cend() && cell->suppressed ? view.k : 0;
            sets[i]->append(n);
            total += n;
        }
        hidden->append(withheld);
        max = std::max(max, total + withheld);
    }
    auto *x = new QBarCategoryAxis;
    x->append(months);
    attach(chart, series, x, countAxis(max, tr("participants")));
    labelMonths(chart, x, months);
    hideEmptySuppressed(chart, hidden);
    return chart;
}

} // namespace openaps::desktop
