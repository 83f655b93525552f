#pragma once

#include "core/config.h"

#include <QByteArray>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QList>
#include <QMap>
#include <QPair>

#include <chrono>

// What every form-taking or JSON-taking endpoint (participant site, researcher
// API) reads from a request, and the settings that bound it.
namespace openaps::http {

// Limits and proxies for requests that post data, read once at start-up
// (OPENAPS_SITE_POST_LIMIT, _POST_WINDOW, _MAX_BODY_BYTES, _TRUSTED_PROXIES).
struct RequestSettings
{
    QByteArray secretKey; // keys the session and rate-limit hashes
    int postLimit = 30; // POSTs per client per window
    std::chrono::seconds postWindow { 600 };
    qint64 maxBodyBytes = 64 * 1024;
    QList<QPair<QHostAddress, int>> trustedProxies; // X-Forwarded-For is believed from these

    static RequestSettings fromConfig(const Config &config);
};

// Cookie header → name/value pairs (first value wins for a repeated name).
QMap<QString, QString> parseCookies(const QHttpServerRequest &request);

// application/x-www-form-urlencoded body → field/value pairs ('+' is a space).
QMap<QString, QString> parseForm(const QByteArray &body);

// The client's address: the peer, or the last X-Forwarded-For hop when the
// peer is a trusted proxy.
QHostAddress clientAddress(const QHttpServerRequest &request, const RequestSettings &settings);

// The request's Content-Length, or the body size; -1 if unparsable.
qint64 declaredBodySize(const QHttpServerRequest &request);

} // namespace openaps::http
