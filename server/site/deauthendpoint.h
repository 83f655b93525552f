#pragma once

#include "core/clock.h"
#include "db/database.h"
#include "http/ratelimiter.h"
#include "privacy/participantkeys.h"
#include "site/sitesettings.h"

#include <QHttpServerRequest>
#include <QHttpServerResponse>

#include <chrono>

namespace openaps::site {

// POST /deauth, Open Humans' deauthorisation webhook. Fails closed: without
// a configured secret every notice is refused (503); otherwise a notice needs
// a valid signature (401), a fresh timestamp (400) and a signature not seen
// before (409), and each client address may send `webhookLimit` per window
// (429). Accepts single- and double-encoded JSON, then erases the member
// everywhere when erasure was requested, or else stops their transfers.
// Answers small JSON quickly; never says whether the member was known.
class DeauthEndpoint
{
public:
    // How far a notice's timestamp may be from the server's clock.
    static constexpr std::chrono::seconds freshness { 5 * 60 };

    // `keys` must outlive the endpoint.
    DeauthEndpoint(const db::Database &database, const privacy::ParticipantKeys &keys, const SiteSettings &settings,
                   Clock clock);

    QHttpServerResponse handle(const QHttpServerRequest &request);
    // Drops rate-limit windows and remembered signatures that have expired.
    Status purgeOld();

private:
    // True the first time `signature` is seen; remembered until it could no longer be fresh.
    Result<bool> firstDelivery(const QByteArray &signature, qint64 nowMs);

    db::Database m_database;
    const privacy::ParticipantKeys &m_keys;
    http::RequestSettings m_requests;
    QByteArray m_secret;
    http::RateLimiter m_rateLimiter;
    Clock m_clock;
};

} // namespace openaps::site
