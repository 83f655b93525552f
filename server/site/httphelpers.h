#pragma once

#include "site/sitesettings.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>

namespace openaps::site {

// The Set-Cookie value for the session cookie; an empty value expires it.
QByteArray sessionCookie(const SiteSettings &settings, const QString &value, std::chrono::seconds maxAge);

// Security headers every response gets (CSP without inline script, frame
// denial, referrer policy, nosniff, HSTS over HTTPS). Leaves headers a
// handler already set alone.
void addSecurityHeaders(QHttpServerResponse &response, const SiteSettings &settings);

// A page response: text/html, no caching, security headers.
QHttpServerResponse htmlResponse(const QByteArray &html, QHttpServerResponse::StatusCode status,
                                 const SiteSettings &settings);

// 303 See Other to a path on this site (after POST, and for login hand-offs).
QHttpServerResponse redirectResponse(const QByteArray &location, const SiteSettings &settings);

} // namespace openaps::site
