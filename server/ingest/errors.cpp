#include "ingest/errors.h"

#include <QSet>

namespace openaps::ingest::errors {

namespace {

Error make(const char *code, const QString &message)
{
    return Error { QString::fromLatin1(code), message };
}

} // namespace

Error fromNightscout(const Error &error)
{
    const QString &c = error.code;
    // The client's messages are already written for the participant.
    if (c == QLatin1String("needs-credentials"))
        return make(kNeedsToken, error.message);
    if (c == QLatin1String("credentials-rejected"))
        return make(kTokenRejected, error.message);
    if (c == QLatin1String("not-found") || c == QLatin1String("not-nightscout"))
        return make(kNotNightscout, error.message);
    if (c == QLatin1String("malformed") || c == QLatin1String("too-large") || c == QLatin1String("too-many-same-time"))
        return make(kBadData, error.message);
    return make(kUnreachable, error.message);
}

bool isRevocation(const Error &error)
{
    // Not "token-expired" (a refresh cures it) nor "forbidden" (storage
    // answers 403 to a bad signature): deauthorising on those would stop a
    // participant for good over a passing fault.
    static const QSet<QString> codes { QStringLiteral("invalid-grant"), QStringLiteral("unauthorized"),
                                       QStringLiteral("reauthorize") };
    return codes.contains(error.code);
}

Error fromOpenHumans(const Error &error)
{
    if (isRevocation(error))
        return make(kOhRevoked,
                    QStringLiteral("This project no longer has access to your Open Humans "
                                   "account, so transfers have stopped. Log in again to "
                                   "start them."));
    return make(kOhUnavailable,
                QStringLiteral("Open Humans was not available (%1). We will try again "
                               "automatically.")
                        .arg(error.code));
}

Error internal(const Error &error)
{
    return make(kInternal,
                QStringLiteral("Something went wrong on our side (%1). We will try again "
                               "automatically.")
                        .arg(error.code));
}

} // namespace openaps::ingest::errors
