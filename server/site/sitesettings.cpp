#include "site/sitesettings.h"

#include "site/sitelog.h"

namespace openaps::server::site {

Q_LOGGING_CATEGORY(lcSite, "openaps.server.site", QtInfoMsg)

SiteSettings SiteSettings::fromConfig(const Config &config)
{
    SiteSettings s;
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
    s.secretKey = config.secretKey();
    s.webhookSecret = config.value(QStringLiteral("OH_WEBHOOK_SECRET")).toUtf8();
    s.sessionLifetime = config.duration(QStringLiteral("SITE_SESSION_LIFETIME"));
    s.postLimit = qMax(1, config.integer(QStringLiteral("SITE_POST_LIMIT")));
    s.postWindow = config.duration(QStringLiteral("SITE_POST_WINDOW"));
    s.maxBodyBytes = qMax(1024, config.integer(QStringLiteral("SITE_MAX_BODY_BYTES")));
    s.resourcesDir = config.value(QStringLiteral("SITE_RESOURCES_DIR"));
    const QStringList proxies = config.value(QStringLiteral("SITE_TRUSTED_PROXIES"))
                                        .split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &p : proxies) {
        auto subnet = QHostAddress::parseSubnet(p.trimmed());
        if (subnet.first.isNull())
            subnet = { QHostAddress(p.trimmed()), -1 };
        if (!subnet.first.isNull())
            s.trustedProxies.append(subnet);
        else
            qCWarning(lcSite, "ignoring OPENAPS_SITE_TRUSTED_PROXIES entry that is not an address");
    }
    return s;
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
    return publicUrl.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment)
            .toString()
            .toUtf8();
}

} // namespace openaps::server::site
