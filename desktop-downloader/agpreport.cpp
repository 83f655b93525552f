#include "agpreport.h"

#include "charts.h"
#include "core/civildate.h"
#include "exports.h"

#include <QChart>
#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QTimeZone>

#include <memory>

namespace openaps::desktop {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("AgpReport", text);
}

constexpr int profileDays = 14;
const QColor ink(0x21, 0x21, 0x21);
const QColor muted(0x61, 0x61, 0x61);
const QColor warningInk(0xb0, 0x00, 0x20);
const QColor targetFill(0x43, 0xa0, 0x47, 0x38);
const QColor bandColours[] = { QColor(0x8b, 0x00, 0x00), QColor(0xe5, 0x39, 0x35), QColor(0x43, 0xa0, 0x47),
                               QColor(0xfb, 0xc0, 0x2d), QColor(0xef, 0x6c, 0x00) };

QString isoDay(qint64 days)
{
    int y = 0, m = 0, d = 0;
    civil::civilFromDays(days, y, m, d);
    return QDate(y, m, d).toString(Qt::ISODate);
}

QFont font(double points, bool bold = false)
{
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setPointSizeF(points);
    f.setBold(bold);
    // Any letter spacing turns ligatures off: "Coefficient" must copy (and
    // pdftotext) as written, not with an "ffi" glyph.
    f.setLetterSpacing(QFont::AbsoluteSpacing, 0.1);
    return f;
}

// A heading with a rule under it; returns the y below it.
double heading(QPainter &p, const QString &text, double x, double y, double width)
{
    p.setFont(font(11, true));
    p.setPen(ink);
    const double h = p.fontMetrics().height();
    p.drawText(QRectF(x, y, width, h), Qt::AlignLeft | Qt::AlignVCenter, text);
    p.setPen(QPen(muted, 1));
    p.drawLine(QPointF(x, y + h + 2), QPointF(x + width, y + h + 2));
    return y + h + 8;
}

void metricsPanel(QPainter &p, const metrics::Summary &s, GlucoseUnit unit, const QRectF &box)
{
    double y = heading(p, tr("Glucose statistics and targets"), box.left(), box.top(), box.width());
    p.setFont(font(8.5));
    const double line = p.fontMetrics().height() * 1.25;
    const auto rows = metricRows(s, unit);
    for (const auto &[name, value] : rows) {
        if (y + line > box.bottom())
            break;
        p.setPen(muted);
        p.drawText(QRectF(box.left(), y, box.width() * 0.62, line), Qt::AlignLeft | Qt::AlignVCenter, name);
        p.setPen(ink);
        p.drawText(QRectF(box.left() + box.width() * 0.62, y, box.width() * 0.38, line),
                   Qt::AlignRight | Qt::AlignVCenter, value);
        y += line;
    }
}

// The consensus' single stacked bar, very high on top, each band labelled
// with its share.
void rangeBar(QPainter &p, const metrics::Summary &s, GlucoseUnit unit, const QRectF &box)
{
    const double top = heading(p, tr("Time in ranges"), box.left(), box.top(), box.width());
    const QRectF bar(box.left(), top, box.width() * 0.18, box.bottom() - top);
    const double values[] = { s.bands.veryLow, s.bands.low, s.bands.inRange, s.bands.high, s.bands.veryHigh };
    const QStringList names = bandNames(unit);
    const QLocale locale;
    double y = bar.bottom();
    p.setFont(font(8.5));
    const double labelHeight = p.fontMetrics().height();
    // Labels evenly spaced beside the bar (thin bands would overlap).
    for (int i = 0; i < 5; ++i) {
        const double h = bar.height() * std::max(0.0, values[i]) / 100.0;
        p.fillRect(QRectF(bar.left(), y - h, bar.width(), h), bandColours[i]);
        y -= h;
        const double labelY = bar.bottom() - (i + 0.5) * bar.height() / 5 - labelHeight / 2;
        p.setPen(ink);
        p.drawText(QRectF(bar.right() + 10, labelY, box.width() - bar.width() - 10, labelHeight),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   names[i] + QStringLiteral("  ") + locale.toString(values[i], 'f', 1) + QStringLiteral(" %"));
    }
    p.setPen(QPen(muted, 1));
    p.drawRect(bar);
}

void dailyProfiles(QPainter &p, const metrics::ParticipantAnalysis &participant, GlucoseUnit unit, const QRectF &box)
{
    const double top = heading(p, tr("Daily glucose profiles (last %1 days, local time)").arg(profileDays), box.left(),
                               box.top(), box.width());
    const QList<qint64> days = dailyProfileDays(participant);
    const double maxValue = toUnit(metrics::highestReported, unit);
    constexpr int columns = 7;
    const double gap = 6;
    const double cellWidth = (box.width() - gap * (columns - 1)) / columns;
    const double cellHeight = (box.bottom() - top - gap) / 2;
    p.setFont(font(7));
    const double label = p.fontMetrics().height() + 2;
    for (int i = 0; i < days.size(); ++i) {
        const int row = i / columns;
        const QRectF cell(box.left() + (i % columns) * (cellWidth + gap), top + row * (cellHeight + gap), cellWidth,
                          cellHeight);
        const QRectF plot(cell.left(), cell.top() + label, cell.width(), cell.height() - label);
        p.setPen(muted);
        p.drawText(QRectF(cell.left(), cell.top(), cell.width(), label), Qt::AlignCenter, isoDay(days[i]));
        const auto yOf = [&](double mgdl) {
            return plot.bottom() - plot.height() * std::min(1.0, toUnit(mgdl, unit) / maxValue);
        };
        p.fillRect(
                QRectF(QPointF(plot.left(), yOf(metrics::targetHigh)), QPointF(plot.right(), yOf(metrics::targetLow))),
                targetFill);
        p.setPen(QPen(QColor(0xbd, 0xbd, 0xbd), 0.8));
        p.drawRect(plot);
        // Readings of that local day, broken where the sensor was off.
        QPainterPath path;
        qint64 previousMs = 0;
        for (const metrics::Reading &r : participant.readings) {
            if (metrics::localDay(r) != days[i])
                continue;
            const QPointF at(plot.left() + plot.width() * metrics::localMinuteOfDay(r) / 1440.0, yOf(r.mgdl));
            if (path.elementCount() == 0 || r.utcMs - previousMs > 3 * metrics::cgmIntervalMs)
                path.moveTo(at);
            else
                path.lineTo(at);
            previousMs = r.utcMs;
        }
        p.setPen(QPen(QColor(0x0d, 0x47, 0xa1), 1.0));
        p.drawPath(path);
    }
}

} // namespace

QString agpReportFileName(const QString &participant)
{
    QString safe;
    for (const QChar c : participant)
        safe += c.isLetterOrNumber() || c == QLatin1Char('-') ? c : QLatin1Char('_');
    return QStringLiteral("agp_%1.pdf").arg(safe.isEmpty() ? QStringLiteral("participant") : safe);
}

QList<qint64> dailyProfileDays(const metrics::ParticipantAnalysis &participant)
{
    QList<qint64> days;
    if (participant.readings.isEmpty())
        return days;
    qint64 last = metrics::localDay(participant.readings.last());
    for (const metrics::Reading &r : participant.readings) // offsets can move the newest day
        last = std::max(last, metrics::localDay(r));
    for (qint64 d = last - profileDays + 1; d <= last; ++d)
        days.append(d);
    return days;
}

Status writeAgpReport(const metrics::ParticipantAnalysis &participant, GlucoseUnit unit, const QString &path)
{
    QPdfWriter pdf(path);
    pdf.setPageSize(QPageSize(QPageSize::A4));
    pdf.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter);
    pdf.setResolution(110);
    pdf.setTitle(tr("AGP report, participant %1").arg(participant.participant));
    pdf.setCreator(QStringLiteral("openaps-downloader"));
    QPainter p;
    if (!p.begin(&pdf))
        return makeError("unwritable", QStringLiteral("%1 could not be written.").arg(path));
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF page(QPointF(0, 0), QSizeF(pdf.width(), pdf.height()));
    const metrics::Summary &s = participant.summary;

    // Title, participant (pseudonym only), period.
    p.setPen(ink);
    p.setFont(font(15, true));
    double y = 0;
    const double titleHeight = p.fontMetrics().height();
    p.drawText(QRectF(0, y, page.width(), titleHeight), Qt::AlignLeft | Qt::AlignVCenter,
               tr("AGP Report: Continuous Glucose Monitoring"));
    y += titleHeight + 4;
    p.setFont(font(9.5));
    const double line = p.fontMetrics().height() * 1.2;
    const QString period = s.isEmpty()
            ? tr("no readings")
            : tr("%1 – %2 (%3 days), glucose in %4")
                      .arg(QDateTime::fromMSecsSinceEpoch(s.firstUtcMs, QTimeZone::utc()).date().toString(Qt::ISODate),
                           QDateTime::fromMSecsSinceEpoch(s.lastUtcMs, QTimeZone::utc()).date().toString(Qt::ISODate),
                           QLocale().toString(metrics::periodDays(s), 'f', 1), unitName(unit));
    p.drawText(QRectF(0, y, page.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
               tr("Participant %1    %2").arg(participant.participant, period));
    y += line;
    const QString warning = agpWarning(s);
    if (!warning.isEmpty()) {
        p.setPen(warningInk);
        p.drawText(QRectF(0, y, page.width(), line), Qt::AlignLeft | Qt::AlignVCenter, warning);
        p.setPen(ink);
    }
    y += line + 6;

    // Metrics panel (left) and time-in-ranges bar (right).
    const double upper = page.height() * 0.33;
    metricsPanel(p, s, unit, QRectF(0, y, page.width() * 0.55, upper));
    rangeBar(p, s, unit, QRectF(page.width() * 0.62, y, page.width() * 0.38, upper * 0.8));
    y += upper + 6;

    // AGP percentile curves, as vectors.
    y = heading(p, tr("Ambulatory glucose profile (AGP)"), 0, y, page.width());
    const double agpHeight = page.height() * 0.3;
    std::unique_ptr<QChart> agp(agpChart(participant, unit));
    agp->setTitle(QString());
    agp->legend()->setAlignment(Qt::AlignRight);
    paintChart(agp.get(), p, QRectF(0, y, page.width(), agpHeight));
    y += agpHeight + 6;

    dailyProfiles(p, participant, unit, QRectF(0, y, page.width(), page.height() - y - line * 1.5));

    p.setPen(muted);
    p.setFont(font(7));
    p.drawText(QRectF(0, page.height() - line, page.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
               tr("OpenAPS Data Commons · openaps-downloader %1 · consensus metrics (Battelino 2019) · period in "
                  "UTC; AGP and daily profiles in local time")
                       .arg(QCoreApplication::applicationVersion()));
    if (!p.end())
        return makeError("unwritable", QStringLiteral("%1 could not be written.").arg(path));
    return {};
}

} // namespace openaps::desktop
