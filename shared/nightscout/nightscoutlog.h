#pragma once

#include <QLoggingCategory>

// openaps.shared.nightscout: the Nightscout client. Log SiteUrl::logId(),
// never the site's URL or credentials.
Q_DECLARE_LOGGING_CATEGORY(lcNightscout)
