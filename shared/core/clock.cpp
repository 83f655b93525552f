#include "core/clock.h"

namespace openaps {

Clock systemClock()
{
    return [] { return QDateTime::currentDateTimeUtc(); };
}

} // namespace openaps
