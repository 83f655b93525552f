#pragma once

#include <QLoggingCategory>

namespace openaps::mail {

// Outgoing mail. Never log recipients, codes or message bodies here.
Q_DECLARE_LOGGING_CATEGORY(lcMail)

} // namespace openaps::mail
