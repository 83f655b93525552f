#include "legacy/legacylog.h"

namespace openaps::legacy {

Q_LOGGING_CATEGORY(lcLegacy, "openaps.server.legacy", QtInfoMsg)

} // namespace openaps::legacy
