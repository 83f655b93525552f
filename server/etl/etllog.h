#pragma once

#include <QLoggingCategory>

namespace openaps::etl {

// openaps.server.etl: loading Open Humans files into the research database.
Q_DECLARE_LOGGING_CATEGORY(lcEtl)

} // namespace openaps::etl
