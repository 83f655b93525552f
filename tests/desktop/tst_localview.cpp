// The local view with every dataset, in a real 1400×900 window offscreen:
// entries, treatments, device status and profile downloads of one
// participant opened together (CSV and NDJSON, plain and gzip); insulin and
// carbs on the glucose chart; the day view, zoom and pan; the mg/dL ↔
// mmol/L switch on every displayed value, remembered; charts saved as PNG
// and SVG of the shown size and tables as CSV.

#include "charts.h"
#include "core/csv.h"
#include "desktoptest.h"
#include "exports.h"
#include "localfiles.h"
#include "localviewpanel.h"
#include "metrics/entriesanalysis.h"
#include "seedreadings.h"
#include "units.h"

#include <QAreaSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QValueAxis>

using namespace openaps;
using test::child;

namespace {

const QString participant = QStringLiteral("4711000000000001");

struct Files
{
    QStringList paths;
    QList<metrics::Reading> readings;
    test::TreatmentsFile treatments;
    qint64 start = 0;
};

Files writeAll(const QDir &dir)
{
    Files f;
    f.readings = test::seedReadings(0);
    f.start = f.readings.first().utcMs;
    f.treatments = test::treatmentsCsv(participant, f.start);
    f.paths = { test::writeFile(dir, QStringLiteral("entries.csv"), test::entriesCsv(participant, f.readings)),
                test::writeFile(dir, QStringLiteral("treatments.csv.gz"), f.treatments.csv),
                test::writeFile(dir, QStringLiteral("device_status_metrics.ndjson"),
                                test::deviceStatusMetricsNdjson(participant, f.start, 48)),
                test::writeFile(dir, QStringLiteral("profile.ndjson.gz"), test::profileNdjson(participant, f.start)) };
    return f;
}

QString metricValue(QTableWidget *table, const QString &name)
{
    for (int row = 0; row < table->rowCount(); ++row) {
        if (table->item(row, 0)->text() == name)
            return table->item(row, 1)->text();
    }
    return QStringLiteral("<no row %1>").arg(name);
}

template <typename S> S *series(QChartView *view, const char *name)
{
    return view->chart()->findChild<S *>(QString::fromLatin1(name));
}

// Shows `panel` at 1400×900 and opens `paths` in it (the caller returns if
// QTest::currentTestFailed()).
void showAndLoad(desktop::LocalViewPanel &panel, const QStringList &paths)
{
    panel.resize(1400, 900);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.loadFiles(paths);
    QTRY_VERIFY(panel.data() && !panel.isLoading());
}

} // namespace

class TestLocalView final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void everyDatasetOpensTogether()
    {
        QTemporaryDir dir;
        const Files files = writeAll(QDir(dir.path()));
        desktop::LocalViewPanel panel;
        showAndLoad(panel, files.paths);
        if (QTest::currentTestFailed())
            return;
        const metrics::LocalData *data = panel.data();
        QCOMPARE(data->datasets,
                 QStringList({ QStringLiteral("entries"), QStringLiteral("treatments"),
                               QStringLiteral("device_status_metrics"), QStringLiteral("profile") }));
        QCOMPARE(data->participants, QStringList { participant });
        QCOMPARE(panel.currentParticipant(), participant);

        // Treatments as markers on the glucose chart, one per dose and meal.
        auto *glucose = child<QChartView>(&panel, "glucoseChart");
        QCOMPARE(series<QScatterSeries>(glucose, "insulin")->count(), files.treatments.insulin);
        QCOMPARE(series<QScatterSeries>(glucose, "carbs")->count(), files.treatments.carbs);
        QCOMPARE(child<QTableView>(&panel, "treatmentsTable")->model()->rowCount(), files.treatments.rows);
        QCOMPARE(child<QTableView>(&panel, "treatmentsTable")->model()->index(0, 2).data().toString(),
                 QLocale().toString(1.5, 'f', 2));

        // Device status: IOB and COB over time, the loop's decisions in a table.
        auto *loop = child<QChartView>(&panel, "loopChart");
        QVERIFY(loop->isVisible());
        QCOMPARE(series<QLineSeries>(loop, "iob")->count(), 48);
        QCOMPARE(series<QLineSeries>(loop, "iob")->at(10).y(), 1.0);
        auto *loopTable = child<QTableView>(&panel, "loopTable")->model();
        QCOMPARE(loopTable->rowCount(), 48);
        QCOMPARE(loopTable->index(3, 4).data().toString(), QStringLiteral("temp basal 0.8 U/h for 30 min"));
        QCOMPARE(loopTable->index(3, 3).data().toString(), QStringLiteral("103"));

        auto *profile = child<QTableView>(&panel, "profileTable")->model();
        QCOMPARE(profile->rowCount(), 1);
        QCOMPARE(profile->index(0, 1).data().toString(), QStringLiteral("profile-0a1b2c3d"));
        QCOMPARE(profile->index(0, 3).data().toString(), QStringLiteral("America/New_York"));

        // The entries' metrics are shared/metrics' on the same readings; the
        // target band and the AGP warning (2 days) are still there.
        const metrics::Summary expected = metrics::summarize(files.readings);
        QCOMPARE(panel.analysis()->participants.first().summary.readings, expected.readings);
        QVERIFY(child<QChartView>(&panel, "agpChart")->chart()->title().contains(QLatin1String("Not enough data")));
        QVERIFY(series<QAreaSeries>(glucose, "targetRange"));
    }

    void aFileOfAnotherKindIsNamedInTheError()
    {
        QTemporaryDir dir;
        const QString path = test::writeFile(QDir(dir.path()), QStringLiteral("notes.csv"), "a,b\n1,2\n");
        desktop::LocalViewPanel panel;
        panel.loadFile(path);
        QTRY_VERIFY(!panel.isLoading());
        QTRY_VERIFY(child<QLabel>(&panel, "loadStatus")->text().contains(QLatin1String("notes.csv")));
        QVERIFY(!panel.data());
    }

    void dayViewZoomAndPan()
    {
        QTemporaryDir dir;
        const Files files = writeAll(QDir(dir.path()));
        desktop::LocalViewPanel panel;
        showAndLoad(panel, files.paths);
        if (QTest::currentTestFailed())
            return;
        const qint64 day = 24 * 3600 * 1000LL;
        QCOMPARE(panel.range().fromMs, files.readings.first().utcMs);

        const QDate first = QDateTime::fromMSecsSinceEpoch(files.start, QTimeZone::utc()).date();
        panel.showDay(first.addDays(1));
        QCOMPARE(panel.range().span(), day);
        auto *glucose = child<QChartView>(&panel, "glucoseChart");
        auto *line = series<QLineSeries>(glucose, "glucose");
        QVERIFY(line->count() > 200);
        for (const QPointF &p : line->points())
            QVERIFY(p.x() >= panel.range().fromMs && p.x() <= panel.range().toMs);
        auto *axis = qobject_cast<QDateTimeAxis *>(glucose->chart()->axes(Qt::Horizontal).first());
        QCOMPARE(axis->min().toMSecsSinceEpoch(), panel.range().fromMs);
        QCOMPARE(axis->format(), QStringLiteral("HH:mm"));

        const desktop::TimeRange before = panel.range();
        panel.zoom(0.5);
        QCOMPARE(panel.range().span(), day / 2);
        panel.pan(1);
        QCOMPARE(panel.range().fromMs, before.fromMs + day / 4 + day / 2);

        // A rubber-band zoom on the chart is drawn again from the data.
        panel.showWholeRange();
        const int whole = series<QLineSeries>(glucose, "glucose")->count();
        glucose->chart()->zoomIn(QRectF(glucose->chart()->plotArea().center(), QSizeF(50, 10)));
        QTRY_VERIFY(panel.range().span() < day);
        QVERIFY(series<QLineSeries>(glucose, "glucose")->count() < whole);

        // A right click (the export menu) leaves the range alone.
        const desktop::TimeRange zoomed = panel.range();
        QTest::mouseClick(glucose->viewport(), Qt::RightButton, {}, glucose->viewport()->rect().center());
        QTest::qWait(400); // longer than the redraw's delay
        QCOMPARE(panel.range().fromMs, zoomed.fromMs);
        QCOMPARE(panel.range().toMs, zoomed.toMs);

        // Keys on the chart zoom and pan too.
        const desktop::TimeRange keyed = panel.range();
        glucose->setFocus();
        QTest::keyClick(glucose, Qt::Key_Right);
        QVERIFY(panel.range().fromMs > keyed.fromMs);
    }

    void unitsSwitchChangesEveryValueAndIsRemembered()
    {
        QTemporaryDir dir;
        const Files files = writeAll(QDir(dir.path()));
        const QString settingsFile = dir.filePath(QStringLiteral("settings.ini"));
        const metrics::Summary s = metrics::summarize(files.readings);
        const QLocale locale;
        {
            test::Downloader app(settingsFile);
            app.window->resize(1400, 900);
            auto *local = app.window->localView();
            local->loadFiles(files.paths);
            QTRY_VERIFY(local->data() && !local->isLoading());
            auto *table = child<QTableWidget>(local, "metricsTable");
            QCOMPARE(metricValue(table, QStringLiteral("Mean glucose")),
                     locale.toString(s.mean, 'f', 1) + QStringLiteral(" mg/dL"));
            auto *unitsSwitch = child<QComboBox>(app.window.get(), "unitsSwitch");
            QVERIFY(unitsSwitch);
            QCOMPARE(unitsSwitch->currentText(), QStringLiteral("mg/dL"));
            unitsSwitch->setCurrentIndex(unitsSwitch->findText(QStringLiteral("mmol/L")));
            QCOMPARE(app.window->units()->unit(), desktop::GlucoseUnit::MmolL);

            // The table.
            QCOMPARE(metricValue(table, QStringLiteral("Mean glucose")),
                     locale.toString(s.mean / 18.01559, 'f', 2) + QStringLiteral(" mmol/L"));
            QCOMPARE(metricValue(table, QStringLiteral("Standard deviation")),
                     locale.toString(s.sd / 18.01559, 'f', 2) + QStringLiteral(" mmol/L"));
            QCOMPARE(metricValue(table, QStringLiteral("Very low (<3.0)")),
                     locale.toString(s.bands.veryLow, 'f', 1) + QStringLiteral(" %"));
            QCOMPARE(child<QTableView>(local, "loopTable")->model()->index(3, 3).data().toString(),
                     locale.toString(103 / 18.01559, 'f', 1));
            // The charts: every glucose value, the axes and the target band.
            const QList<metrics::Reading> &sorted = local->analysis()->participants.first().readings;
            auto *glucose = child<QChartView>(local, "glucoseChart");
            auto *line = series<QLineSeries>(glucose, "glucose");
            QCOMPARE(line->count(), int(sorted.size()));
            for (int i = 0; i < line->count(); ++i)
                QVERIFY(qAbs(line->at(i).y() - sorted[i].mgdl / 18.01559) < 1e-9);
            auto *axis = qobject_cast<QValueAxis *>(glucose->chart()->axes(Qt::Vertical).first());
            QCOMPARE(axis->titleText(), QStringLiteral("mmol/L"));
            auto *band = series<QAreaSeries>(glucose, "targetRange");
            QVERIFY(qAbs(band->lowerSeries()->at(0).y() - 70 / 18.01559) < 1e-9);
            QVERIFY(qAbs(band->upperSeries()->at(0).y() - 180 / 18.01559) < 1e-9);
            const auto &bins = local->analysis()->participants.first().agp;
            auto *median = series<QLineSeries>(child<QChartView>(local, "agpChart"), "p50");
            QVERIFY(qAbs(median->at(0).y() - bins[0].p50 / 18.01559) < 1e-9);
            auto *agpAxis = qobject_cast<QValueAxis *>(
                    child<QChartView>(local, "agpChart")->chart()->axes(Qt::Vertical).first());
            QCOMPARE(agpAxis->titleText(), QStringLiteral("mmol/L"));
            const QStringList legend = [&] {
                QStringList names;
                for (QBarSet *set : child<QChartView>(local, "rangeChart")->chart()->findChildren<QBarSet *>())
                    names.append(set->label());
                return names;
            }();
            QVERIFY2(legend.contains(QStringLiteral("Very low (&lt;3.0)")), qPrintable(legend.join(QLatin1Char('|'))));
        }
        // A new window with the same settings starts in mmol/L.
        test::Downloader again(settingsFile);
        QCOMPARE(again.window->units()->unit(), desktop::GlucoseUnit::MmolL);
        QCOMPARE(child<QComboBox>(again.window.get(), "unitsSwitch")->currentText(), QStringLiteral("mmol/L"));
    }

    void chartsAndTablesExport()
    {
        QTemporaryDir dir;
        const Files files = writeAll(QDir(dir.path()));
        desktop::LocalViewPanel panel;
        showAndLoad(panel, files.paths);
        if (QTest::currentTestFailed())
            return;
        for (const char *name : { "glucoseChart", "loopChart", "agpChart", "rangeChart" }) {
            auto *view = child<QChartView>(&panel, name);
            const QString png = dir.filePath(QString::fromLatin1(name) + QStringLiteral(".png"));
            const QString svg = dir.filePath(QString::fromLatin1(name) + QStringLiteral(".svg"));
            QVERIFY(desktop::saveChartImage(view, png).ok());
            QVERIFY(desktop::saveChartImage(view, svg).ok());
            const QImage image(png);
            QCOMPARE(image.size(), view->size());
            // Not blank: the chart drew more than its background.
            QSet<QRgb> colours;
            for (int y = 0; y < image.height(); y += 7)
                for (int x = 0; x < image.width(); x += 7)
                    colours.insert(image.pixel(x, y));
            QVERIFY2(colours.size() > 5, name);
            QSvgRenderer renderer(svg);
            QVERIFY2(renderer.isValid(), name);
            QCOMPARE(renderer.viewBox().size(), view->size());
            QFile svgFile(svg);
            QVERIFY(svgFile.open(QIODevice::ReadOnly));
            const QByteArray svgText = svgFile.readAll();
            QVERIFY(svgText.size() > 2000);
            QVERIFY2(svgText.contains("<path") || svgText.contains("<polyline"), name);
        }
        // A chart in no view, at the size asked for.
        std::unique_ptr<QChart> agp(desktop::agpChart(panel.analysis()->participants.first()));
        const QString standalone = dir.filePath(QStringLiteral("agp.png"));
        QVERIFY(desktop::saveChartImage(agp.get(), standalone, QSize(800, 500)).ok());
        QCOMPARE(QImage(standalone).size(), QSize(800, 500));

        // Tables: every cell, quoted where needed.
        auto *table = child<QTableWidget>(&panel, "metricsTable");
        const QString csvPath = dir.filePath(QStringLiteral("metrics.csv"));
        QVERIFY(desktop::saveTableCsv(*table->model(), csvPath).ok());
        QFile csvFile(csvPath);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QList<QStringList> rows = csv::parse(csvFile.readAll());
        QCOMPARE(rows.size(), table->rowCount() + 1);
        QCOMPARE(rows.first(), QStringList({ QStringLiteral("Metric"), QStringLiteral("Value") }));
        for (int r = 0; r < table->rowCount(); ++r) {
            QCOMPARE(rows[r + 1][0], table->item(r, 0)->text());
            QCOMPARE(rows[r + 1][1], table->item(r, 1)->text());
        }
        auto *loop = child<QTableView>(&panel, "loopTable")->model();
        const QString loopCsv = dir.filePath(QStringLiteral("loop.csv"));
        QVERIFY(desktop::saveTableCsv(*loop, loopCsv).ok());
        QFile loopFile(loopCsv);
        QVERIFY(loopFile.open(QIODevice::ReadOnly));
        const QList<QStringList> loopRows = csv::parse(loopFile.readAll());
        QCOMPARE(loopRows.size(), 49);
        QCOMPARE(loopRows[4][4], QStringLiteral("temp basal 0.8 U/h for 30 min"));

        QVERIFY(!desktop::saveTableCsv(*loop, dir.filePath(QStringLiteral("no/such/dir/x.csv"))).ok());
    }
};

QTEST_MAIN(TestLocalView)
#include "tst_localview.moc"
