// The local view's charts and metrics table as a researcher sees them, in a
// real 1400×900 window (QT_QPA_PLATFORM=offscreen): the legend's text as
// drawn, the target band, date labels that stay distinct for short files,
// the AGP's warning when the data do not meet the consensus, and a metrics
// table whose values are never cut off; the dashboards' month axes readable
// (never "...") from 6 months to 10 years at the sizes they are drawn.

#include "charts.h"
#include "cohortcharts.h"
#include "localviewpanel.h"
#include "metrics/entriesanalysis.h"
#include "seedreadings.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QGraphicsTextItem>
#include <QHeaderView>
#include <QLineSeries>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace openaps;

namespace {

// `days` of readings every 5 minutes, as one participant's analysis.
metrics::ParticipantAnalysis participantOver(int days)
{
    metrics::EntriesData data;
    const QString name = QStringLiteral("p%1").arg(days);
    data.participants = { name };
    const qint64 start = 1710028800000; // 2024-03-10T00:00Z
    for (int i = 0; i < days * 288; ++i)
        data.readings[name].append({ start + i * 300000LL, 60, 60.0 + (i % 60) * 4 });
    data.rows = data.readings[name].size();
    return metrics::analyse(std::move(data)).participants.first();
}

QStringList drawnTexts(QChart *chart, QSize size = QSize(700, 400))
{
    QChartView view(chart);
    view.resize(size);
    view.show();
    QCoreApplication::processEvents();
    QStringList texts;
    for (QGraphicsItem *item : view.scene()->items()) {
        if (auto *text = qgraphicsitem_cast<QGraphicsTextItem *>(item); text && text->isVisible())
            texts.append(text->toPlainText());
    }
    view.setChart(new QChart); // the caller owns `chart`
    return texts;
}

QAreaSeries *targetBand(QChart *chart)
{
    for (QAbstractSeries *s : chart->series()) {
        if (s->objectName() == QLatin1String("targetRange"))
            return qobject_cast<QAreaSeries *>(s);
    }
    return nullptr;
}

// `count` months from `first` (YYYY-MM), each with some participants; every
// seventh withheld.
researcher::CohortGroup months(QDate first, int count)
{
    researcher::CohortGroup group;
    group.name = QStringLiteral("months");
    for (int i = 0; i < count; ++i) {
        researcher::CohortCell cell;
        cell.key = first.addMonths(i).toString(QStringLiteral("yyyy-MM"));
        cell.suppressed = i % 7 == 3;
        if (!cell.suppressed)
            cell.participants = 10 + i;
        cell.figures.insert(QStringLiteral("readings"), 1000.0 * i);
        group.cells << cell;
    }
    return group;
}

// The drawn texts that are month labels (YYYY-MM).
QStringList monthLabels(const QStringList &texts)
{
    static const QRegularExpression month(QStringLiteral("^\\d{4}-\\d{2}"));
    QStringList out;
    for (const QString &text : texts) {
        if (month.match(text).hasMatch())
            out << text;
    }
    return out;
}

} // namespace

class TestCharts final : public QObject
{
    Q_OBJECT

private slots:
    void dashboardTitlesShowTheirLimitsAsWritten()
    {
        const QString title = QStringLiteral("Participants by time below 70 mg/dL (target < 4 %)");
        std::unique_ptr<QChart> chart(desktop::cohortBarChart(months(QDate(2024, 1, 1), 3), 5, title));
        const QStringList texts = drawnTexts(chart.get(), QSize(1300, 300));
        QVERIFY2(texts.contains(title), qPrintable(texts.join(QLatin1String(" | "))));
    }

    void monthLabelsAreNeverCut_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<QSize>("size");
        for (const int count : { 6, 12, 30, 61, 120 }) {
            for (const QSize size : { QSize(640, 300), QSize(420, 300), QSize(1300, 300) })
                QTest::addRow("%d months, %d px", count, size.width()) << count << size;
        }
    }
    void monthLabelsAreNeverCut()
    {
        QFETCH(int, count);
        QFETCH(QSize, size);
        const researcher::CohortGroup group = months(QDate(2019, 8, 1), count);
        researcher::CohortView loop;
        loop.k = 5;
        for (const researcher::CohortCell &cell : group.cells) {
            researcher::CohortGroup month;
            month.name = cell.key;
            researcher::CohortCell closed;
            closed.key = QStringLiteral("closed loop");
            closed.participants = 7;
            month.cells << closed;
            loop.groups << month;
        }
        std::unique_ptr<QChart> bars(desktop::cohortMonthsChart(group, 5));
        std::unique_ptr<QChart> loops(desktop::cohortLoopChart(loop));
        for (QChart *chart : { bars.get(), loops.get() }) {
            const QStringList texts = drawnTexts(chart, size);
            for (const QString &text : texts)
                QVERIFY2(!text.contains(QLatin1String("...")) && !text.contains(QChar(0x2026)), qPrintable(text));
            const QStringList labels = monthLabels(texts);
            // Several months named, the first or a January among them, in order.
            QVERIFY2(labels.size() >= 2, qPrintable(texts.join(QLatin1String(" | "))));
            QVERIFY2(labels.contains(QStringLiteral("2019-08")) || labels.contains(QStringLiteral("2020-01")),
                     qPrintable(labels.join(QLatin1Char(' '))));
            if (count == 6 && size.width() > 1000)
                QCOMPARE(labels.size(), count); // every month while they fit
        }
    }

    void legendShowsTheBandLimitsAsWritten()
    {
        const auto p = participantOver(3);
        std::unique_ptr<QChart> chart(desktop::rangeChart(p.summary));
        const QStringList texts = drawnTexts(chart.get());
        QVERIFY2(texts.contains(QStringLiteral("Very low (<54)")), qPrintable(texts.join(QLatin1String(" | "))));
        QVERIFY(texts.contains(QStringLiteral("Very high (>250)")));
    }

    void targetRangeIsShadedOnGlucoseAndAgp()
    {
        const auto p = participantOver(3);
        std::unique_ptr<QChart> glucose(desktop::glucoseChart(p));
        std::unique_ptr<QChart> agp(desktop::agpChart(p));
        for (QChart *chart : { glucose.get(), agp.get() }) {
            QAreaSeries *band = targetBand(chart);
            QVERIFY(band);
            QCOMPARE(band->lowerSeries()->at(0).y(), 70.0);
            QCOMPARE(band->upperSeries()->at(1).y(), 180.0);
        }
        // The band spans the whole readings period on the glucose chart.
        QAreaSeries *band = targetBand(glucose.get());
        QCOMPARE(qint64(band->lowerSeries()->at(0).x()), p.readings.first().utcMs);
        QCOMPARE(qint64(band->lowerSeries()->at(1).x()), p.readings.last().utcMs);
    }

    void shortRangesLabelTimesNotRepeatedDates()
    {
        const auto format = [](int days) {
            std::unique_ptr<QChart> chart(desktop::glucoseChart(participantOver(days)));
            return qobject_cast<QDateTimeAxis *>(chart->axes(Qt::Horizontal).first())->format();
        };
        QVERIFY2(format(1).contains(QLatin1String("HH:mm")), qPrintable(format(1)));
        QVERIFY2(format(2).contains(QLatin1String("HH:mm")), qPrintable(format(2)));
        QVERIFY(format(2).contains(QLatin1String("dd")));
        QCOMPARE(format(30), QStringLiteral("yyyy-MM-dd"));
    }

    void agpWarnsWhenTheDataAreNotEnough()
    {
        const auto shortFile = participantOver(2);
        std::unique_ptr<QChart> warned(desktop::agpChart(shortFile));
        QVERIFY2(warned->title().contains(QLatin1String("Not enough data")), qPrintable(warned->title()));
        QVERIFY(warned->title().contains(QLatin1String("needs 14 days and 70 %")));
        QVERIFY(!metrics::isSufficient(shortFile.summary));

        const auto longFile = participantOver(15);
        QVERIFY(metrics::isSufficient(longFile.summary));
        std::unique_ptr<QChart> plain(desktop::agpChart(longFile));
        QVERIFY2(!plain->title().contains(QLatin1String("Not enough")), qPrintable(plain->title()));

        // 15 days with the sensor worn half the time: not enough either.
        auto sparse = longFile;
        sparse.summary.activePercent = 50;
        QVERIFY(!metrics::isSufficient(sparse.summary));
        QVERIFY(desktop::agpWarning(sparse.summary).contains(QLatin1String("50 %")));
    }

    void metricsTableShowsEveryValueWhole()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("entries.csv"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("user_id,date,sgv,utc_offset\n");
        for (const metrics::Reading &r : test::seedReadings(1)) {
            file.write(QStringLiteral("4711000000000001,%1,%2,%3\n")
                               .arg(QDateTime::fromMSecsSinceEpoch(r.utcMs, QTimeZone::utc()).toString(Qt::ISODate))
                               .arg(r.mgdl)
                               .arg(r.offsetMinutes)
                               .toUtf8());
        }
        file.close();

        desktop::LocalViewPanel panel;
        panel.resize(1400, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.loadFile(path);
        QTRY_VERIFY(panel.analysis() && !panel.isLoading());
        QCoreApplication::processEvents();
        auto *table = panel.findChild<QTableWidget *>(QStringLiteral("metricsTable"));
        QVERIFY(table->rowCount() > 10);
        const QRect viewport = table->viewport()->rect();
        for (int row = 0; row < table->rowCount(); ++row) {
            for (int column = 0; column < 2; ++column) {
                QTableWidgetItem *item = table->item(row, column);
                const QRect cell = table->visualItemRect(item);
                const int needed = table->fontMetrics().horizontalAdvance(item->text());
                QVERIFY2(cell.right() <= viewport.right() && cell.width() >= needed,
                         qPrintable(QStringLiteral("'%1' is cut off: cell %2 px wide at x=%3, needs %4, viewport %5")
                                            .arg(item->text())
                                            .arg(cell.width())
                                            .arg(cell.x())
                                            .arg(needed)
                                            .arg(viewport.width())));
            }
        }
    }
};

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
