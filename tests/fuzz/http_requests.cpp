// Raw request bytes into a QHttpServer whose one handler reads the request
// as every form- or JSON-taking endpoint does: cookies, the form body, the
// query string, the client address behind a trusted proxy (X-Forwarded-For),
// the declared body size, the rate limiter's bucket and the API's JSON body.

#include "api/jsonbody.h"
#include "fuzzsupport.h"
#include "http/ratelimiter.h"
#include "http/requests.h"

#include <QHttpServer>
#include <QHttpServerResponder>
#include <QUrlQuery>

using namespace openaps;

namespace {

QHttpServer *server = nullptr;

void readRequest(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    http::RequestSettings settings;
    settings.trustedProxies.append(QHostAddress::parseSubnet(QStringLiteral("127.0.0.0/8")));
    const QHostAddress client = http::clientAddress(request, settings);
    (void)http::RateLimiter::bucketOf(client);
    (void)http::declaredBodySize(request);
    (void)http::parseCookies(request);
    const QByteArray body = request.body();
    const auto form = http::parseForm(body);
    for (auto it = form.cbegin(); it != form.cend(); ++it)
        (void)it.key().toUtf8();
    const QUrlQuery query = request.query();
    (void)query.queryItems(QUrl::FullyDecoded);
    if (auto json = api::JsonBody::parse(body)) {
        (void)json->email();
        (void)json->text(QStringLiteral("name"), 200);
        (void)json->password(QStringLiteral("password"));
        (void)json->optionalText(QStringLiteral("institution"), 200);
        (void)json->optionalBool(QStringLiteral("gzip"), false);
    }
    responder.write(QHttpServerResponder::StatusCode::NoContent);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::initQt();
    server = new QHttpServer;
    server->setMissingHandler(readRequest);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)fuzz::exchange(*server, fuzz::bytes(data, size));
    return 0;
}
