#pragma once

#include "core/result.h"

#include <QString>
#include <QUrl>
#include <QUrlQuery>

namespace openaps::ns {

// A participant's Nightscout address, normalised from what they pasted.
//
// "My-Site.herokuapp.com/api/v1/?token=abc#" becomes base
// "https://my-site.herokuapp.com" and token "abc". The token is kept apart
// so the base can be stored and the token handled as a credential.
// toString() is for display and logs of a person's own screen: host only.
// Never log baseUrl(): a Nightscout URL identifies a participant.
class SiteUrl
{
public:
    SiteUrl() = default;

    // Errors: "empty", "unsupported-scheme", "invalid-url", "invalid-host",
    // with a message a participant can act on.
    static Result<SiteUrl> parse(const QString &input);

    bool isValid() const { return m_base.isValid(); }

    // scheme://host[:port][/prefix], no trailing slash, no query, no token.
    QUrl baseUrl() const { return m_base; }

    // The access token that was given as ?token=..., or empty.
    QString token() const { return m_token; }

    QString host() const { return m_base.host(); }

    // Host only (and port when not the default), for display.
    QString toString() const;

    // A short stable hash of the base URL to tell sites apart in logs.
    QString logId() const;

    // baseUrl() + "/api/v1/" + path, with the query.
    QUrl apiUrl(const QString &path, const QUrlQuery &query = {}) const;

    friend bool operator==(const SiteUrl &a, const SiteUrl &b)
    {
        return a.m_base == b.m_base && a.m_token == b.m_token;
    }

private:
    QUrl m_base;
    QString m_token;
};

} // namespace openaps::ns
