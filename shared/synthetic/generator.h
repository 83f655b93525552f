#pragma once

#include "nightscout/collection.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QTimeZone>

#include <functional>
#include <memory>

namespace openaps::synthetic {

// Which closed-loop system uploads the participant's data; decides the
// shapes of devicestatus (openaps.* or loop.*), device names and enteredBy.
enum class LoopFlavour { OpenAPS, Loop, AndroidAPS };

struct Options
{
    quint64 seed = 1;
    QDateTime start = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC); // first data
    QDateTime end = QDateTime(QDate(2024, 1, 8), QTime(0, 0), Qt::UTC); // no data from here on
    QTimeZone timeZone = QTimeZone("America/Los_Angeles");
    LoopFlavour flavour = LoopFlavour::OpenAPS;
    // 0: clean records only. 1: the messy shapes real sites have, now and
    // then. 2: messy shapes in about a quarter of the records (for tests).
    int messLevel = 1;
};

// One synthetic participant: 5-minute CGM with meals, nights, sensor changes
// and gaps, calibrations and meter readings; boluses, carbs, temp basals,
// temporary targets; OpenAPS / Loop / AndroidAPS devicestatus; profiles.
//
// Everything is a pure function of the options: any window [from, to) gives
// the same records whether it is generated at once or in pieces, so five
// years never need to be in memory. Each record has a stable 24-hex `_id`
// whose first 8 digits are its time in seconds, like a MongoDB ObjectId.
//
// Messy shapes (as found in real Nightscout data) at messLevel >= 1: numbers as strings, created_at
// with a local UTC offset, NUL characters in `device`, the same record from
// two uploaders (same time, different `_id`), noise:"Clean", openaps.iob as
// an array, both `recieved` and `received`, huge devicestatus documents with
// prediction arrays, profile values as strings.
class Generator
{
public:
    explicit Generator(Options options);
    ~Generator();
    Generator(const Generator &) = delete;
    Generator &operator=(const Generator &) = delete;

    const Options &options() const { return m_options; }

    using Sink = std::function<void(const QJsonObject &record)>;

    // Records whose time lies in [from, to) (and within [start, end)),
    // oldest first, handed one by one to `sink`; memory stays at one day.
    void generate(ns::Collection collection, const QDateTime &from, const QDateTime &to, const Sink &sink) const;

    // The same, collected.
    QList<QJsonObject> records(ns::Collection collection, const QDateTime &from, const QDateTime &to) const;

    // The time of a generated record: `date` for entries, the instant of
    // `created_at` (which may carry an offset) or `startDate` for the others.
    static QDateTime recordTime(ns::Collection collection, const QJsonObject &record);

private:
    Options m_options;
};

} // namespace openaps::synthetic
