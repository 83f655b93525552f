#pragma once

#include "core/result.h"
#include "mail/smtpsettings.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace openaps::mail {

// A plain-text email to one recipient.
struct Message
{
    QString to;
    QString subject;
    QString body;
};

// The RFC 5322 text of `message` (CRLF lines, UTF-8 body, encoded subject).
QByteArray formatMessage(const QString &from, const Message &message, const QDateTime &date);

// One SMTP exchange with libcurl. BLOCKS for up to settings.timeout: call it
// from a worker thread (Mailer) or a command-line tool, never the event loop.
// The error message names neither the recipient nor the content.
Status sendBlocking(const SmtpSettings &settings, const Message &message);

} // namespace openaps::mail
