#pragma once

#include <QLoggingCategory>

namespace openaps::api {

// The researcher API's log category. Never log passwords, tokens, email
// codes or email addresses here: use the researcher id.
Q_DECLARE_LOGGING_CATEGORY(lcApi)

} // namespace openaps::api
