#include "etl/participantsummary.h"

#include "core/civildate.h"

#include <QHash>
#include <QSet>

#include <cmath>

#include <algorithm>

namespace openaps::etl {

namespace {

std::optional<double> perDay(double total, int days)
{
    return days > 0 ? std::optional<double>(total / days) : std::nullopt;
}

PeriodSummary summarize(const DerivedInput &in, const QString &period, qint64 firstDay, qint64 lastDay)
{
    PeriodSummary p;
    p.period = period;
    p.firstDay = firstDay;
    p.lastDay = lastDay;
    // Readings are in time order and local days nearly so (an offset change
    // steps back at most a day, 26 hours from UTC+14 to UTC-12): find the
    // span with a margin, then check each day.
    constexpr qint64 dayMargin = 2;
    const auto begin = std::lower_bound(in.readingDay.cbegin(), in.readingDay.cend(), firstDay - dayMargin);
    QList<metrics::Reading> readings;
    QHash<int, qint64> groups;
    QSet<qint64> days;
    for (auto it = begin; it != in.readingDay.cend() && *it <= lastDay + dayMargin; ++it) {
        if (*it < firstDay || *it > lastDay)
            continue;
        const auto i = qsizetype(it - in.readingDay.cbegin());
        const metrics::Reading &r = in.readings[i];
        readings.append(r);
        if (std::isfinite(r.mgdl) && r.mgdl > 0) {
            days.insert(*it);
            if (in.readingGroup[size_t(i)] >= 0)
                ++groups[in.readingGroup[size_t(i)]];
        }
    }
    p.metrics = metrics::summarize(readings);
    p.sufficient = metrics::isSufficient(p.metrics);
    p.daysWithData = int(days.size());
    if (!groups.isEmpty())
        p.mainDeviceGroup = in.deviceGroups.value(mostCommon(groups));

    int loopDays = 0, closedDays = 0, basalDays = 0, treatmentDays = 0;
    double basal = 0, bolus = 0, carbs = 0;
    QHash<QString, qint64> uploaders;
    for (auto it = in.days.lowerBound(firstDay); it != in.days.cend() && it.key() <= lastDay; ++it) {
        const DayActivity &a = it.value();
        if (a.closedLoop) {
            ++loopDays;
            closedDays += *a.closedLoop ? 1 : 0;
        }
        if (a.basalUnits) {
            ++basalDays;
            basal += *a.basalUnits;
        }
        if (a.hasTreatments) {
            ++treatmentDays;
            bolus += a.bolusUnits;
            carbs += a.carbs;
        }
        for (auto u = a.uploaders.cbegin(); u != a.uploaders.cend(); ++u)
            uploaders[u.key()] += u.value();
    }
    if (loopDays > 0)
        p.closedLoopDaysPercent = 100.0 * closedDays / loopDays;
    p.basalUnitsPerDay = perDay(basal, basalDays);
    p.bolusUnitsPerDay = perDay(bolus, treatmentDays);
    p.carbsPerDay = perDay(carbs, treatmentDays);
    p.mainUploader = mostCommon(uploaders);
    return p;
}

} // namespace

std::pair<qint64, qint64> monthOf(qint64 day)
{
    int y = 0, m = 0, d = 0;
    civil::civilFromDays(day, y, m, d);
    const qint64 first = civil::daysFromCivil(y, m, 1);
    const qint64 next = m == 12 ? civil::daysFromCivil(y + 1, 1, 1) : civil::daysFromCivil(y, m + 1, 1);
    return { first, next - 1 };
}

QList<PeriodSummary> summarizePeriods(const DerivedInput &in, const ChangedDays &changed)
{
    QList<PeriodSummary> out;
    if (in.readingDay.empty())
        return out;
    const auto [first, last] = std::minmax_element(in.readingDay.cbegin(), in.readingDay.cend());
    out.append(summarize(in, QStringLiteral("all"), *first, *last));
    out.append(summarize(in, QStringLiteral("last_14_days"), *last - shortWindowDays + 1, *last));
    out.append(summarize(in, QStringLiteral("last_90_days"), *last - longWindowDays + 1, *last));
    const qint64 from = changed.everything ? *first : std::max(*first, changed.firstDay);
    const qint64 to = changed.everything ? *last : std::min(*last, changed.lastDay);
    for (qint64 day = monthOf(from).first; day <= to; day = monthOf(day).second + 1) {
        const auto [monthFirst, monthLast] = monthOf(day);
        PeriodSummary month = summarize(in, QStringLiteral("month"), monthFirst, monthLast);
        if (!month.metrics.isEmpty())
            out.append(std::move(month));
    }
    return out;
}

} // namespace openaps::etl
