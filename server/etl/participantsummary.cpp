#include "etl/participantsummary.h"

#include "core/civildate.h"

namespace openaps::etl {

namespace {

std::optional<double> perDay(double total, int days)
{
    return days > 0 ? std::optional<double>(total / days) : std::nullopt;
}

PeriodSummary summarize(const PeriodSums &sums, const QHash<QString, QString> &groupOf, const QString &period,
                        qint64 firstDay, qint64 lastDay)
{
    PeriodSummary p;
    p.period = period;
    p.firstDay = firstDay;
    p.lastDay = lastDay;
    p.daysWithData = int(sums.daysWithData);
    QHash<QString, qint64> groups;
    for (auto device = sums.devices.cbegin(); device != sums.devices.cend(); ++device) {
        const QString group = groupOf.value(device.key());
        if (device->readings > 0 && !group.isEmpty())
            groups[group] += device->readings;
    }
    p.metrics = metrics::finish(sums.cgm);
    p.sufficient = metrics::isSufficient(p.metrics);
    p.mainDeviceGroup = mostCommon(groups);
    if (sums.loopDays > 0)
        p.closedLoopDaysPercent = 100.0 * double(sums.closedLoopDays) / double(sums.loopDays);
    p.basalUnitsPerDay = perDay(sums.basalUnits, int(sums.basalDays));
    p.bolusUnitsPerDay = perDay(sums.bolusUnits, int(sums.treatmentDays));
    p.carbsPerDay = perDay(sums.carbs, int(sums.treatmentDays));
    p.mainUploader = mostCommon(sums.uploaders);
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

PeriodSums periodSums(const QMap<qint64, DerivedDay> &days, const QMap<qint64, PeriodSums> &months, qint64 firstDay,
                      qint64 lastDay)
{
    PeriodSums sums;
    for (qint64 month = monthOf(firstDay).first; month <= lastDay; month = monthOf(month).second + 1) {
        const qint64 monthLast = monthOf(month).second;
        if (month >= firstDay && monthLast <= lastDay) {
            if (const auto it = months.constFind(month); it != months.cend())
                sums.add(it.value());
            continue;
        }
        const qint64 to = std::min(lastDay, monthLast);
        for (auto it = days.lowerBound(std::max(firstDay, month)); it != days.cend() && it.key() <= to; ++it)
            sums.add(it.value());
    }
    return sums;
}

QMap<qint64, PeriodSums> monthSums(const QMap<qint64, DerivedDay> &days)
{
    QMap<qint64, PeriodSums> months;
    for (auto it = days.cbegin(); it != days.cend(); ++it)
        months[monthOf(it.key()).first].add(it.value());
    return months;
}

QList<PeriodSummary> summarizePeriods(const QMap<qint64, DerivedDay> &days, const QMap<qint64, PeriodSums> &months,
                                      const ChangedDays &changed, const QHash<QString, QString> &groupOf)
{
    QList<PeriodSummary> out;
    // The history spans the days with sensor glucose rows.
    std::optional<qint64> first, last;
    for (const PeriodSums &month : months) {
        if (month.firstSgvDay) {
            first = first ? std::min(*first, *month.firstSgvDay) : *month.firstSgvDay;
            last = last ? std::max(*last, *month.lastSgvDay) : *month.lastSgvDay;
        }
    }
    if (!first)
        return out;
    const auto period = [&](const QString &name, qint64 from, qint64 to) {
        return summarize(periodSums(days, months, from, to), groupOf, name, from, to);
    };
    out.append(period(QStringLiteral("all"), *first, *last));
    out.append(period(QStringLiteral("last_14_days"), *last - shortWindowDays + 1, *last));
    out.append(period(QStringLiteral("last_90_days"), *last - longWindowDays + 1, *last));
    const qint64 from = changed.everything ? *first : std::max(*first, changed.firstDay);
    const qint64 to = changed.everything ? *last : std::min(*last, changed.lastDay);
    for (qint64 day = monthOf(from).first; day <= to; day = monthOf(day).second + 1) {
        const auto [monthFirst, monthLast] = monthOf(day);
        PeriodSummary month = summarize(months.value(monthFirst), groupOf, QStringLiteral("month"), monthFirst,
                                        monthLast);
        if (!month.metrics.isEmpty())
            out.append(std::move(month));
    }
    return out;
}

} // namespace openaps::etl
