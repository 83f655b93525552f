#pragma once

#include <QString>

#include <optional>

namespace openaps::records {

// Who may use a participant's data, as written to the consent file in their
// Open Humans account (the old system's values, read by ingest and ETL).
enum class Consent { None, OpenAps, Nsf, Both };

QString consentValue(Consent consent); // openaps|nsf|both|none
std::optional<Consent> parseConsent(const QString &value);
Consent consentFromBoxes(bool shareOpenAps, bool shareNsf);
bool sharesWithOpenAps(Consent consent);
bool sharesWithNsf(Consent consent);
// Plain words for the page, e.g. "OpenAPS Data Commons and Nightscout Foundation Data Commons".
QString consentDescription(Consent consent);

} // namespace openaps::records
