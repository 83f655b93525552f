#pragma once

#include "core/result.h"
#include "nightscout/credentials.h"

namespace openaps::ns {

// Plain-words errors shared by the probe and the readers, so a participant
// reads the same advice wherever the problem shows up.

// How to make a read-only access token in Nightscout.
QString tokenAdvice();

// "needs-credentials": the site is not readable without a token or secret.
Error needsCredentialsError();

// "credentials-rejected": the token or secret given was not accepted.
Error credentialsRejectedError(Credentials::Kind kind);

// "unreachable": the one sentence a participant sees whatever kept us from
// the site (refused, unknown name, TLS, timeout, a server error, an address
// that is not public), plus the hint that fits. Never the transport detail:
// told apart, they would map the network behind an address for anyone.
Error unreachableError(const Error &cause);

// "unreachable" too: the site sends requests on to another address, which is
// not followed (it could lead anywhere).
Error redirectedError();

// "not-nightscout": something answered, but not like a Nightscout site.
Error notNightscoutError();

} // namespace openaps::ns
