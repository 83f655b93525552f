#pragma once

#include <QLoggingCategory>

namespace openaps::researcher {

// Never log passwords, tokens, email codes or downloaded data here.
Q_DECLARE_LOGGING_CATEGORY(lcResearcher)

} // namespace openaps::researcher
