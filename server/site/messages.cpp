#include "site/messages.h"

#include <QHash>

namespace openaps::site {

QString probeProblemTitle(const QString &code)
{
    static const QHash<QString, QString> titles {
        { QStringLiteral("unreachable"), QStringLiteral("We could not reach your Nightscout site") },
        { QStringLiteral("not-nightscout"), QStringLiteral("This is not a Nightscout site") },
        { QStringLiteral("needs-credentials"), QStringLiteral("Your Nightscout site needs a token") },
        { QStringLiteral("credentials-rejected"), QStringLiteral("Your token was not accepted") },
        { QStringLiteral("empty"), QStringLiteral("Please enter your Nightscout address") },
    };
    return titles.value(code, QStringLiteral("Please check the address"));
}

bool isCredentialProblem(const QString &code)
{
    return code == QLatin1String("needs-credentials") || code == QLatin1String("credentials-rejected");
}

bool needsNewLogin(const Error &error)
{
    return error.code == QLatin1String("token-expired") || error.code == QLatin1String("unauthorized")
            || error.code == QLatin1String("invalid-grant") || error.code == QLatin1String("login-expired");
}

QString openHumansProblem(const Error &error)
{
    if (needsNewLogin(error))
        return QStringLiteral("Your Open Humans login has run out. Please log in again and press Save "
                              "once more. Nothing was changed.");
    return QStringLiteral("Open Humans did not take the change just now. Nothing was lost: please "
                          "try again in a few minutes.");
}

QString transferProblem(const QString &code, const QString &storedMessage)
{
    static const QHash<QString, QString> texts {
        { QStringLiteral("unreachable"),
          QStringLiteral("We could not reach your Nightscout site. If it is down, it will catch up by "
                         "itself once it is back.") },
        { QStringLiteral("not_nightscout"),
          QStringLiteral("The saved address no longer leads to a Nightscout site. Please save the "
                         "right address above.") },
        { QStringLiteral("needs_token"),
          QStringLiteral("Your Nightscout site is now locked. Please add a read-only token above.") },
        { QStringLiteral("token_rejected"),
          QStringLiteral("Your Nightscout site no longer accepts the saved token. Please make a new "
                         "read-only token and save it above.") },
        { QStringLiteral("oh_revoked"),
          QStringLiteral("This project no longer has access to your Open Humans account, so "
                         "transfers have stopped. Log in again to start them.") },
        { QStringLiteral("oh_unavailable"),
          QStringLiteral("Open Humans was not available. We will try again automatically.") },
        { QStringLiteral("no_url"),
          QStringLiteral("There is no Nightscout address in your Open Humans account. Please save "
                         "one above.") },
        { QStringLiteral("consent_none"), QStringLiteral("You chose not to share with anyone, so nothing is copied.") },
        // The ingest's code for a member whose data was erased here and who
        // has not confirmed sharing again (ingest/errors.h, kErased).
        { QStringLiteral("erased"),
          QStringLiteral("You deleted your data here, so nothing is copied or shared. If you want to share again, "
                         "confirm it on this page.") },
    };
    if (texts.contains(code))
        return texts.value(code);
    if (!storedMessage.isEmpty())
        return storedMessage;
    return QStringLiteral("Something went wrong on our side. We will try again automatically.");
}

QString dataTypeLabel(const QString &dataType)
{
    static const QHash<QString, QString> labels {
        { QStringLiteral("entries"), QStringLiteral("Glucose readings") },
        { QStringLiteral("treatments"), QStringLiteral("Treatments") },
        { QStringLiteral("devicestatus"), QStringLiteral("Looping system reports") },
        { QStringLiteral("profile"), QStringLiteral("Profile settings") },
    };
    return labels.value(dataType, dataType);
}

} // namespace openaps::site
