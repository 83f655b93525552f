#pragma once

#include "core/config.h"

#include <QString>

namespace openaps::log {

// Installs the process-wide Qt message handler: one line per message, UTC
// timestamp, level, category, redacted text; plain text or JSON lines.
void install(LogFormat format);

// Masks secrets in free text: token=/access_token=/password= values,
// api-secret headers, bearer tokens, JSON secret fields, and every URL
// (Nightscout URLs identify a participant and may carry a token).
QString redact(const QString &text);

// Formats one log line as install() writes it (exposed for tests).
QString formatLine(LogFormat format, QtMsgType type, const char *category, const QString &message,
                   const QDateTime &utc);

} // namespace openaps::log
