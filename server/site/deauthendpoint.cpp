#include "site/deauthendpoint.h"

#include "crypto/secrets.h"
#include "db/sqlhelpers.h"
#include "http/requests.h"
#include "openhumans/webhook.h"
#include "site/erasure.h"
#include "site/httphelpers.h"
#include "site/sitelog.h"

#include <QJsonObject>

namespace openaps::site {

using Code = QHttpServerResponse::StatusCode;

namespace {

QHttpServerResponse answer(const char *status, Code code)
{
    return QHttpServerResponse(QJsonObject { { QStringLiteral("status"), QLatin1String(status) } }, code);
}

} // namespace

DeauthEndpoint::DeauthEndpoint(const db::Database &database, const privacy::ParticipantKeys &keys,
                               const SiteSettings &settings, Clock clock)
    : m_database(database),
      m_keys(keys),
      m_requests(settings),
      m_secret(settings.webhookSecret),
      // Its own key and limit: webhooks and form posts from one address count separately.
      m_rateLimiter(database, crypto::deriveKey(settings.secretKey, QByteArrayLiteral("deauth-rate-limit")),
                    settings.webhookLimit, settings.postWindow, clock),
      m_clock(std::move(clock))
{ }

QHttpServerResponse DeauthEndpoint::handle(const QHttpServerRequest &request)
{
    auto decision = m_rateLimiter.hit(http::clientAddress(request, m_requests));
    if (!decision) {
        qCWarning(lcSite, "deauthorisation webhook: %s", qPrintable(decision.error().message));
        return answer("error", Code::InternalServerError);
    }
    if (!decision->allowed) {
        auto response = answer("rate-limited", Code::TooManyRequests);
        response.setHeader("Retry-After", QByteArray::number(decision->retryAfterSeconds));
        return response;
    }
    if (m_secret.isEmpty()) {
        qCCritical(lcSite, "deauthorisation webhook refused: OPENAPS_OH_WEBHOOK_SECRET is not set");
        return answer("not-configured", Code::ServiceUnavailable);
    }
    if (http::declaredBodySize(request) > 16 * 1024 || http::declaredBodySize(request) < 0)
        return answer("too-large", Code::PayloadTooLarge);
    const QByteArray body = request.body();
    const QByteArray signature = request.value(oh::webhookSignatureHeader);
    const auto check = oh::checkWebhookSignature(m_secret, body, signature);
    if (check != oh::SignatureCheck::Valid) {
        qCWarning(lcSite, "deauthorisation webhook refused: signature %s",
                  check == oh::SignatureCheck::Missing ? "missing" : "invalid");
        return answer("bad-signature", Code::Unauthorized);
    }
    auto notice = oh::parseDeauthNotice(body);
    if (!notice) {
        qCWarning(lcSite, "deauthorisation webhook refused: %s", qPrintable(notice.error().message));
        return answer("bad-payload", Code::BadRequest);
    }
    const qint64 now = nowMs(m_clock);
    if (!oh::isFresh(*notice, QDateTime::fromMSecsSinceEpoch(now, Qt::UTC), freshness)) {
        qCWarning(lcSite, "deauthorisation webhook refused: its timestamp is missing or not within %lld s of now",
                  qint64(freshness.count()));
        return answer("stale", Code::BadRequest);
    }
    auto first = firstDelivery(signature.trimmed().toLower(), now);
    if (!first) {
        qCWarning(lcSite, "deauthorisation webhook: %s", qPrintable(first.error().message));
        return answer("error", Code::InternalServerError);
    }
    if (!*first) {
        qCWarning(lcSite, "deauthorisation webhook refused: this notice was delivered before");
        return answer("replayed", Code::Conflict);
    }
    if (notice->erasureRequested) {
        if (auto report = eraseMember(m_database, m_keys, notice->projectMemberId); !report) {
            qCWarning(lcSite, "erasure failed: %s", qPrintable(report.error().message));
            return answer("error", Code::InternalServerError);
        }
    } else if (auto found = deauthorizeMember(m_database, notice->projectMemberId); !found) {
        qCWarning(lcSite, "deauthorisation failed: %s", qPrintable(found.error().message));
        return answer("error", Code::InternalServerError);
    }
    return answer("ok", Code::Ok);
}

Result<bool> DeauthEndpoint::firstDelivery(const QByteArray &signature, qint64 nowMs)
{
    // A signature stays remembered for as long as its notice could pass the
    // freshness check: twice the window covers a timestamp at its future edge.
    const qint64 keepMs = 2 * qint64(freshness.count()) * 1000;
    auto q = sql::exec(m_database,
                       QStringLiteral("INSERT INTO site_webhook_deliveries (signature, expires_ms) VALUES (?, ?) "
                                      "ON CONFLICT (signature) DO NOTHING"),
                       { QString::fromLatin1(signature), nowMs + keepMs }, "remembering a webhook delivery");
    if (!q)
        return q.error();
    return q->numRowsAffected() == 1;
}

Status DeauthEndpoint::purgeOld()
{
    if (auto purged = m_rateLimiter.purgeOld(); !purged)
        return purged;
    auto q = sql::exec(m_database, QStringLiteral("DELETE FROM site_webhook_deliveries WHERE expires_ms < ?"),
                       { nowMs(m_clock) }, "removing old webhook deliveries");
    return q ? Status() : Status(q.error());
}

} // namespace openaps::site
