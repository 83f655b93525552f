#pragma once

#include <QList>
#include <QtGlobal>

#include <array>

namespace openaps::metrics {

// One CGM reading as the research tables hold it: the UTC instant, the
// participant's UTC offset at that instant (minutes east of UTC) and the
// glucose value in mg/dL.
struct Reading
{
    qint64 utcMs = 0;
    int offsetMinutes = 0;
    double mgdl = 0;
};

// Sensors report in 40..400 mg/dL and send "LOW"/"HIGH" as 39/401 and the
// like; values outside are clamped to this range so that devices compare.
// Values that are not a positive number are not readings and are dropped.
constexpr double lowestReported = 39.0;
constexpr double highestReported = 400.0;
constexpr qint64 cgmIntervalMs = 5 * 60 * 1000;

// Percentages (0..100) of readings in the five consensus bands (Battelino et
// al. 2019): very low <54, low 54-69, in range 70-180, high 181-250, very high >250.
constexpr double targetLow = 70.0;
constexpr double targetHigh = 180.0;
struct RangeBands
{
    double veryLow = 0;
    double low = 0;
    double inRange = 0;
    double high = 0;
    double veryHigh = 0;
};

struct Summary
{
    int readings = 0; // used: after dropping invalid values and duplicated timestamps
    int dropped = 0; // not a positive number
    int duplicates = 0; // a second reading at the same instant (the first one counts)
    int clamped = 0; // outside 39..400, clamped
    qint64 firstUtcMs = 0;
    qint64 lastUtcMs = 0;
    RangeBands bands;
    double mean = 0; // mg/dL
    double sd = 0; // sample standard deviation (n-1) from the sums of values and squares, 0 for a single reading
    double cv = 0; // SD / mean, percent
    double gmi = 0; // percent: 3.31 + 0.02392 x mean mg/dL (Bergenstal 2018)
    double lbgi = 0; // Kovatchev low blood glucose index
    double hbgi = 0; // Kovatchev high blood glucose index
    double gri = 0; // glycemia risk index (Klonoff 2022), 0..100
    double activePercent = 0; // 5-minute slots (since the epoch) with a reading, from the first one's to the last one's

    bool isEmpty() const { return readings == 0; }
};

// The sums behind a Summary. They add up: the Summary of a period is the
// finish() of its days' partials added together, which is how the server
// recomputes a month or a year from the days that changed only
// (server/etl/participantsummary.h). Duplicates are recognised within one
// accumulate() call; the CGM slots are the 5-minute slots since the epoch,
// so that slots never depend on where a period starts.
struct Partial
{
    qint64 readings = 0; // used
    qint64 dropped = 0;
    qint64 duplicates = 0;
    qint64 clamped = 0;
    qint64 firstUtcMs = 0; // of the readings used; meaningless without any
    qint64 lastUtcMs = 0;
    qint64 bands[5] = {}; // very low, low, in range, high, very high
    double sum = 0; // mg/dL
    double sumSquares = 0;
    double lowRisk = 0; // Kovatchev risk of the readings below 112.5 mg/dL
    double highRisk = 0;
    qint64 filledSlots = 0; // distinct 5-minute slots with a reading

    void add(const Partial &other);
    bool isEmpty() const { return readings == 0; }
};

// The partial sums of readings in any order (sorted, de-duplicated and
// clamped first), and the metrics from them.
Partial accumulate(const QList<Reading> &readings);
Summary finish(const Partial &partial);

// The metrics of one participant's readings, in any order:
// finish(accumulate(readings)).
Summary summarize(const QList<Reading> &readings);

// The consensus rule for reliable CGM metrics and an AGP (Battelino et al.
// 2019): at least 14 days of data, and CGM worn at least 70 % of that time.
constexpr double sufficientDays = 14;
constexpr double sufficientWearPercent = 70;
// Days the readings cover: from the first reading to the end of the last
// one's 5-minute slot (0 without readings), so 14 full days of readings
// count as 14 days.
double periodDays(const Summary &summary);
bool isSufficient(const Summary &summary);

// One 15-minute bin of the ambulatory glucose profile, by LOCAL time of day.
struct AgpBin
{
    int startMinute = 0; // local minutes after midnight: 0, 15, ... 1425
    int count = 0;
    double p5 = 0;
    double p25 = 0;
    double p50 = 0;
    double p75 = 0;
    double p95 = 0;
};
constexpr int agpBinMinutes = 15;
constexpr int agpBinCount = 24 * 60 / agpBinMinutes;

// 96 bins; a reading falls into the bin of its UTC time plus its own offset
// (the old dashboards bucketed by UTC, which smears a day across bins).
// Percentiles interpolate linearly between order statistics; empty bins have
// count 0 and zero percentiles.
std::array<AgpBin, agpBinCount> agp(const QList<Reading> &readings);

// Helpers exposed for tests and for charts.
int localMinuteOfDay(const Reading &reading);
// The reading's LOCAL calendar day as days since 1970-01-01 (civil/civildate.h).
qint64 localDay(const Reading &reading);
double percentile(const QList<double> &sorted, double p); // p in 0..1, input sorted ascending
// Kovatchev's symmetrising transform for mg/dL: 1.509 x (ln(bg)^1.084 - 5.381).
double kovatchevF(double mgdl);
double gri(const RangeBands &bands);

} // namespace openaps::metrics
