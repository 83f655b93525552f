#pragma once

#include <QLoggingCategory>

namespace openaps::legacy {

// openaps.server.legacy: copying the old Data Commons database.
Q_DECLARE_LOGGING_CATEGORY(lcLegacy)

} // namespace openaps::legacy
