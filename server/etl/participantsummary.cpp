#include "etl/participantsummary.h"

#include "core/civildate.h"

namespace openaps::etl {

namespace {

std::optional<double> perDay(double total, int days)
{
    return days > 0 ? std::optional<double>(total / days) : std::nullopt;
}

PeriodSummary summarize(const QMap<qint64, DerivedDay> &days, const QHash<QString, QString> &groupOf,
                        const QString &period, qint64 firstDay, qint64 lastDay)
{
    PeriodSummary p;
    p.period = period;
    p.firstDay = firstDay;
    p.lastDay = lastDay;
    metrics::Partial cgm;
    QHash<QString, qint64> groups;
    int loopDays = 0, closedDays = 0, basalDays = 0, treatmentDays = 0;
    double basal = 0, bolus = 0, carbs = 0;
    QHash<QString, qint64> uploaders;
    for (auto it = days.lowerBound(firstDay); it != days.cend() && it.key() <= lastDay; ++it) {
        const DerivedDay &d = it.value();
        cgm.add(d.cgm);
        p.daysWithData += d.cgm.isEmpty() ? 0 : 1;
        for (auto device = d.devices.cbegin(); device != d.devices.cend(); ++device) {
            const QString group = groupOf.value(device.key());
            if (device->readings > 0 && !group.isEmpty())
                groups[group] += device->readings;
        }
        const DayActivity &a = d.activity;
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
    p.metrics = metrics::finish(cgm);
    p.sufficient = metrics::isSufficient(p.metrics);
    p.mainDeviceGroup = mostCommon(groups);
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

QList<PeriodSummary> summarizePeriods(const QMap<qint64, DerivedDay> &days, const ChangedDays &changed,
                                      const QHash<QString, QString> &groupOf)
{
    QList<PeriodSummary> out;
    // The history spans the days with sensor glucose rows.
    std::optional<qint64> first, last;
    for (auto it = days.cbegin(); it != days.cend(); ++it) {
        if (it->sgvRows > 0) {
            first = first.value_or(it.key());
            last = it.key();
        }
    }
    if (!first)
        return out;
    out.append(summarize(days, groupOf, QStringLiteral("all"), *first, *last));
    out.append(summarize(days, groupOf, QStringLiteral("last_14_days"), *last - shortWindowDays + 1, *last));
    out.append(summarize(days, groupOf, QStringLiteral("last_90_days"), *last - longWindowDays + 1, *last));
    const qint64 from = changed.everything ? *first : std::max(*first, changed.firstDay);
    const qint64 to = changed.everything ? *last : std::min(*last, changed.lastDay);
    for (qint64 day = monthOf(from).first; day <= to; day = monthOf(day).second + 1) {
        const auto [monthFirst, monthLast] = monthOf(day);
        PeriodSummary month = summarize(days, groupOf, QStringLiteral("month"), monthFirst, monthLast);
        if (!month.metrics.isEmpty())
            out.append(std::move(month));
    }
    return out;
}

} // namespace openaps::etl
