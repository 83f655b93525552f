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

void Partial::add(const Partial &other)
{
    if (other.readings > 0) {
        firstUtcMs = readings > 0 ? std::min(firstUtcMs, other.firstUtcMs) : other.firstUtcMs;
        lastUtcMs = readings > 0 ? std::max(lastUtcMs, other.lastUtcMs) : other.lastUtcMs;
    }
    readings += other.readings;
    dropped += other.dropped;
    duplicates += other.duplicates;
    clamped += other.clamped;
    for (int i = 0; i < 5; ++i)
        bands[i] += other.bands[i];
    sum += other.sum;
    sumSquares += other.sumSquares;
    lowRisk += other.lowRisk;
    highRisk += other.highRisk;
    filledSlots += other.filledSlots;
}

Partial accumulate(const QList<Reading> &input)
{
    Summary counts;
    const QList<Reading> readings = cleaned(input, &counts);
    Partial p;
    p.dropped = counts.dropped;
    p.duplicates = counts.duplicates;
    p.clamped = counts.clamped;
    p.readings = readings.size();
    if (readings.isEmpty())
        return p;
    p.firstUtcMs = readings.first().utcMs;
    p.lastUtcMs = readings.last().utcMs;
    qint64 lastSlot = 0;
    for (const Reading &r : readings) {
        const double v = r.mgdl;
        ++p.bands[v < 54 ? 0 : v < targetLow ? 1 : v <= targetHigh ? 2 : v <= 250 ? 3 : 4];
        p.sum += v;
        p.sumSquares += v * v;
        const double risk = signedRisk(v);
        (risk < 0 ? p.lowRisk : p.highRisk) += std::abs(risk);
        // Sorted readings: slots only grow, so counting changes counts distinct slots.
        const qint64 slot = floorDiv(r.utcMs, cgmIntervalMs);
        if (p.filledSlots == 0 || slot != lastSlot) {
            ++p.filledSlots;
            lastSlot = slot;
        }
    }
    return p;
}

Summary finish(const Partial &p)
{
    Summary s;
    s.readings = int(p.readings);
    s.dropped = int(p.dropped);
    s.duplicates = int(p.duplicates);
    s.clamped = int(p.clamped);
    if (p.readings == 0)
        return s;
    s.firstUtcMs = p.firstUtcMs;
    s.lastUtcMs = p.lastUtcMs;
    const double n = double(p.readings);
    s.bands = { 100 * double(p.bands[0]) / n, 100 * double(p.bands[1]) / n, 100 * double(p.bands[2]) / n,
                100 * double(p.bands[3]) / n, 100 * double(p.bands[4]) / n };
    s.mean = p.sum / n;
    // Exact for whole mg/dL (the sums are whole numbers well below 2^53).
    const double squares = std::max(0.0, p.sumSquares - p.sum * p.sum / n);
    s.sd = p.readings > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
    s.cv = 100 * s.sd / s.mean;
    s.gmi = 3.31 + 0.02392 * s.mean;
    s.lbgi = p.lowRisk / n;
    s.hbgi = p.highRisk / n;
    s.gri = gri(s.bands);
    const qint64 expected = floorDiv(s.lastUtcMs, cgmIntervalMs) - floorDiv(s.firstUtcMs, cgmIntervalMs) + 1;
    s.activePercent = 100.0 * double(p.filledSlots) / double(expected);
    return s;
}

Summary summarize(const QList<Reading> &input)
{
    return finish(accumulate(input));
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
    const double h = double(sorted.size() - 1) * p;
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
