#include "site/httphelpers.h"


namespace openaps::server::site {

QMap<QString, QString> parseCookies(const QHttpServerRequest &request)
{
    QMap<QString, QString> cookies;
    const auto headers = request.headers();
    for (const auto &header : headers) {
        if (header.first.compare("cookie", Qt::CaseInsensitive) != 0)
            continue;
        const QList<QByteArray> parts = header.second.split(';');
        for (const QByteArray &part : parts) {
            const int eq = part.indexOf('=');
            if (eq <= 0)
                continue;
            const QString name = QString::fromLatin1(part.left(eq).trimmed());
            if (!cookies.contains(name))
                cookies.insert(name, QString::fromLatin1(part.mid(eq + 1).trimmed()));
        }
    }
    return cookies;
}

QMap<QString, QString> parseForm(const QByteArray &body)
{
    QMap<QString, QString> fields;
    const QList<QByteArray> pairs = body.split('&');
    for (const QByteArray &pair : pairs) {
        if (pair.isEmpty())
            continue;
        const int eq = pair.indexOf('=');
        QByteArray name = eq < 0 ? pair : pair.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        name.replace('+', ' ');
        value.replace('+', ' ');
        const QString key = QString::fromUtf8(QByteArray::fromPercentEncoding(name));
        if (!fields.contains(key))
            fields.insert(key, QString::fromUtf8(QByteArray::fromPercentEncoding(value)));
    }
    return fields;
}

QByteArray sessionCookie(const SiteSettings &settings, const QString &value,
                         std::chrono::seconds maxAge)
{
    QByteArray cookie = settings.cookieName().toLatin1() + '=' + value.toLatin1()
            + "; Path=/; HttpOnly; SameSite=Lax; Max-Age="
            + QByteArray::number(value.isEmpty() ? 0 : qint64(maxAge.count()));
    if (settings.https)
        cookie += "; Secure";
    return cookie;
}

QHostAddress clientAddress(const QHttpServerRequest &request, const SiteSettings &settings)
{
    const QHostAddress peer = request.remoteAddress();
    bool trusted = false;
    for (const auto &subnet : settings.trustedProxies) {
        if (subnet.second < 0 ? peer.isEqual(subnet.first) : peer.isInSubnet(subnet))
            trusted = true;
    }
    if (!trusted)
        return peer;
    // The proxy appends the address it saw last; earlier hops are client-supplied.
    const QList<QByteArray> hops = request.value("X-Forwarded-For").split(',');
    const QHostAddress forwarded(QString::fromLatin1(hops.last().trimmed()));
    return forwarded.isNull() ? peer : forwarded;
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
        setIfMissing("Strict-Transport-Security",
                     "max-age=" + QByteArray::number(settings.hstsSeconds));
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

qint64 declaredBodySize(const QHttpServerRequest &request)
{
    const QByteArray length = request.value("Content-Length");
    if (length.isEmpty())
        return request.body().size();
    bool ok = false;
    const qint64 n = length.trimmed().toLongLong(&ok);
    return ok && n >= 0 ? n : -1;
}

} // namespace openaps::server::site
