#include "records/consent.h"

namespace openaps::records {

QString consentValue(Consent consent)
{
    switch (consent) {
    case Consent::OpenAps:
        return QStringLiteral("openaps");
    case Consent::Nsf:
        return QStringLiteral("nsf");
    case Consent::Both:
        return QStringLiteral("both");
    case Consent::None:
        break;
    }
    return QStringLiteral("none");
}

std::optional<Consent> parseConsent(const QString &value)
{
    const QString v = value.trimmed().toLower();
    for (Consent c : { Consent::None, Consent::OpenAps, Consent::Nsf, Consent::Both }) {
        if (v == consentValue(c))
            return c;
    }
    return std::nullopt;
}

Consent consentFromBoxes(bool shareOpenAps, bool shareNsf)
{
    if (shareOpenAps && shareNsf)
        return Consent::Both;
    if (shareOpenAps)
        return Consent::OpenAps;
    return shareNsf ? Consent::Nsf : Consent::None;
}

bool sharesWithOpenAps(Consent consent)
{
    return consent == Consent::OpenAps || consent == Consent::Both;
}

bool sharesWithNsf(Consent consent)
{
    return consent == Consent::Nsf || consent == Consent::Both;
}

QString consentDescription(Consent consent)
{
    switch (consent) {
    case Consent::OpenAps:
        return QStringLiteral("OpenAPS Data Commons");
    case Consent::Nsf:
        return QStringLiteral("Nightscout Foundation Data Commons");
    case Consent::Both:
        return QStringLiteral("OpenAPS Data Commons and Nightscout Foundation Data Commons");
    case Consent::None:
        break;
    }
    return QStringLiteral("Nobody: nothing is shared");
}

} // namespace openaps::records
