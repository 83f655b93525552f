#pragma once

#include "api/researcher.h"
#include "core/result.h"

#include <QHttpServerResponse>

#include <functional>

class QHttpServerRequest;
class QHttpServerResponder;
class QObject;
class QThreadPool;

namespace openaps::api {

// Who is asking: the researcher behind a bearer token (empty when the
// request has none), or an error answered as it is (bad-token → 401,
// deactivated → 403). TokenAuth::authenticateToken in production. Called
// on worker threads.
using Authenticate = std::function<Result<Researcher>(const QString &bearerToken)>;
using ResearcherWork = std::function<QHttpServerResponse(const Researcher &)>;

// Checks the request's token on `pool`, runs `work` there with the
// researcher, and sends its answer back on `context`'s thread, so neither
// touches the database on the thread that serves every request. `context`
// waits for `pool` in its destructor, so it outlives the workers (and a
// queued call to a deleted object is dropped).
void answerOnWorker(QObject *context, QThreadPool &pool, const Authenticate &authenticate,
                    const QHttpServerRequest &request, QHttpServerResponder &&responder, ResearcherWork work);

} // namespace openaps::api
