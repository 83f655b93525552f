#include "nightscout/messages.h"

namespace openaps::ns {

QString tokenAdvice()
{
    return QStringLiteral("To make a read-only token: open your Nightscout site, open the menu, "
                          "choose Admin Tools, add a new subject (for example \"openaps\") with the "
                          "role \"readable\", save, and copy the access token shown next to it.");
}

Error needsCredentialsError()
{
    return makeError("needs-credentials",
                     QStringLiteral("Your Nightscout site only shows its data to people with a token. "
                                    "Please add an access token. ")
                             + tokenAdvice());
}

Error credentialsRejectedError(Credentials::Kind kind)
{
    const QString what = kind == Credentials::Kind::ApiSecret
            ? QStringLiteral("Your Nightscout site did not accept the API secret. Check that it is "
                             "exactly the API_SECRET of your site (at least 12 characters), or use "
                             "an access token instead. ")
            : QStringLiteral("Your Nightscout site did not accept the access token. Check that you "
                             "copied all of it and that it was not deleted. ");
    return makeError("credentials-rejected", what + tokenAdvice());
}

Error unreachableError(const Error &cause)
{
    const QString hint = cause.code == QLatin1String("not-public")
            ? QStringLiteral("Please enter the public address of your site: the one you open in your browser "
                             "from anywhere, for example https://yourname.herokuapp.com")
            : QStringLiteral("Check the address, and open it in your browser to see that the site is running.");
    return makeError("unreachable", QStringLiteral("We could not reach your Nightscout site. ") + hint);
}

Error redirectedError()
{
    return makeError("unreachable",
                     QStringLiteral("We could not reach your Nightscout site: it sends visitors on to another "
                                    "address. Open it in your browser and enter the address shown once your "
                                    "Nightscout graph has opened."));
}

Error notNightscoutError()
{
    return makeError("not-nightscout",
                     QStringLiteral("A web site answered at this address, but it is not a Nightscout "
                                    "site. Check the address: it is the one you open to see your "
                                    "Nightscout graph."));
}

} // namespace openaps::ns
