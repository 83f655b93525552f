#pragma once

#include <QLoggingCategory>

namespace openaps::oh {

// Never log tokens, secrets or download URLs (they carry signatures and keys);
// log the project member id or the file id instead.
Q_DECLARE_LOGGING_CATEGORY(lcOpenHumans)

} // namespace openaps::oh
