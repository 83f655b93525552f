#include "api/apierror.h"

#include "api/apilog.h"
#include "http/pendingreply.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

namespace openaps::api {

Q_LOGGING_CATEGORY(lcApi, "openaps.server.api", QtInfoMsg)

namespace {

using Code = QHttpServerResponse::StatusCode;

const QHash<QString, Code> &statusTable()
{
    static const QHash<QString, Code> table {
        { QStringLiteral("bad-request"), Code::BadRequest },
        { QStringLiteral("weak-password"), Code::BadRequest },
        { QStringLiteral("terms-not-accepted"), Code::BadRequest },
        { QStringLiteral("bad-code"), Code::BadRequest },
        { QStringLiteral("bad-credentials"), Code::Unauthorized },
        { QStringLiteral("bad-token"), Code::Unauthorized },
        { QStringLiteral("no-token"), Code::Unauthorized },
        { QStringLiteral("not-approved"), Code::Forbidden },
        { QStringLiteral("deactivated"), Code::Forbidden },
        { QStringLiteral("forbidden"), Code::Forbidden },
        { QStringLiteral("not-found"), Code::NotFound },
        { QStringLiteral("unknown-dataset"), Code::NotFound },
        { QStringLiteral("unknown-view"), Code::NotFound },
        { QStringLiteral("already-applied"), Code::Conflict },
        { QStringLiteral("too-large"), Code::PayloadTooLarge },
        { QStringLiteral("rate-limited"), Code::TooManyRequests },
        { QStringLiteral("account-locked"), Code::TooManyRequests },
        { QStringLiteral("too-many-exports"), Code::TooManyRequests },
        { QStringLiteral("not-ready"), Code::Conflict },
        { QStringLiteral("quota-exceeded"), Code::InsufficientStorage },
        { QStringLiteral("mail-unavailable"), Code::ServiceUnavailable },
        { QStringLiteral("replica-unavailable"), Code::ServiceUnavailable },
    };
    return table;
}

} // namespace

QHttpServerResponse::StatusCode statusForError(const QString &code)
{
    return statusTable().value(code, Code::InternalServerError);
}

void addApiHeaders(QHttpServerResponse &response)
{
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
}

QHttpServerResponse jsonResponse(const QJsonObject &body, QHttpServerResponse::StatusCode status)
{
    QHttpServerResponse response("application/json", QJsonDocument(body).toJson(QJsonDocument::Compact), status);
    addApiHeaders(response);
    return response;
}

QHttpServerResponse errorResponse(const Error &error)
{
    const Code status = statusForError(error.code);
    QString message = error.message;
    if (status == Code::InternalServerError) {
        qCWarning(lcApi, "internal error %s: %s", qPrintable(error.code), qPrintable(error.message));
        message = QStringLiteral("Something went wrong on the server. Please try again later.");
    }
    return jsonResponse({ { QStringLiteral("error"),
                            status == Code::InternalServerError ? QStringLiteral("internal") : error.code },
                          { QStringLiteral("message"), message } },
                        status);
}

void fail(const std::shared_ptr<http::PendingReply> &reply, const Error &error)
{
    reply->send(errorResponse(error));
}

} // namespace openaps::api
