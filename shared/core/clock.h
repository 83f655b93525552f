#pragma once

#include <QtGlobal>

#include <functional>

namespace openaps {

// Milliseconds since the epoch, UTC. Passed in wherever code reads the time,
// so tests can hand in a fake one.
using MsClock = std::function<qint64()>;
MsClock systemMsClock();

} // namespace openaps
