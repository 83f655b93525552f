#include "researcher/apierrors.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

namespace openaps::researcher {

namespace {

struct Words
{
    const char *text;
    bool serverKnowsBetter; // the server's message names the field, the tries left, ...
};

const QHash<QString, Words> &table()
{
    static const QHash<QString, Words> words {
        { QStringLiteral("bad-request"),
          { "The server could not accept the request. Please check what you entered.", true } },
        { QStringLiteral("weak-password"), { "The password is too short: use at least 10 characters.", true } },
        { QStringLiteral("bad-code"),
          { "That code is wrong or has expired. Please check it or ask for a new code.", true } },
        { QStringLiteral("bad-credentials"), { "The email address or the password is wrong.", false } },
        { QStringLiteral("bad-token"), { "Your sign-in has expired. Please sign in again.", false } },
        { QStringLiteral("no-token"), { "You are not signed in. Please sign in first.", false } },
        { QStringLiteral("not-approved"),
          { "Your application has not been approved yet. You will get an email when it is.", false } },
        { QStringLiteral("deactivated"),
          { "This account is not active. Please contact the data commons team.", false } },
        { QStringLiteral("forbidden"), { "Only administrators can do this.", false } },
        { QStringLiteral("not-found"), { "The server does not know this item; it may have been removed.", true } },
        { QStringLiteral("unknown-dataset"), { "The server has no data set of that name.", false } },
        { QStringLiteral("already-applied"),
          { "There is already an application for this email address. Sign in, or reset your password if you forgot it.",
            true } },
        { QStringLiteral("too-large"), { "The request was too large for the server.", false } },
        { QStringLiteral("rate-limited"), { "Too many attempts. Please wait a little and try again.", false } },
        { QStringLiteral("mail-unavailable"),
          { "The server cannot send email right now, so this cannot be done. Please try again later.", false } },
        { QStringLiteral("too-many-exports"),
          { "You have as many downloads or releases running as the server allows. Please wait for one to finish.",
            true } },
        { QStringLiteral("quota-exceeded"),
          { "Your releases on the server fill your disk quota. Delete one or wait until one expires.", true } },
        { QStringLiteral("not-ready"), { "The release is not ready to download.", true } },
        { QStringLiteral("internal"), { "Something went wrong on the server. Please try again later.", false } },
        // Transport failures reported by HttpCall and the download job.
        { QStringLiteral("timeout"),
          { "The server did not answer in time. Please check your connection and try again.", false } },
        { QStringLiteral("unreachable"),
          { "The server could not be reached. Please check the server address and your connection.", false } },
        { QStringLiteral("truncated"),
          { "The connection broke before the answer was complete. Please try again.", false } },
        { QStringLiteral("bad-answer"),
          { "The server's answer could not be read (is this an OpenAPS Data Commons server?).", false } },
        { QStringLiteral("cancelled"), { "The download was cancelled.", false } },
        { QStringLiteral("disk"),
          { "The file could not be written. Please check the folder and the free disk space.", true } },
    };
    return words;
}

} // namespace

QString plainWords(const QString &code)
{
    const auto it = table().constFind(code);
    return it == table().constEnd() ? QString() : QString::fromUtf8(it->text);
}

Error errorFromAnswer(int status, const QByteArray &body, const QByteArray &retryAfter)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QString code = o.value(QLatin1String("error")).toString();
    const QString serverMessage = o.value(QLatin1String("message")).toString().trimmed();
    const auto it = table().constFind(code);
    if (code.isEmpty() || it == table().constEnd()) {
        QString message = serverMessage;
        if (message.isEmpty())
            message = status >= 500
                    ? QStringLiteral("The server had a problem (error %1). Please try again later.").arg(status)
                    : QStringLiteral("The server refused the request (error %1).").arg(status);
        return Error { code.isEmpty() ? QStringLiteral("http-%1").arg(status) : code, message };
    }
    QString message = it->serverKnowsBetter && !serverMessage.isEmpty() ? serverMessage : QString::fromUtf8(it->text);
    if (code == QLatin1String("rate-limited") && retryAfter.toInt() > 0)
        message = QStringLiteral("Too many attempts. Please wait %1 seconds and try again.").arg(retryAfter.toInt());
    return Error { code, message };
}

Error errorFromAnswer(const HttpResponse &response)
{
    return errorFromAnswer(response.status, response.body, response.header("Retry-After"));
}

} // namespace openaps::researcher
