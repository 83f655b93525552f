#include "mail/smtpsettings.h"

namespace openaps::mail {

Result<SmtpSettings> SmtpSettings::make(const QString &urlText, const QString &from)
{
    SmtpSettings settings;
    settings.from = from.trimmed();
    if (urlText.trimmed().isEmpty())
        return settings;
    QUrl url(urlText.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty()
        || (scheme != QLatin1String("smtp") && scheme != QLatin1String("smtps")
            && scheme != QLatin1String("smtp+starttls")))
        return makeError("config",
                         QStringLiteral("OPENAPS_SMTP_URL must look like smtp://host:port, "
                                        "smtp+starttls://host:port or smtps://host:port."));
    if (!url.userInfo().isEmpty())
        return makeError("config",
                         QStringLiteral("OPENAPS_SMTP_URL must not contain a user name or password: "
                                        "use OPENAPS_SMTP_USER and OPENAPS_SMTP_PASSWORD."));
    if (scheme == QLatin1String("smtp+starttls")) {
        settings.requireTls = true;
        url.setScheme(QStringLiteral("smtp"));
    }
    const qsizetype at = settings.from.indexOf(QLatin1Char('@'));
    if (at <= 0 || at == settings.from.size() - 1 || settings.from.contains(QLatin1Char('\n'))
        || settings.from.contains(QLatin1Char('\r')) || settings.from.contains(QLatin1Char(' ')))
        return makeError("config",
                         QStringLiteral("OPENAPS_MAIL_FROM must be the sender's email address, "
                                        "e.g. data-commons@example.org, when OPENAPS_SMTP_URL is set."));
    settings.url = url;
    return settings;
}

Result<SmtpSettings> SmtpSettings::fromConfig(const Config &config)
{
    auto settings = make(config.value(QStringLiteral("SMTP_URL")), config.value(QStringLiteral("MAIL_FROM")));
    if (!settings)
        return settings;
    settings->user = config.value(QStringLiteral("SMTP_USER"));
    settings->password = config.value(QStringLiteral("SMTP_PASSWORD"));
    return settings;
}

} // namespace openaps::mail
