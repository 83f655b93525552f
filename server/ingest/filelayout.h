#pragma once

#include "core/result.h"
#include "nightscout/collection.h"
#include "nightscout/credentials.h"
#include "nightscout/siteurl.h"
#include "records/datatype.h"

#include <QString>

// What the ingest reads from the files in a participant's Open Humans account
// beyond their names (records/filenames.h names them).
namespace openaps::ingest {

// The Nightscout collection a type is read from.
ns::Collection collectionOf(records::DataType type);

// The URL file's content, as the site writes it: the base URL with either
// `?token=<access token>` or `?api_secret=<SHA-1 hex of the API secret>`
// (older files may hold a plain URL, or a token in any form SiteUrl accepts).
struct NightscoutAccess
{
    ns::SiteUrl site;
    ns::Credentials credentials;
};
Result<NightscoutAccess> parseUrlFile(const QString &text);

} // namespace openaps::ingest
