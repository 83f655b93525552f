#pragma once

#include <QDateTime>

#include <functional>

namespace openaps {

// Where "now" comes from: the one clock type of the tree (UTC). Passed in
// wherever code reads the time, so tests can hand in a fake one.
using Clock = std::function<QDateTime()>;
Clock systemClock();

// The clock's time in milliseconds since the epoch.
inline qint64 nowMs(const Clock &clock)
{
    return clock().toMSecsSinceEpoch();
}

} // namespace openaps
