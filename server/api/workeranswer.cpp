#include "api/workeranswer.h"

#include "api/apierror.h"
#include "api/tokenauth.h"
#include "http/pendingreply.h"

#include <QHttpServerRequest>
#include <QThreadPool>

#include <memory>

namespace openaps::api {

void answerOnWorker(QObject *context, QThreadPool &pool, const Authenticate &authenticate,
                    const QHttpServerRequest &request, QHttpServerResponder &&responder, ResearcherWork work)
{
    auto reply = std::make_shared<http::PendingReply>(std::move(responder));
    pool.start([context, authenticate, token = TokenAuth::bearerToken(request), work = std::move(work), reply] {
        const auto researcher = authenticate(token);
        auto response = std::make_shared<QHttpServerResponse>(researcher ? work(*researcher)
                                                                         : errorResponse(researcher.error()));
        QMetaObject::invokeMethod(
                context, [reply, response] { reply->send(std::move(*response)); }, Qt::QueuedConnection);
    });
}

} // namespace openaps::api
