// What Open Humans answers (token exchange and refresh, the member's file
// list with its pages, upload target and completion, error bodies): every
// parser the jobs apply to an answer, on the same bytes. The first byte
// picks the HTTP status.

#include "fuzzsupport.h"
#include "openhumans/api.h"

using namespace openaps;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const int statuses[] = { 200, 201, 204, 400, 401, 403, 404, 429, 500, 503 };
    HttpResponse response;
    response.status = statuses[data[0] % std::size(statuses)];
    response.body = fuzz::bytes(data + 1, size - 1);
    response.url = QUrl(QStringLiteral("https://www.openhumans.org/api/direct-sharing/project/exchange-member/"
                                       "?access_token=fuzz"));
    response.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    if (!oh::api::isSuccess(response)) {
        const Error error = oh::api::errorFor(response);
        if (error.code.isEmpty())
            abort();
        return 0;
    }
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(1700000000000, Qt::UTC);
    if (auto pair = oh::api::parseTokenPair(response, now)) {
        if (!pair->expiresAt.isValid() || pair->expiresAt < now)
            abort();
    }
    if (auto page = oh::api::parseMemberPage(response)) {
        for (const oh::MemberFile &file : page->files)
            (void)file.downloadUrl.toString();
    }
    (void)oh::api::parseUploadTarget(response);
    (void)oh::api::parseUploadComplete(response);
    (void)oh::parseTime(QString::fromUtf8(response.body));
    return 0;
}
