#include "site/httphelpers.h"

namespace openaps::site {

QByteArray sessionCookie(const SiteSettings &settings, const QString &value, std::chrono::seconds maxAge)
{
    QByteArray cookie = settings.cookieName().toLatin1() + '=' + value.toLatin1()
            + "; Path=/; HttpOnly; SameSite=Lax; Max-Age="
            + QByteArray::number(value.isEmpty() ? 0 : qint64(maxAge.count()));
    if (settings.https)
        cookie += "; Secure";
    return cookie;
}

void addSecurityHeaders(QHttpServerResponse &response, const SiteSettings &settings)
{
    auto setIfMissing = [&response](const QByteArray &name, const QByteArray &value) {
        if (!response.hasHeader(name))
            response.setHeader(name, value);
    };
    // No inline script or style anywhere: everything comes from /static.
    setIfMissing("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                 "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                 "base-uri 'none'");
    setIfMissing("X-Frame-Options", "DENY");
    setIfMissing("X-Content-Type-Options", "nosniff");
    // The OAuth callback URL carries a code: never leak it to other sites.
    // (Not "no-referrer": Chromium then sends "Origin: null" with our own
    // form posts, which the Origin check of form posts would refuse.)
    setIfMissing("Referrer-Policy", "same-origin");
    setIfMissing("Cross-Origin-Opener-Policy", "same-origin");
    setIfMissing("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (settings.https && settings.hstsSeconds > 0)
        setIfMissing("Strict-Transport-Security", "max-age=" + QByteArray::number(settings.hstsSeconds));
}

QHttpServerResponse htmlResponse(const QByteArray &html, QHttpServerResponse::StatusCode status,
                                 const SiteSettings &settings)
{
    QHttpServerResponse response(QByteArrayLiteral("text/html; charset=utf-8"), html, status);
    response.setHeader("Cache-Control", "no-store");
    addSecurityHeaders(response, settings);
    return response;
}

QHttpServerResponse redirectResponse(const QByteArray &location, const SiteSettings &settings)
{
    QHttpServerResponse response(QHttpServerResponse::StatusCode::SeeOther);
    response.setHeader("Location", location);
    response.setHeader("Cache-Control", "no-store");
    addSecurityHeaders(response, settings);
    return response;
}

} // namespace openaps::site
