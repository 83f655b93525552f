#pragma once

#include <QLoggingCategory>

namespace openaps::ingest {

// openaps.server.ingest: the Nightscout → Open Humans transfers. Log the
// participant's database id and counts; never member ids, Nightscout URLs,
// hosts or tokens.
Q_DECLARE_LOGGING_CATEGORY(lcIngest)

} // namespace openaps::ingest
