#pragma once

#include "site/sitesettings.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QMap>

namespace openaps::server::site {

// Cookie header → name/value pairs (first value wins for a repeated name).
QMap<QString, QString> parseCookies(const QHttpServerRequest &request);

// application/x-www-form-urlencoded body → field/value pairs ('+' is a space).
QMap<QString, QString> parseForm(const QByteArray &body);

// The Set-Cookie value for the session cookie; an empty value expires it.
QByteArray sessionCookie(const SiteSettings &settings, const QString &value,
                         std::chrono::seconds maxAge);

// The client's address: the peer, or the last X-Forwarded-For hop when the
// peer is a trusted proxy.
QHostAddress clientAddress(const QHttpServerRequest &request, const SiteSettings &settings);

// Security headers every response gets (CSP without inline script, frame
// denial, referrer policy, nosniff, HSTS over HTTPS). Leaves headers a
// handler already set alone.
void addSecurityHeaders(QHttpServerResponse &response, const SiteSettings &settings);

// A page response: text/html, no caching, security headers.
QHttpServerResponse htmlResponse(const QByteArray &html, QHttpServerResponse::StatusCode status,
                                 const SiteSettings &settings);

// 303 See Other to a path on this site (after POST, and for login hand-offs).
QHttpServerResponse redirectResponse(const QByteArray &location, const SiteSettings &settings);

// The request's Content-Length, or the body size; -1 if unparsable.
qint64 declaredBodySize(const QHttpServerRequest &request);

} // namespace openaps::server::site
