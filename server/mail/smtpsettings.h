#pragma once

#include "core/config.h"
#include "core/result.h"

#include <QString>
#include <QUrl>

#include <chrono>

namespace openaps::mail {

// Where mail goes (README, "Configuration"): OPENAPS_SMTP_URL is smtp://host:port
// (STARTTLS when the server offers it), smtp+starttls://host:port (STARTTLS
// required) or smtps://host:port (TLS from the start); OPENAPS_SMTP_USER and
// OPENAPS_SMTP_PASSWORD log in when set; OPENAPS_MAIL_FROM is the sender.
struct SmtpSettings
{
    QUrl url; // empty: no mail server, mail cannot be sent
    bool requireTls = false; // smtp+starttls://
    QString user;
    QString password;
    QString from;
    std::chrono::seconds timeout { 30 };

    bool isConfigured() const { return !url.isEmpty(); }

    // A clear Error for a malformed URL or a missing sender.
    static Result<SmtpSettings> fromConfig(const Config &config);
    static Result<SmtpSettings> make(const QString &url, const QString &from);
};

} // namespace openaps::mail
