#include "synthetic/participantmodel.h"

#include <algorithm>
#include <cmath>

namespace openaps::synthetic::detail {

namespace {

// Fraction of carbs absorbed / insulin acted after `minutes`; gamma-like
// curves peaking at 30 and 55 minutes.
double carbAbsorbed(double minutes)
{
    return minutes <= 0 ? 0 : 1 - (1 + minutes / 30) * std::exp(-minutes / 30);
}

double insulinActed(double minutes)
{
    return minutes <= 0 ? 0 : 1 - (1 + minutes / 55) * std::exp(-minutes / 55);
}

constexpr double kMessRate[3] = { 0.0, 0.02, 0.25 };

const char kHex[] = "0123456789abcdef";

} // namespace

double pumpRound(double units)
{
    return std::round(units * 20) / 20;
}

ParticipantModel::ParticipantModel(const Options &options)
    : m_options(options),
      m_startMs(options.start.toMSecsSinceEpoch()),
      m_endMs(options.end.toMSecsSinceEpoch())
{
    const quint64 h = hash(options.seed, StreamRig, 0);
    m_cgmPhase = qint64(h % quint64(kFiveMinutes / 1000)) * 1000;
    m_profilePeriod = (45 + qint64((h >> 20) % 76)) * kDay;
    m_rig = QStringLiteral("edison-") + QString::number((h >> 40) & 0xffff, 16);

    const QTimeZone &tz = options.timeZone.isValid() ? options.timeZone : QTimeZone(QTimeZone::utc());
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(m_startMs - 40 * kDay, Qt::UTC);
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(m_endMs + 40 * kDay, Qt::UTC);
    m_fixedOffset = tz.offsetFromUtc(from);
    if (tz.hasTransitions()) {
        for (const auto &t : tz.transitions(from, to))
            m_transitions.emplace_back(t.atUtc.toMSecsSinceEpoch(), t.offsetFromUtc);
    }
}

int ParticipantModel::offsetAt(qint64 utcMs) const
{
    auto it = std::upper_bound(m_transitions.begin(), m_transitions.end(), utcMs,
                               [](qint64 v, const std::pair<qint64, int> &t) { return v < t.first; });
    return it == m_transitions.begin() ? m_fixedOffset : std::prev(it)->second;
}

qint64 ParticipantModel::localDay(qint64 utcMs) const
{
    return floorDiv(utcMs + qint64(offsetAt(utcMs)) * 1000, kDay);
}

qint64 ParticipantModel::localToUtc(qint64 day, qint64 localMsOfDay) const
{
    // The offset at local noon serves the whole day, so a day's events keep
    // their order and every stream agrees on their instants.
    return day * kDay + localMsOfDay - qint64(plan(day).offsetSeconds) * 1000;
}

double ParticipantModel::localHour(qint64 utcMs) const
{
    const qint64 local = utcMs + qint64(offsetAt(utcMs)) * 1000;
    return double(local - floorDiv(local, kDay) * kDay) / kHour;
}

const DayPlan &ParticipantModel::plan(qint64 day) const
{
    auto it = m_plans.find(day);
    if (it == m_plans.end())
        it = m_plans.emplace(day, drawPlan(day)).first;
    return it->second;
}

DayPlan ParticipantModel::drawPlan(qint64 day) const
{
    DayPlan p;
    p.day = day;
    p.offsetSeconds = offsetAt(day * kDay + 12 * kHour - qint64(m_fixedOffset) * 1000);
    auto r = [&](int what) { return hash(seed(), StreamDay, day, quint64(what)); };
    auto at = [&](double hour, double spreadMinutes, int what) {
        const double minutes = hour * 60 + uniform(r(what), -spreadMinutes, spreadMinutes);
        return day * kDay + qint64(minutes * kMinute) - qint64(p.offsetSeconds) * 1000;
    };
    p.base = uniform(r(1), 95, 135);

    struct MealTime
    {
        double hour, spread, minCarbs, maxCarbs;
    };
    const MealTime mealTimes[4] = {
        { 7.5, 60, 25, 60 }, { 12.5, 60, 30, 80 }, { 18.75, 75, 40, 100 }, { 15.5, 60, 10, 30 }
    };
    const int count = unit(r(2)) < 0.45 ? 4 : 3;
    for (int i = 0; i < count; ++i) {
        Meal &m = p.meals[p.mealCount++];
        m.at = at(mealTimes[i].hour, mealTimes[i].spread, 10 + i);
        m.carbs = int(uniform(r(20 + i), mealTimes[i].minCarbs, mealTimes[i].maxCarbs));
        m.mismatch = uniform(r(30 + i), 0.7, 1.35);
        m.meterCheck = unit(r(40 + i)) < 0.35;
    }
    // Meals sorted by time (the snack may fall before lunch).
    // (An insertion sort: GCC 12 warns falsely about std::sort on tiny arrays.)
    for (int i = 1; i < p.mealCount; ++i) {
        for (int j = i; j > 0 && p.meals[j].at < p.meals[j - 1].at; --j)
            std::swap(p.meals[j], p.meals[j - 1]);
    }
    for (int i = 0; i < p.mealCount; ++i) {
        Meal &m = p.meals[i];
        const ProfileVersion profile = profileAt(m.at);
        m.bolus = pumpRound(m.carbs / profile.icr * m.mismatch);
        m.rise = m.carbs * profile.isf / profile.icr;
    }

    if (unit(r(3)) < 0.2)
        p.exerciseAt = at(17.5, 90, 4);
    if (unit(r(5)) < 0.3) {
        p.activityTarget = p.exerciseAt >= 0;
        p.tempTargetAt = p.activityTarget ? p.exerciseAt - 60 * kMinute : p.meals[p.mealCount - 1].at - 45 * kMinute;
    }
    const qint64 phase = qint64(hash(seed(), StreamDay, 0, 99) % 30);
    if ((day + phase) % 10 == 0)
        p.sensorStartAt = at(9.5, 60, 6);
    if ((day + phase) % 3 == 0)
        p.siteChangeAt = at(20.0, 60, 7);
    p.calibrationAt[0] = at(7.0, 30, 8);
    p.calibrationAt[1] = at(19.5, 30, 9);
    if (unit(r(11)) < 0.1)
        p.noteAt = at(14.0, 180, 12);
    return p;
}

qint64 ParticipantModel::firstSlotAtOrAfter(qint64 utcMs) const
{
    const qint64 k = floorDiv(utcMs - m_cgmPhase + kFiveMinutes - 1, kFiveMinutes);
    return k * kFiveMinutes + m_cgmPhase;
}

bool ParticipantModel::cgmAvailable(qint64 slotMs) const
{
    const qint64 day = localDay(slotMs);
    for (qint64 d = day - 1; d <= day; ++d) {
        const qint64 start = plan(d).sensorStartAt;
        if (start >= 0 && slotMs >= start && slotMs < start + 2 * kHour)
            return false; // sensor warm-up
    }
    // Signal loss: about one hour in 80 starts a 15 to 60 minute gap.
    const qint64 hour = floorDiv(slotMs, kHour);
    for (qint64 h = hour - 1; h <= hour; ++h) {
        const quint64 g = hash(seed(), StreamCgmGap, h);
        if (unit(g) >= 0.0125)
            continue;
        const qint64 from = h * kHour + qint64((g >> 20) % 60) * kMinute;
        const qint64 length = (15 + qint64((g >> 30) % 46)) * kMinute;
        if (slotMs >= from && slotMs < from + length)
            return false;
    }
    return true;
}

template <typename F> void ParticipantModel::visitMeals(qint64 utcMs, qint64 window, F &&f) const
{
    const qint64 day = localDay(utcMs);
    for (qint64 d = day - 1; d <= day; ++d) {
        const DayPlan &p = plan(d);
        for (int i = 0; i < p.mealCount; ++i) {
            const qint64 since = utcMs - p.meals[i].at;
            if (since >= 0 && since < window)
                f(p.meals[i], double(since) / kMinute);
        }
    }
}

double ParticipantModel::glucose(qint64 utcMs) const
{
    const qint64 day = localDay(utcMs);
    const double hour = localHour(utcMs);
    const double dayFraction = hour / 24;
    double g = plan(day).base * (1 - dayFraction) + plan(day + 1).base * dayFraction;
    g += 22 * std::exp(-(hour - 6) * (hour - 6) / 4.5); // dawn phenomenon

    visitMeals(utcMs, 8 * kHour, [&](const Meal &m, double minutes) {
        const double fade = minutes < 150 ? 1 : std::exp(-(minutes - 150) / 80);
        g += m.rise * (carbAbsorbed(minutes) - m.mismatch * insulinActed(minutes)) * fade;
    });
    for (qint64 d = day - 1; d <= day; ++d) {
        const qint64 exercise = plan(d).exerciseAt;
        const double minutes = double(utcMs - exercise) / kMinute;
        if (exercise >= 0 && minutes >= 0 && minutes < 240)
            g -= 75 * (minutes / 45) * std::exp(1 - minutes / 45);
    }
    // Slow wandering: smooth value noise with knots every 40 minutes.
    const qint64 knotLength = 40 * kMinute;
    const qint64 knot = floorDiv(utcMs, knotLength);
    const double frac = double(utcMs - knot * knotLength) / knotLength;
    const double a = unit(hash(seed(), StreamKnot, knot));
    const double b = unit(hash(seed(), StreamKnot, knot + 1));
    const double s = (1 - std::cos(frac * M_PI)) / 2;
    g += 55 * ((a + (b - a) * s) - 0.5);
    return g;
}

int ParticipantModel::sensorGlucose(qint64 slotMs) const
{
    const double noise = uniform(hash(seed(), StreamCgmNoise, floorDiv(slotMs, kFiveMinutes)), -3, 3);
    return int(std::clamp(std::round(glucose(slotMs) + noise), 40.0, 400.0));
}

double ParticipantModel::iob(qint64 utcMs) const
{
    double total = 0;
    visitMeals(utcMs, 6 * kHour,
               [&](const Meal &m, double minutes) { total += m.bolus * (1 - insulinActed(minutes)); });
    return total;
}

double ParticipantModel::cob(qint64 utcMs) const
{
    double total = 0;
    visitMeals(utcMs, 5 * kHour,
               [&](const Meal &m, double minutes) { total += m.carbs * (1 - carbAbsorbed(minutes)); });
    return total;
}

LoopDecision ParticipantModel::decision(qint64 slotMs) const
{
    const quint64 h = hash(seed(), StreamBasal, floorDiv(slotMs, kFiveMinutes));
    LoopDecision d;
    d.at = slotMs + 30 * 1000 + qint64(h % 20000);
    d.glucose = glucose(slotMs);
    d.delta = d.glucose - glucose(slotMs - 15 * kMinute);
    const ProfileVersion profile = profileAt(slotMs);
    const double scheduled = scheduledBasal(slotMs);
    if (h % 3 == 0) {
        d.setsTempBasal = true;
        double rate = scheduled * (1 + (d.glucose - profile.target) / 90 + d.delta / 30);
        if (d.glucose < 80 || d.glucose + 2 * d.delta < 75)
            rate = 0;
        d.rate = pumpRound(std::clamp(rate, 0.0, 3 * scheduled));
    } else if (d.glucose > 170 && d.delta > -5 && h % 4 == 1) {
        d.smb = std::max(0.0, pumpRound(std::min(1.0, (d.glucose - profile.target) / profile.isf / 3)));
    }
    return d;
}

ProfileVersion ParticipantModel::profileVersion(int index) const
{
    ProfileVersion v;
    v.index = index;
    v.startsAt = m_startMs + index * m_profilePeriod;
    const auto r = [&](int what) { return hash(seed(), StreamProfile, index, quint64(what)); };
    const auto base = [&](int what) { return hash(seed(), StreamProfile, -1, quint64(what)); };
    v.basal = uniform(base(1), 0.5, 1.3) * uniform(r(1), 0.9, 1.1);
    v.isf = std::round(uniform(base(2), 35, 75) * uniform(r(2), 0.9, 1.1));
    v.icr = std::round(uniform(base(3), 7, 15) * uniform(r(3), 0.9, 1.1));
    v.target = 95 + 5 * double(r(4) % 4);
    v.dia = 5 + int(base(5) % 2);
    return v;
}

ProfileVersion ParticipantModel::profileAt(qint64 utcMs) const
{
    const qint64 index = utcMs < m_startMs ? 0 : (utcMs - m_startMs) / m_profilePeriod;
    return profileVersion(int(index));
}

double ParticipantModel::basalShape(double localHour)
{
    if (localHour < 3.5)
        return 0.8;
    if (localHour < 7)
        return 1.15;
    if (localHour < 12)
        return 1.0;
    if (localHour < 19)
        return 0.9;
    return 0.85;
}

double ParticipantModel::scheduledBasal(qint64 utcMs) const
{
    return pumpRound(profileAt(utcMs).basal * basalShape(localHour(utcMs)));
}

bool ParticipantModel::mess(MessKind kind, quint64 stream, qint64 index) const
{
    const int level = std::clamp(m_options.messLevel, 0, 2);
    if (level == 0)
        return false;
    return unit(hash(seed(), StreamMess, index, (quint64(kind) << 8) | stream)) < kMessRate[level];
}

QString ParticipantModel::objectId(qint64 atMs, quint64 stream, qint64 index, quint64 salt) const
{
    char buffer[24];
    const quint32 seconds = quint32(floorDiv(atMs, 1000));
    for (int i = 7; i >= 0; --i)
        buffer[7 - i] = kHex[(seconds >> (4 * i)) & 0xf];
    const quint64 h = hash(seed(), StreamId, index, (stream << 8) ^ salt);
    for (int i = 15; i >= 0; --i)
        buffer[8 + 15 - i] = kHex[(h >> (4 * i)) & 0xf];
    return QString::fromLatin1(buffer, 24);
}

} // namespace openaps::synthetic::detail
