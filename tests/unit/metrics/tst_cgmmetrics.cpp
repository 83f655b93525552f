#include "metrics/cgmmetrics.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace openaps::metrics;

namespace {

constexpr qint64 minute = 60 * 1000;
// 2024-03-10T00:00:00Z
constexpr qint64 day0 = 1710028800000;

QList<Reading> everyFiveMinutes(const QList<double> &values, int offset = 0)
{
    QList<Reading> out;
    for (int i = 0; i < values.size(); ++i)
        out.append({ day0 + i * 5 * minute, offset, values[i] });
    return out;
}

bool near(double a, double b, double tolerance = 1e-6)
{
    return std::abs(a - b) <= tolerance;
}

} // namespace

class TestCgmMetrics final : public QObject
{
    Q_OBJECT

private slots:
    // One reading in each band: every figure worked out by hand.
    void fiveBands()
    {
        const Summary s = summarize(everyFiveMinutes({ 40, 60, 100, 200, 300 }));
        QCOMPARE(s.readings, 5);
        QCOMPARE(s.bands.veryLow, 20.0);
        QCOMPARE(s.bands.low, 20.0);
        QCOMPARE(s.bands.inRange, 20.0);
        QCOMPARE(s.bands.high, 20.0);
        QCOMPARE(s.bands.veryHigh, 20.0);
        QCOMPARE(s.mean, 140.0);
        // deviations -100 -80 -40 60 160: squares sum 47200, / (5-1) = 11800
        QVERIFY(near(s.sd, std::sqrt(11800.0)));
        QVERIFY(near(s.cv, 100 * std::sqrt(11800.0) / 140));
        QVERIFY(near(s.gmi, 3.31 + 0.02392 * 140)); // 6.6588
        QVERIFY(near(s.gmi, 6.6588));
        // 3.0*20 + 2.4*20 + 1.6*20 + 0.8*20 = 156, capped at 100
        QCOMPARE(s.gri, 100.0);
        // risk 10 f^2 with f = 1.509 (ln(bg)^1.084 - 5.381):
        // 40 -> 36.4175, 60 -> 13.5706, 100 -> 0.4821 (all f < 0); 200 -> 11.6047, 300 -> 33.9520
        QVERIFY2(near(s.lbgi, (36.41755 + 13.57060 + 0.48205) / 5, 1e-4), qPrintable(QString::number(s.lbgi)));
        QVERIFY2(near(s.hbgi, (11.60475 + 33.95199) / 5, 1e-4), qPrintable(QString::number(s.hbgi)));
        QCOMPARE(s.activePercent, 100.0);
        QCOMPARE(s.firstUtcMs, day0);
        QCOMPARE(s.lastUtcMs, day0 + 20 * minute);
    }

    void griBelowCap()
    {
        // 1 low (10 %), 6 in range, 2 high (20 %), 1 very high (10 %): 2.4*10 + 1.6*10 + 0.8*20 = 56
        const Summary s = summarize(everyFiveMinutes({ 60, 100, 100, 100, 100, 100, 100, 200, 200, 300 }));
        QVERIFY(near(s.gri, 56.0));
        QVERIFY(near(s.bands.inRange, 60.0));
    }

    void bandBoundaries_data()
    {
        QTest::addColumn<double>("mgdl");
        QTest::addColumn<int>("band"); // 0 very low .. 4 very high
        QTest::addRow("53.9 very low") << 53.9 << 0;
        QTest::addRow("54 low") << 54.0 << 1;
        QTest::addRow("69.9 low") << 69.9 << 1;
        QTest::addRow("70 in range") << 70.0 << 2;
        QTest::addRow("180 in range") << 180.0 << 2;
        QTest::addRow("180.5 high") << 180.5 << 3;
        QTest::addRow("250 high") << 250.0 << 3;
        QTest::addRow("250.1 very high") << 250.1 << 4;
    }
    void bandBoundaries()
    {
        QFETCH(double, mgdl);
        QFETCH(int, band);
        const Summary s = summarize(everyFiveMinutes({ mgdl }));
        const double bands[] = { s.bands.veryLow, s.bands.low, s.bands.inRange, s.bands.high, s.bands.veryHigh };
        for (int i = 0; i < 5; ++i)
            QCOMPARE(bands[i], i == band ? 100.0 : 0.0);
    }

    void empty()
    {
        const Summary s = summarize({});
        QVERIFY(s.isEmpty());
        QCOMPARE(s.mean, 0.0);
        QCOMPARE(s.gri, 0.0);
        QCOMPARE(s.activePercent, 0.0);
        for (const AgpBin &bin : agp({}))
            QCOMPARE(bin.count, 0);
    }

    void oneReading()
    {
        const Summary s = summarize(everyFiveMinutes({ 123 }));
        QCOMPARE(s.readings, 1);
        QCOMPARE(s.mean, 123.0);
        QCOMPARE(s.sd, 0.0);
        QCOMPARE(s.cv, 0.0);
        QCOMPARE(s.activePercent, 100.0);
        const auto bins = agp(everyFiveMinutes({ 123 }));
        QCOMPARE(bins[0].count, 1);
        QCOMPARE(bins[0].p5, 123.0);
        QCOMPARE(bins[0].p95, 123.0);
    }

    // Sensors send LOW/HIGH as 39/401 or worse; not-a-number and zero are no reading.
    void outsideReportedRange()
    {
        const Summary s = summarize(everyFiveMinutes({ 20, 500, 0, -5, std::numeric_limits<double>::quiet_NaN() }));
        QCOMPARE(s.dropped, 3);
        QCOMPARE(s.clamped, 2);
        QCOMPARE(s.readings, 2);
        QCOMPARE(s.mean, (39.0 + 400.0) / 2);
        QCOMPARE(s.bands.veryLow, 50.0);
        QCOMPARE(s.bands.veryHigh, 50.0);
    }

    // Two uploaders sending the same instant: the first one counts, once.
    void duplicatedTimestamps()
    {
        QList<Reading> readings { { day0, 0, 100 }, { day0 + 5 * minute, 0, 140 }, { day0, 0, 200 } };
        const Summary s = summarize(readings);
        QCOMPARE(s.duplicates, 1);
        QCOMPARE(s.readings, 2);
        QCOMPARE(s.mean, 120.0);
        QCOMPARE(s.activePercent, 100.0);
    }

    void activePercent_data()
    {
        QTest::addColumn<QList<int>>("minutes");
        QTest::addColumn<double>("expected");
        QTest::addRow("complete") << QList<int> { 0, 5, 10, 15, 20 } << 100.0;
        QTest::addRow("one gap of five") << QList<int> { 0, 5, 10, 20 } << 80.0;
        QTest::addRow("half") << QList<int> { 0, 10, 20, 30 } << 4.0 / 7 * 100;
        QTest::addRow("two in one slot") << QList<int> { 0, 2, 5 } << 100.0;
        QTest::addRow("unsorted") << QList<int> { 20, 0, 10 } << 60.0;
    }
    void activePercent()
    {
        QFETCH(QList<int>, minutes);
        QFETCH(double, expected);
        QList<Reading> readings;
        for (int m : minutes)
            readings.append({ day0 + m * minute, 0, 100 });
        QVERIFY(near(summarize(readings).activePercent, expected));
    }

    // The server adds up the partial sums of days (a month, a year): the
    // sum of the parts is the computation over all readings, whatever the
    // readings' spacing and where the parts are cut.
    void partialsAddUp()
    {
        QList<Reading> all;
        quint32 seed = 7;
        qint64 t = day0 - 3 * minute;
        for (int i = 0; i < 2000; ++i) {
            seed = seed * 1664525u + 1013904223u;
            t += (seed >> 8) % 9 * minute; // 0 to 8 minutes apart, some in one slot
            all.append({ t, 60, double(30 + (seed >> 12) % 400) });
        }
        // Cut where days are cut: between two 5-minute slots (here every 45 minutes).
        Partial parts;
        QList<Reading> block;
        for (const Reading &r : all) {
            if (!block.isEmpty() && r.utcMs / (45 * minute) != block.last().utcMs / (45 * minute)) {
                parts.add(accumulate(block));
                block.clear();
            }
            block.append(r);
        }
        parts.add(accumulate(block));
        const Summary whole = summarize(all);
        const Summary added = finish(parts);
        QCOMPARE(added.readings, whole.readings);
        QCOMPARE(added.clamped, whole.clamped);
        QCOMPARE(added.firstUtcMs, whole.firstUtcMs);
        QCOMPARE(added.lastUtcMs, whole.lastUtcMs);
        QCOMPARE(added.activePercent, whole.activePercent);
        QCOMPARE(added.bands.inRange, whole.bands.inRange);
        QCOMPARE(added.bands.veryHigh, whole.bands.veryHigh);
        QCOMPARE(added.mean, whole.mean);
        QCOMPARE(added.sd, whole.sd);
        QVERIFY(near(added.lbgi, whole.lbgi, 1e-9));
        QVERIFY(near(added.hbgi, whole.hbgi, 1e-9));
        QCOMPARE(added.gri, whole.gri);
        QVERIFY(whole.activePercent < 100);
        QVERIFY(whole.clamped > 0);
        QVERIFY(finish(Partial {}).isEmpty());
    }

    // The consensus asks for 14 days: 14 full days of 5-minute readings are
    // 14 days (the last reading's slot counts), one reading fewer is not.
    void fourteenFullDaysAreSufficient()
    {
        QList<Reading> readings;
        for (qint64 i = 0; i < 14 * 288; ++i)
            readings.append({ i * cgmIntervalMs, 0, 120 });
        QCOMPARE(periodDays(summarize(readings)), 14.0);
        QVERIFY(isSufficient(summarize(readings)));
        readings.removeLast();
        QVERIFY(!isSufficient(summarize(readings)));
        QCOMPARE(localDay({ -1, 0, 100 }), qint64(-1));
        QCOMPARE(localDay({ 23 * 3600 * 1000, 60, 100 }), qint64(1));
    }

    void percentilesInOneBin()
    {
        QList<Reading> readings;
        const QList<double> values { 140, 100, 130, 110, 120 }; // unsorted on purpose
        for (int i = 0; i < values.size(); ++i)
            readings.append({ day0 + i * 24 * 60 * minute + 3 * minute, 0, values[i] }); // 00:03 each day
        const auto bins = agp(readings);
        QCOMPARE(bins[0].count, 5);
        QCOMPARE(bins[0].startMinute, 0);
        QVERIFY(near(bins[0].p5, 102)); // h = 4 x 0.05 = 0.2: 100 + 0.2 x 10
        QVERIFY(near(bins[0].p25, 110));
        QVERIFY(near(bins[0].p50, 120));
        QVERIFY(near(bins[0].p75, 130));
        QVERIFY(near(bins[0].p95, 138)); // h = 3.8: 130 + 0.8 x 10
        QCOMPARE(bins[1].count, 0);
    }

    void localBins_data()
    {
        QTest::addColumn<qint64>("utcMinutes"); // after day0 (midnight UTC)
        QTest::addColumn<int>("offset");
        QTest::addColumn<int>("bin");
        QTest::addRow("noon UTC") << qint64(12 * 60) << 0 << 48;
        QTest::addRow("noon UTC in UTC-5 is 07:00") << qint64(12 * 60) << -300 << 28;
        QTest::addRow("after the DST change UTC-4 is 08:00") << qint64(36 * 60) << -240 << 32;
        QTest::addRow("02:00 UTC in UTC-5 is 21:00 the day before") << qint64(2 * 60) << -300 << 84;
        QTest::addRow("23:00 UTC in UTC+2 is 01:00 the next day") << qint64(23 * 60) << 120 << 4;
        QTest::addRow("UTC+5:45 (Nepal)") << qint64(0) << 345 << 23;
        QTest::addRow("before 1970") << qint64(-1710028800000 / minute - 60) << 0 << 92;
    }
    void localBins()
    {
        QFETCH(qint64, utcMinutes);
        QFETCH(int, offset);
        QFETCH(int, bin);
        const auto bins = agp({ { day0 + utcMinutes * minute, offset, 150 } });
        for (int i = 0; i < agpBinCount; ++i)
            QCOMPARE(bins[i].count, i == bin ? 1 : 0);
    }

    // A DST-like change: the same UTC clock time lands one hour apart in local time.
    void offsetChangeKeepsLocalTime()
    {
        QList<Reading> readings;
        for (int d = 0; d < 4; ++d)
            readings.append({ day0 + d * 24 * 60 * minute + 12 * 60 * minute, d < 2 ? -300 : -240, 100.0 + d });
        const auto bins = agp(readings);
        QCOMPARE(bins[28].count, 2); // 07:00 local
        QCOMPARE(bins[32].count, 2); // 08:00 local
        QCOMPARE(bins[48].count, 0); // UTC noon: where the old dashboards put all four
        QVERIFY(near(bins[28].p50, 100.5));
        QVERIFY(near(bins[32].p50, 102.5));
    }
};

QTEST_GUILESS_MAIN(TestCgmMetrics)
#include "tst_cgmmetrics.moc"
