#pragma once

#include "core/httpcall.h"
#include "core/result.h"

namespace openaps::researcher {

// Turns a non-2xx API answer ({"error","message"}) into an Error whose
// message is plain words for a researcher. Known codes get our own words,
// except where the server's message carries the detail (which field is
// wrong, how many tries remain); unknown or unreadable answers get a
// generic sentence with the status. 429 mentions Retry-After.
Error errorFromAnswer(int status, const QByteArray &body, const QByteArray &retryAfter = {});
Error errorFromAnswer(const HttpResponse &response);

// Our words for a code (API codes and the transport codes of HttpCall);
// empty for an unknown code.
QString plainWords(const QString &code);

// True for the answer that means "sign in again".
inline bool isSignInRequired(const Error &error)
{
    return error.code == QLatin1String("bad-token") || error.code == QLatin1String("no-token");
}

} // namespace openaps::researcher
