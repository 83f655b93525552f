#include "core/clock.h"

#include <QDateTime>

namespace openaps {

MsClock systemMsClock()
{
    return [] { return QDateTime::currentMSecsSinceEpoch(); };
}

} // namespace openaps
