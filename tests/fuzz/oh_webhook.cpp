// The deauthorisation webhook as Open Humans (or anyone) POSTs it: the
// signature header is checked against the body, the body parsed (plain or
// double-encoded JSON) and its time stamp judged. Input: the header value,
// a newline, then the body (the seeds are signed with the harness's
// secret). A notice that parses is built again and parsed back to the same
// notice.

#include "fuzzsupport.h"
#include "openhumans/webhook.h"

using namespace openaps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = fuzz::bytes(data, size);
    const qsizetype newline = input.indexOf('\n');
    const QByteArray header = newline < 0 ? QByteArray() : input.left(newline);
    const QByteArray body = newline < 0 ? input : input.mid(newline + 1);
    const QByteArray secret = "fuzz-webhook-secret";

    // Only the signature made with the secret passes.
    const QByteArray expected = oh::webhookSignature(secret, body);
    if (oh::checkWebhookSignature(secret, body, header) == oh::SignatureCheck::Valid
        && header.trimmed().toLower() != expected)
        abort();
    if (oh::checkWebhookSignature({}, body, header) == oh::SignatureCheck::Valid)
        abort();
    if (oh::checkWebhookSignature(secret, body, expected) != oh::SignatureCheck::Valid)
        abort();

    const auto notice = oh::parseDeauthNotice(body);
    if (!notice)
        return 0;
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(1700000000000, Qt::UTC);
    (void)oh::isFresh(*notice, now, std::chrono::seconds(300));
    for (const bool doubleEncoded : { false, true }) {
        const auto again = oh::parseDeauthNotice(oh::deauthNoticeBody(*notice, doubleEncoded));
        if (!again || again->projectMemberId != notice->projectMemberId
            || again->erasureRequested != notice->erasureRequested)
            abort();
    }
    return 0;
}
