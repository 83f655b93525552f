#include "site/deauthendpoint.h"

#include "http/requests.h"
#include "openhumans/webhook.h"
#include "site/erasure.h"
#include "site/httphelpers.h"
#include "site/sitelog.h"

#include <QJsonObject>

namespace openaps::site {

using Status = QHttpServerResponse::StatusCode;

QHttpServerResponse handleDeauthWebhook(const db::Database &database, const privacy::ParticipantKeys &keys,
                                        const QByteArray &secret, const QHttpServerRequest &request)
{
    auto answer = [](const char *status, Status code) {
        return QHttpServerResponse(QJsonObject { { QStringLiteral("status"), QLatin1String(status) } }, code);
    };
    if (http::declaredBodySize(request) > 16 * 1024 || http::declaredBodySize(request) < 0)
        return answer("too-large", Status::PayloadTooLarge);
    const QByteArray body = request.body();
    const auto check = oh::checkWebhookSignature(secret, body, request.value(oh::webhookSignatureHeader));
    if (check != oh::SignatureCheck::Valid && check != oh::SignatureCheck::NoSecret) {
        qCWarning(lcSite, "deauthorisation webhook refused: signature %s",
                  check == oh::SignatureCheck::Missing ? "missing" : "invalid");
        return answer("bad-signature", Status::Unauthorized);
    }
    auto notice = oh::parseDeauthNotice(body);
    if (!notice) {
        qCWarning(lcSite, "deauthorisation webhook refused: %s", qPrintable(notice.error().message));
        return answer("bad-payload", Status::BadRequest);
    }
    if (notice->erasureRequested) {
        if (auto report = eraseMember(database, keys, notice->projectMemberId); !report) {
            qCWarning(lcSite, "erasure failed: %s", qPrintable(report.error().message));
            return answer("error", Status::InternalServerError);
        }
    } else if (auto found = deauthorizeMember(database, notice->projectMemberId); !found) {
        qCWarning(lcSite, "deauthorisation failed: %s", qPrintable(found.error().message));
        return answer("error", Status::InternalServerError);
    }
    return answer("ok", Status::Ok);
}

} // namespace openaps::site
