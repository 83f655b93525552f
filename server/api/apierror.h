#pragma once

#include "core/result.h"

#include <QHttpServerResponse>

#include <memory>

namespace openaps::http {
class PendingReply;
}

namespace openaps::api {

// The one place where API error codes become HTTP statuses. Every error
// answer is {"error": code, "message": plain words}; an unknown code is a
// 500 whose message hides the detail (it is logged instead).
QHttpServerResponse::StatusCode statusForError(const QString &code);
QHttpServerResponse errorResponse(const Error &error);

// A JSON answer with the API's headers (no caching, security headers).
QHttpServerResponse jsonResponse(const QJsonObject &body,
                                 QHttpServerResponse::StatusCode status = QHttpServerResponse::StatusCode::Ok);

// Headers every API answer carries, streaming ones included.
void addApiHeaders(QHttpServerResponse &response);

// Answers a waiting request with an API error.
void fail(const std::shared_ptr<http::PendingReply> &reply, const Error &error);

} // namespace openaps::api
