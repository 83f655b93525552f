#pragma once

#include <QLoggingCategory>

namespace openaps::site {

// The participant site's log category. Never log member tokens, Nightscout
// URLs or hosts, cookies or IP addresses here: use the participant id.
Q_DECLARE_LOGGING_CATEGORY(lcSite)

} // namespace openaps::site
