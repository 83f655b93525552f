#include "ingest/ingestlog.h"

namespace openaps::ingest {

Q_LOGGING_CATEGORY(lcIngest, "openaps.server.ingest", QtInfoMsg)

} // namespace openaps::ingest
