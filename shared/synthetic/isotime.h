#pragma once

#include <QString>

namespace openaps::synthetic::detail {

// ISO-8601 text for an instant, without QDateTime (hot path: millions of
// records). offsetSeconds == 0 with utc gives "...Z"; otherwise the local
// wall time with "+hh:mm"/"-hh:mm".
QString isoTime(qint64 utcMs, int offsetSeconds, bool utc, bool millis = true);

} // namespace openaps::synthetic::detail
