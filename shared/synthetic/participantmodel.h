#pragma once

#include "synthetic/generator.h"
#include "synthetic/hashing.h"

#include <functional>
#include <unordered_map>
#include <vector>

namespace openaps::synthetic::detail {

struct Meal
{
    qint64 at = 0; // UTC ms
    int carbs = 0;
    double bolus = 0; // units
    double mismatch = 1; // bolus relative to what the carbs needed
    double rise = 0; // mg/dL the carbs would raise glucose without insulin
    bool meterCheck = false; // a finger stick 10 minutes before
};

// What happens on one local calendar day, drawn from the seed and the day.
struct DayPlan
{
    qint64 day = 0; // local days since 1970-01-01
    int offsetSeconds = 0; // UTC offset at local noon
    double base = 120; // glucose the day floats around, mg/dL
    int mealCount = 0;
    Meal meals[4];
    qint64 exerciseAt = -1;
    qint64 tempTargetAt = -1;
    bool activityTarget = false; // else "eating soon"
    qint64 sensorStartAt = -1;
    qint64 siteChangeAt = -1;
    qint64 calibrationAt[2] = { -1, -1 };
    qint64 noteAt = -1;
};

// Settings in force from `startsAt` until the next version.
struct ProfileVersion
{
    int index = 0;
    qint64 startsAt = 0;
    double basal = 1.0; // U/h before the time-of-day shape
    double isf = 50; // mg/dL per U
    double icr = 10; // g per U
    double target = 100;
    int dia = 5;
};

// What the loop decides shortly after a CGM reading.
struct LoopDecision
{
    qint64 at = 0; // when the loop acted, UTC ms
    double glucose = 0;
    double delta = 0; // change over the last 15 minutes
    bool setsTempBasal = false; // about every third run
    double rate = 0; // U/h, when setsTempBasal
    double smb = 0; // units of an automatic bolus, or 0
};

// Identifies a messy shape, for mess().
enum class MessKind : quint64 {
    StringNumbers = 1,
    LocalOffset,
    NulDevice,
    Duplicate,
    NoiseClean,
    IobArray,
    ReceivedSpelling,
    BigStatus,
    StringProfile,
};

// The participant's body, devices and habits as pure functions of time.
// Made for one generate() call; caches day plans it has drawn.
class ParticipantModel
{
public:
    explicit ParticipantModel(const Options &options);

    const Options &options() const { return m_options; }
    quint64 seed() const { return m_options.seed; }
    qint64 startMs() const { return m_startMs; }
    qint64 endMs() const { return m_endMs; }

    int offsetAt(qint64 utcMs) const; // seconds east of UTC
    qint64 localDay(qint64 utcMs) const;
    qint64 localToUtc(qint64 day, qint64 localMsOfDay) const;
    double localHour(qint64 utcMs) const;
    const DayPlan &plan(qint64 day) const;

    // CGM readings come every 5 minutes at a fixed phase of the seed.
    qint64 cgmPhase() const { return m_cgmPhase; }
    qint64 firstSlotAtOrAfter(qint64 utcMs) const;
    bool cgmAvailable(qint64 slotMs) const;

    double glucose(qint64 utcMs) const; // the model's blood glucose
    int sensorGlucose(qint64 slotMs) const; // what the CGM shows: noisy, 40..400
    double iob(qint64 utcMs) const;
    double cob(qint64 utcMs) const;

    LoopDecision decision(qint64 slotMs) const;

    ProfileVersion profileAt(qint64 utcMs) const;
    ProfileVersion profileVersion(int index) const;
    double scheduledBasal(qint64 utcMs) const;
    static double basalShape(double localHour);

    // Whether a record shows the given messy shape (never at messLevel 0).
    bool mess(MessKind kind, quint64 stream, qint64 index) const;

    // A stable ObjectId-like id: 8 hex digits of seconds, 16 of hash.
    QString objectId(qint64 atMs, quint64 stream, qint64 index, quint64 salt = 0) const;

    // The rig/phone name of this participant, e.g. "edison-3fa1".
    QString rigName() const { return m_rig; }

private:
    DayPlan drawPlan(qint64 day) const;
    template <typename F> void visitMeals(qint64 utcMs, qint64 window, F &&f) const;

    const Options &m_options;
    qint64 m_startMs;
    qint64 m_endMs;
    qint64 m_cgmPhase;
    qint64 m_profilePeriod;
    QString m_rig;
    int m_fixedOffset = 0;
    std::vector<std::pair<qint64, int>> m_transitions; // (from UTC ms, offset)
    mutable std::unordered_map<qint64, DayPlan> m_plans; // node-based: references stay valid
};

// Rounds to the 0.05 U steps pumps deliver.
double pumpRound(double units);

} // namespace openaps::synthetic::detail
