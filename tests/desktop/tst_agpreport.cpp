// The AGP report PDF, read back with pdftotext (poppler-utils) as a reader
// would see it: one A4 page whose metric names and values equal
// shared/metrics on the same readings, in mg/dL and mmol/L; the time in
// ranges, the 14 days of daily profiles, the sufficiency warning. Written
// by the library, by the local view's batch button, and by the real binary's
// `report` command without any display.

#include "agpreport.h"
#include "charts.h"
#include "desktoptest.h"
#include "localfiles.h"
#include "localviewpanel.h"
#include "metrics/entriesanalysis.h"
#include "units.h"

#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cmath>

using namespace openaps;

namespace {

// `days` of readings every 5 minutes that visit every band, offset -300.
QList<metrics::Reading> readingsOver(int days, int seed)
{
    QList<metrics::Reading> out;
    const qint64 start = 1710028800000; // 2024-03-10T00:00Z
    for (int i = 0; i < days * 288; ++i) {
        double v = 150 + 100 * std::sin(i / (20.0 + seed)) + (i % 9) * 2;
        if (i % 101 == 0)
            v = 48;
        out.append({ start + i * 300000LL, -300, std::round(std::max(40.0, v)) });
    }
    return out;
}

QString pdfText(const QString &pdf)
{
    QProcess process;
    process.start(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), pdf, QStringLiteral("-") });
    if (!process.waitForFinished(60000) || process.exitCode() != 0)
        return QStringLiteral("<pdftotext failed: %1>").arg(QString::fromUtf8(process.readAllStandardError()));
    return QString::fromUtf8(process.readAllStandardOutput());
}

int pdfPages(const QString &pdf)
{
    QProcess process;
    process.start(QStringLiteral("pdfinfo"), { pdf });
    process.waitForFinished(60000);
    for (const QString &line : QString::fromUtf8(process.readAllStandardOutput()).split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("Pages:")))
            return line.mid(6).trimmed().toInt();
    }
    return -1;
}

bool hasLineWith(const QString &text, const QString &name, const QString &value)
{
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (line.contains(name) && line.contains(value))
            return true;
    }
    return false;
}

// The report's numbers, from shared/metrics' summary directly (not from the
// app's tables), as the report writes them.
QList<QPair<QString, QString>> expectedMetrics(const metrics::Summary &s, bool mmol)
{
    const QLocale l;
    const double f = mmol ? 18.01559 : 1.0;
    const QString unit = mmol ? QStringLiteral(" mmol/L") : QStringLiteral(" mg/dL");
    const int d = mmol ? 2 : 1;
    const auto pc = [&](double v) -> QString { return l.toString(v, 'f', 1) + QStringLiteral(" %"); };
    const QStringList bands = mmol
            ? QStringList { QStringLiteral("Very low (<3.0)"), QStringLiteral("Low (3.0–3.8)"),
                            QStringLiteral("In range (3.9–10.0)"), QStringLiteral("High (10.1–13.9)"),
                            QStringLiteral("Very high (>13.9)") }
            : QStringList { QStringLiteral("Very low (<54)"), QStringLiteral("Low (54–69)"),
                            QStringLiteral("In range (70–180)"), QStringLiteral("High (181–250)"),
                            QStringLiteral("Very high (>250)") };
    return {
        { QStringLiteral("Readings"), l.toString(s.readings) },
        { QStringLiteral("Active CGM time"), pc(s.activePercent) },
        { QStringLiteral("Mean glucose"), l.toString(s.mean / f, 'f', d) + unit },
        { QStringLiteral("Standard deviation"), l.toString(s.sd / f, 'f', d) + unit },
        { QStringLiteral("Coefficient of variation"), pc(s.cv) },
        { QStringLiteral("GMI"), pc(s.gmi) },
        { bands[0], pc(s.bands.veryLow) },
        { bands[1], pc(s.bands.low) },
        { bands[2], pc(s.bands.inRange) },
        { bands[3], pc(s.bands.high) },
        { bands[4], pc(s.bands.veryHigh) },
        { QStringLiteral("LBGI"), l.toString(s.lbgi, 'f', 2) },
        { QStringLiteral("HBGI"), l.toString(s.hbgi, 'f', 2) },
        { QStringLiteral("GRI"), l.toString(s.gri, 'f', 1) },
    };
}

metrics::ParticipantAnalysis analysed(const QString &id, const QList<metrics::Reading> &readings)
{
    metrics::EntriesData data;
    data.participants = { id };
    data.readings[id] = readings;
    return metrics::analyse(std::move(data)).participants.first();
}

void checkReport(const QString &pdf, const QString &id, const QList<metrics::Reading> &readings, bool mmol)
{
    QCOMPARE(pdfPages(pdf), 1);
    const QString text = pdfText(pdf);
    QVERIFY2(text.contains(QLatin1String("AGP Report")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Participant %1").arg(id)));
    QVERIFY(text.contains(mmol ? QLatin1String("glucose in mmol/L") : QLatin1String("glucose in mg/dL")));
    const metrics::Summary s = metrics::summarize(readings);
    for (const auto &[name, value] : expectedMetrics(s, mmol))
        QVERIFY2(hasLineWith(text, name, value),
                 qPrintable(QStringLiteral("no line with '%1' and '%2' in:\n%3").arg(name, value, text)));
    // Time in ranges beside the bar, with the same shares.
    QVERIFY(text.contains(QLatin1String("Time in ranges")));
    QVERIFY(text.contains(QLatin1String("Ambulatory glucose profile")));
    // The daily profiles: the last 14 local days, the newest last.
    const QList<qint64> days = desktop::dailyProfileDays(analysed(id, readings));
    QCOMPARE(days.size(), 14);
    const QDate newest = QDateTime::fromMSecsSinceEpoch(readings.last().utcMs + readings.last().offsetMinutes * 60000LL,
                                                        QTimeZone::utc())
                                 .date();
    for (int i = 0; i < 14; ++i)
        QVERIFY2(text.contains(newest.addDays(i - 13).toString(Qt::ISODate)), qPrintable(text));
    QVERIFY(!text.contains(newest.addDays(-14).toString(Qt::ISODate)) || s.isEmpty()
            || QDateTime::fromMSecsSinceEpoch(s.firstUtcMs, QTimeZone::utc()).date() == newest.addDays(-14));
}

} // namespace

class TestAgpReport final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty(),
                 "pdftotext (poppler-utils, deploy/packages/test.txt) is needed");
    }

    void reportEqualsSharedMetrics_data()
    {
        QTest::addColumn<bool>("mmol");
        QTest::addColumn<int>("days");
        QTest::addRow("mg/dL, 20 days") << false << 20;
        QTest::addRow("mmol/L, 20 days") << true << 20;
        QTest::addRow("mmol/L, 3 days") << true << 3;
    }
    void reportEqualsSharedMetrics()
    {
        QFETCH(bool, mmol);
        QFETCH(int, days);
        QTemporaryDir dir;
        const QList<metrics::Reading> readings = readingsOver(days, 1);
        const QString id = QStringLiteral("4711000000000007");
        const auto p = analysed(id, readings);
        const QString pdf = dir.filePath(desktop::agpReportFileName(id));
        QCOMPARE(pdf, dir.filePath(QStringLiteral("agp_4711000000000007.pdf")));
        QVERIFY(desktop::writeAgpReport(p, mmol ? desktop::GlucoseUnit::MmolL : desktop::GlucoseUnit::MgDl, pdf).ok());
        checkReport(pdf, id, readings, mmol);
        // The consensus warning when the data fall short, only then.
        const QString text = pdfText(pdf);
        QCOMPARE(text.contains(QLatin1String("Not enough data")), days < 14);
    }

    void unwritablePathIsAnError()
    {
        const auto p = analysed(QStringLiteral("1"), readingsOver(1, 0));
        const Status status = desktop::writeAgpReport(p, desktop::GlucoseUnit::MgDl,
                                                      QStringLiteral("/nonexistent/dir/agp.pdf"));
        QVERIFY(!status.ok());
        QVERIFY(status.error().message.contains(QLatin1String("/nonexistent/dir/agp.pdf")));
    }

    void localViewWritesOneReportPerParticipant()
    {
        QTemporaryDir dir;
        const QList<metrics::Reading> a = readingsOver(15, 1), b = readingsOver(15, 4);
        const QByteArray second = test::entriesCsv(QStringLiteral("1002"), b);
        const QByteArray withoutHeader = second.mid(second.indexOf('\n') + 1);
        const QString path = test::writeFile(QDir(dir.path()), QStringLiteral("entries.csv.gz"),
                                             test::entriesCsv(QStringLiteral("1001"), a) + withoutHeader);
        QSettings settings(dir.filePath(QStringLiteral("s.ini")), QSettings::IniFormat);
        desktop::Units units(&settings);
        units.setUnit(desktop::GlucoseUnit::MmolL);
        desktop::LocalViewPanel panel(&units);
        panel.resize(1400, 900);
        panel.show();
        panel.loadFile(path);
        QTRY_VERIFY(panel.data() && !panel.isLoading());
        QCOMPARE(panel.data()->participants.size(), 2);
        const QString out = dir.filePath(QStringLiteral("reports"));
        QSignalSpy done(&panel, &desktop::LocalViewPanel::reportsWritten);
        panel.saveAgpReports(out);
        QVERIFY(done.wait(60000));
        const QStringList written = done.first().first().toStringList();
        QCOMPARE(written,
                 QStringList({ QDir(out).filePath(QStringLiteral("agp_1001.pdf")),
                               QDir(out).filePath(QStringLiteral("agp_1002.pdf")) }));
        checkReport(written[0], QStringLiteral("1001"), a, true);
        checkReport(written[1], QStringLiteral("1002"), b, true);
    }

    void commandLineWithoutADisplay()
    {
        QTemporaryDir dir;
        const QList<metrics::Reading> a = readingsOver(16, 2);
        const QString entries = test::writeFile(QDir(dir.path()), QStringLiteral("entries_20240310_20240325.csv.gz"),
                                                test::entriesCsv(QStringLiteral("2001"), a));
        const QString treatments = test::writeFile(QDir(dir.path()), QStringLiteral("treatments.csv"),
                                                   test::treatmentsCsv(QStringLiteral("2001"), a.first().utcMs).csv);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        const auto run = [&](const QStringList &args) {
            QProcess process;
            process.setProcessEnvironment(env);
            process.start(QStringLiteral(OPENAPS_DOWNLOADER_BINARY), args);
            process.waitForFinished(120000);
            return std::make_tuple(process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
                                   QString::fromUtf8(process.readAllStandardError()));
        };
        const QString out = dir.filePath(QStringLiteral("out"));
        const auto [code, stdOut, stdErr] = run({ QStringLiteral("report"), QStringLiteral("--input"), entries,
                                                  QStringLiteral("--input"), treatments, QStringLiteral("--out"), out,
                                                  QStringLiteral("--units"), QStringLiteral("mmol") });
        QVERIFY2(code == 0, qPrintable(stdErr));
        const QString pdf = QDir(out).filePath(QStringLiteral("agp_2001.pdf"));
        QCOMPARE(stdOut.trimmed(), pdf);
        checkReport(pdf, QStringLiteral("2001"), a, true);

        const auto [mgCode, mgOut, mgErr] = run(
                { QStringLiteral("report"), QStringLiteral("--input"), entries, QStringLiteral("--out"), out });
        QVERIFY2(mgCode == 0, qPrintable(mgErr));
        checkReport(pdf, QStringLiteral("2001"), a, false);

        // Bad arguments and unreadable input: plain words, no file.
        const auto [badCode, badOut, badErr] = run({ QStringLiteral("report"), QStringLiteral("--input"), entries,
                                                     QStringLiteral("--out"), out, QStringLiteral("--units"),
                                                     QStringLiteral("stones") });
        QCOMPARE(badCode, 2);
        QVERIFY(badErr.contains(QLatin1String("Unknown units")));
        const auto [noCode, noOut,
                    noErr] = run({ QStringLiteral("report"), QStringLiteral("--input"),
                                   dir.filePath(QStringLiteral("missing.csv")), QStringLiteral("--out"), out });
        QCOMPARE(noCode, 1);
        QVERIFY2(noErr.contains(QLatin1String("could not be opened")), qPrintable(noErr));
        const auto [onlyTreatCode, o2,
                    onlyTreatErr] = run({ QStringLiteral("report"), QStringLiteral("--input"), treatments,
                                          QStringLiteral("--out"), dir.filePath(QStringLiteral("none")) });
        QCOMPARE(onlyTreatCode, 1);
        QVERIFY(onlyTreatErr.contains(QLatin1String("no glucose readings")));
    }
};

QTEST_MAIN(TestAgpReport)
#include "tst_agpreport.moc"
