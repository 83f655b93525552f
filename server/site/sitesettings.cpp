#include "site/sitesettings.h"

#include "site/sitelog.h"

namespace openaps::site {

Q_LOGGING_CATEGORY(lcSite, "openaps.server.site", QtInfoMsg)

SiteSettings SiteSettings::fromConfig(const Config &config)
{
    SiteSettings s;
    static_cast<http::RequestSettings &>(s) = http::RequestSettings::fromConfig(config);
    QString publicUrl = config.value(QStringLiteral("PUBLIC_URL")).trimmed();
    if (publicUrl.isEmpty()) {
        // Development and `demo`: the address the server itself listens on.
        publicUrl = QStringLiteral("http://%1:%2").arg(config.httpAddress()).arg(config.httpPort());
    }
    while (publicUrl.endsWith(QLatin1Char('/')))
        publicUrl.chop(1);
    s.publicUrl = QUrl(publicUrl);
    s.https = s.publicUrl.scheme() == QLatin1String("https");
    s.hstsSeconds = s.https ? config.integer(QStringLiteral("SITE_HSTS_SECONDS")) : 0;
    s.openHumansBase = QUrl(config.value(QStringLiteral("OH_BASE_URL")));
    s.webhookSecret = config.value(QStringLiteral("OH_WEBHOOK_SECRET")).toUtf8();
    s.pseudonymKey = config.pseudonymKey();
    s.allowNoWebhookSecret = config.value(QStringLiteral("INSECURE_NO_WEBHOOK_SECRET")) == QLatin1String("1");
    s.webhookLimit = qMax(1, config.integer(QStringLiteral("SITE_WEBHOOK_LIMIT")));
    s.sessionLifetime = config.duration(QStringLiteral("SITE_SESSION_LIFETIME"));
    s.resourcesDir = config.value(QStringLiteral("SITE_RESOURCES_DIR"));
    s.privacyNoticeFile = config.value(QStringLiteral("SITE_PRIVACY_NOTICE_FILE"));
    s.contact = config.value(QStringLiteral("SITE_CONTACT"));
    return s;
}

Status SiteSettings::checkWebhookSecret() const
{
    // Without the secret nobody can tell Open Humans' erasure requests from anyone else's.
    if (!webhookSecret.isEmpty() || allowNoWebhookSecret)
        return {};
    return makeError("config",
                     QStringLiteral("OPENAPS_OH_WEBHOOK_SECRET is not set: the web role needs it to verify Open "
                                    "Humans' deauthorisation webhooks. Set it (or OPENAPS_OH_WEBHOOK_SECRET_FILE) "
                                    "to the webhook secret of the Open Humans project."));
}

QString SiteSettings::cookieName() const
{
    // The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain.
    return https ? QStringLiteral("__Host-openaps_session") : QStringLiteral("openaps_session");
}

QUrl SiteSettings::url(const QString &path) const
{
    QUrl u = publicUrl;
    u.setPath(publicUrl.path() + path);
    return u;
}

QUrl SiteSettings::redirectUri() const
{
    return url(QStringLiteral("/oauth/callback"));
}

QByteArray SiteSettings::origin() const
{
    return publicUrl.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toString().toUtf8();
}

} // namespace openaps::site
