#pragma once

#include <QLoggingCategory>

namespace openaps::server::mail {

// Outgoing mail. Never log recipients, codes or message bodies here.
Q_DECLARE_LOGGING_CATEGORY(lcMail)

} // namespace openaps::server::mail
