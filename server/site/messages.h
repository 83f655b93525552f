#pragma once

#include "core/result.h"

#include <QString>

namespace openaps::site {

// Plain words for participants. Each function turns a machine code into a
// sentence a non-technical reader on a phone can act on.

// Heading for a Nightscout check that failed (codes of ns::ProbeResult and ns::SiteUrl).
QString probeProblemTitle(const QString &code);
// Whether the problem is about a missing or wrong token (open the token help).
bool isCredentialProblem(const QString &code);

// What went wrong talking to Open Humans while saving.
QString openHumansProblem(const Error &error);
// Whether the Open Humans login must be redone.
bool needsNewLogin(const Error &error);

// The ingest job's last error (participant_status.last_error_code), falling
// back to the message it stored.
QString transferProblem(const QString &code, const QString &storedMessage);

// "Glucose readings" for "entries", and so on.
QString dataTypeLabel(const QString &dataType);

} // namespace openaps::site
