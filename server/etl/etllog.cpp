#include "etl/etllog.h"

namespace openaps::etl {

Q_LOGGING_CATEGORY(lcEtl, "openaps.server.etl", QtInfoMsg)

} // namespace openaps::etl
