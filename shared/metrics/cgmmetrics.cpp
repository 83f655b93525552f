#include "metrics/cgmmetrics.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace openaps::metrics {

namespace {

// Valid readings sorted by time, one per instant (several uploaders often
// send the same reading twice), clamped to the sensors' reporting range.
QList<Reading> cleaned(const QList<Reading> &input, Summary *summary)
{
    QList<Reading> out;
    out.reserve(input.size());
    for (const Reading &r : input) {
        if (!std::isfinite(r.mgdl) || r.mgdl <= 0) {
            ++summary->dropped;
            continue;
        }
        out.append(r);
    }
    const auto earlier = [](const Reading &a, const Reading &b) { return a.utcMs < b.utcMs; };
    if (!std::is_sorted(out.begin(), out.end(), earlier)) // downloads arrive sorted
        std::stable_sort(out.begin(), out.end(), earlier);
    const auto last = std::unique(out.begin(), out.end(),
                                  [](const Reading &a, const Reading &b) { return a.utcMs == b.utcMs; });
    summary->duplicates = int(std::distance(last, out.end()));
    out.erase(last, out.end());
    for (Reading &r : out) {
        if (r.mgdl < lowestReported || r.mgdl > highestReported) {
            r.mgdl = std::clamp(r.mgdl, lowestReported, highestReported);
            ++summary->clamped;
        }
    }
    return out;
}

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

} // namespace

double kovatchevF(double mgdl)
{
    return 1.509 * (std::pow(std::log(mgdl), 1.084) - 5.381);
}

namespace {

// 10 f(bg)^2 signed by f: negative for the low side. CGMs report whole
// mg/dL, so a table over the reporting range saves a pow() and a log() per
// reading (a third of the load time of a large file).
double signedRisk(double mgdl)
{
    static const auto table = [] {
        std::array<double, int(highestReported - lowestReported) + 1> t {};
        for (size_t i = 0; i < t.size(); ++i) {
            const double f = kovatchevF(lowestReported + double(i));
            t[i] = (f < 0 ? -10 : 10) * f * f;
        }
        return t;
    }();
    const double whole = std::floor(mgdl);
    if (whole == mgdl && mgdl >= lowestReported && mgdl <= highestReported)
        return table[size_t(mgdl - lowestReported)];
    const double f = kovatchevF(mgdl);
    return (f < 0 ? -10 : 10) * f * f;
}

} // namespace

double gri(const RangeBands &b)
{
    return std::min(100.0, 3.0 * b.veryLow + 2.4 * b.low + 1.6 * b.veryHigh + 0.8 * b.high);
}

Summary summarize(const QList<Reading> &input)
{
    Summary s;
    const QList<Reading> readings = cleaned(input, &s);
    s.readings = int(readings.size());
    if (readings.isEmpty())
        return s;
    s.firstUtcMs = readings.first().utcMs;
    s.lastUtcMs = readings.last().utcMs;

    int veryLow = 0, low = 0, inRange = 0, high = 0, veryHigh = 0;
    double sum = 0, lowRisk = 0, highRisk = 0;
    qint64 filled = 0;
    qint64 lastSlot = -1;
    for (const Reading &r : readings) {
        const double v = r.mgdl;
        if (v < 54)
            ++veryLow;
        else if (v < targetLow)
            ++low;
        else if (v <= targetHigh)
            ++inRange;
        else if (v <= 250)
            ++high;
        else
            ++veryHigh;
        sum += v;
        const double risk = signedRisk(v);
        (risk < 0 ? lowRisk : highRisk) += std::abs(risk);
        // Sorted readings: slots only grow, so counting changes counts distinct slots.
        const qint64 slot = (r.utcMs - s.firstUtcMs) / cgmIntervalMs;
        if (slot != lastSlot) {
            ++filled;
            lastSlot = slot;
        }
    }
    const double n = readings.size();
    s.bands = { 100 * veryLow / n, 100 * low / n, 100 * inRange / n, 100 * high / n, 100 * veryHigh / n };
    s.mean = sum / n;
    double squares = 0;
    for (const Reading &r : readings)
        squares += (r.mgdl - s.mean) * (r.mgdl - s.mean);
    s.sd = readings.size() > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
    s.cv = 100 * s.sd / s.mean;
    s.gmi = 3.31 + 0.02392 * s.mean;
    s.lbgi = lowRisk / n;
    s.hbgi = highRisk / n;
    s.gri = gri(s.bands);
    const qint64 expected = (s.lastUtcMs - s.firstUtcMs) / cgmIntervalMs + 1;
    s.activePercent = 100.0 * double(filled) / double(expected);
    return s;
}

int localMinuteOfDay(const Reading &reading)
{
    const qint64 localMinutes = floorDiv(reading.utcMs, 60000) + reading.offsetMinutes;
    return int(localMinutes - floorDiv(localMinutes, 1440) * 1440);
}

qint64 localDay(const Reading &reading)
{
    return floorDiv(floorDiv(reading.utcMs, 60000) + reading.offsetMinutes, 1440);
}

double periodDays(const Summary &summary)
{
    return summary.isEmpty() ? 0
                             : double(summary.lastUtcMs - summary.firstUtcMs + cgmIntervalMs) / (24 * 3600 * 1000.0);
}

bool isSufficient(const Summary &summary)
{
    return periodDays(summary) >= sufficientDays && summary.activePercent >= sufficientWearPercent;
}

double percentile(const QList<double> &sorted, double p)
{
    if (sorted.isEmpty())
        return 0;
    const double h = (sorted.size() - 1) * p;
    const auto lo = qsizetype(std::floor(h));
    if (lo + 1 >= sorted.size())
        return sorted.last();
    return sorted[lo] + (h - double(lo)) * (sorted[lo + 1] - sorted[lo]);
}

std::array<AgpBin, agpBinCount> agp(const QList<Reading> &input)
{
    Summary ignored;
    const QList<Reading> readings = cleaned(input, &ignored);
    std::array<QList<double>, agpBinCount> values;
    for (const Reading &r : readings)
        values[localMinuteOfDay(r) / agpBinMinutes].append(r.mgdl);
    std::array<AgpBin, agpBinCount> bins;
    for (int i = 0; i < agpBinCount; ++i) {
        QList<double> &v = values[i];
        std::sort(v.begin(), v.end());
        bins[i] = { i * agpBinMinutes,   int(v.size()),       percentile(v, 0.05), percentile(v, 0.25),
                    percentile(v, 0.50), percentile(v, 0.75), percentile(v, 0.95) };
    }
    return bins;
}

} // namespace openaps::metrics
