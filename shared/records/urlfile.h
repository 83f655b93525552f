#pragma once

#include "core/result.h"
#include "nightscout/credentials.h"
#include "nightscout/siteurl.h"

#include <QByteArray>
#include <QString>

// The URL file in a participant's Open Humans account (records/filenames.h
// names it): the site writes it, the ingest reads it.
namespace openaps::records {

// The URL file's content: the base URL plus the credential ingest needs,
// `?token=<token>` or `?api_secret=<sha1 hex>` (never the plain secret).
QByteArray urlFileContent(const ns::SiteUrl &site, const ns::Credentials &credentials);

// What a URL file says (older files may hold a plain URL, or a token in any
// form SiteUrl accepts).
struct NightscoutAccess
{
    ns::SiteUrl site;
    ns::Credentials credentials;
};
Result<NightscoutAccess> parseUrlFile(const QString &text);

} // namespace openaps::records
