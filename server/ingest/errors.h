#pragma once

#include "core/result.h"

// The error classes of an ingest run, stored in participant_status.last_error_code
// (the site's status panel words them; site/messages.cpp) and counted in the
// metrics. Each Error built here has one of these codes and a message in plain
// words that never holds a URL or token.
namespace openaps::ingest::errors {

inline constexpr char kUnreachable[] = "unreachable"; // Nightscout down, slow or erroring
inline constexpr char kNotNightscout[] = "not_nightscout"; // the address leads elsewhere
inline constexpr char kNeedsToken[] = "needs_token"; // the site is locked, no token saved
inline constexpr char kTokenRejected[] = "token_rejected"; // the saved token/secret is refused
inline constexpr char kBadData[] = "bad_data"; // Nightscout sent data that cannot be read
inline constexpr char kBadUrl[] = "bad_url"; // the saved address is not usable
inline constexpr char kNoUrl[] = "no_url"; // skip: no Nightscout address in Open Humans
inline constexpr char kNoConsent[] = "no_consent"; // skip: the consent file says something unknown
inline constexpr char kConsentNone[] = "consent_none"; // skip: the participant shares with no one
inline constexpr char kOhRevoked[] = "oh_revoked"; // Open Humans access withdrawn: stop
inline constexpr char kErased[] = "erased"; // skip: erased, sharing again not confirmed yet
inline constexpr char kOhUnavailable[] = "oh_unavailable"; // Open Humans failed; try later
inline constexpr char kInternal[] = "internal"; // our side (database, bug)

// From the Nightscout client's codes (ns::Client::interpretJson, RecordReader).
Error fromNightscout(const Error &error);
// From the Open Humans client's codes (oh::api::errorFor, jobs).
Error fromOpenHumans(const Error &error);
// An Open Humans error that means our access is gone for good.
bool isRevocation(const Error &openHumansError);
Error internal(const Error &error);

} // namespace openaps::ingest::errors
