#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <chrono>

// The deauthorisation webhook Open Humans POSTs when a member leaves the
// project. Pure functions, no network: the site verifies and parses, the
// stand-in builds and signs.
namespace openaps::oh {

inline constexpr char webhookSignatureHeader[] = "X-OpenHumans-Webhooks-Signature";

struct DeauthNotice
{
    QString projectMemberId;
    bool erasureRequested = false;
    QDateTime timestamp; // UTC; invalid when the payload had none
};

// "sha1=" + hex HMAC-SHA1(secret, raw body), the header's value.
QByteArray webhookSignature(const QByteArray &secret, const QByteArray &rawBody);

enum class SignatureCheck {
    Valid,
    NoSecret, // no secret configured: nothing can be verified
    Missing, // the header is absent or empty
    Malformed, // not "sha1=<40 hex digits>"
    Mismatch,
};

// Compares in constant time, so the answer time tells nothing about how
// much of a forged signature was right.
SignatureCheck checkWebhookSignature(const QByteArray &secret, const QByteArray &rawBody,
                                     const QByteArray &headerValue);

// Accepts the JSON object, and the older form where the object was encoded
// twice (a JSON string holding the JSON). Errors: "bad-webhook".
Result<DeauthNotice> parseDeauthNotice(const QByteArray &rawBody);

// Open Humans stamps every notice with the time it was sent. A notice
// without a stamp, or stamped more than `window` before or after `now`, is
// not fresh: a captured request cannot be sent again later (and within the
// window the site refuses a second delivery of the same signature).
bool isFresh(const DeauthNotice &notice, const QDateTime &now, std::chrono::seconds window);

// The body Open Humans would send; doubleEncoded for the older form.
QByteArray deauthNoticeBody(const DeauthNotice &notice, bool doubleEncoded = false);

} // namespace openaps::oh
