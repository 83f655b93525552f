#pragma once

#include "core/config.h"
#include "http/requests.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QUrl>

#include <chrono>

namespace openaps::site {

// The site's view of the configuration, read once at start-up (the request
// limits and proxies it shares with the researcher API come from its base).
struct SiteSettings : http::RequestSettings
{
    QUrl publicUrl; // base URL participants use, e.g. https://example.org
    bool https = false; // Secure cookies, HSTS
    int hstsSeconds = 0; // 0: no Strict-Transport-Security header
    QUrl openHumansBase; // for the "see your data" link
    QByteArray webhookSecret; // empty: every deauthorisation webhook is refused
    QByteArray pseudonymKey; // OPENAPS_PSEUDONYM_KEY (privacy/participantkeys.h)
    // The operator's explicit choice to run the site without a webhook secret
    // (OPENAPS_INSECURE_NO_WEBHOOK_SECRET=1); without it the site does not start.
    bool allowNoWebhookSecret = false;
    int webhookLimit = 60; // deauthorisation webhooks per client address per postWindow
    std::chrono::seconds sessionLifetime { 14 * 24 * 3600 };
    QString resourcesDir; // empty: the templates compiled into the binary
    QString privacyNoticeFile; // empty: resources' privacy.txt
    QString contact; // e-mail or web address for the privacy page

    static SiteSettings fromConfig(const Config &config);

    // An Error naming OPENAPS_OH_WEBHOOK_SECRET when it is unset without the
    // explicit override: the web role must not start then (fail closed).
    Status checkWebhookSecret() const;

    QString cookieName() const;
    QUrl redirectUri() const; // where Open Humans sends the browser back
    QUrl url(const QString &path) const;
    QByteArray origin() const; // scheme://host[:port] for Origin checks
};

} // namespace openaps::site
