#pragma once

#include "core/result.h"
#include "etl/datatype.h"
#include "nightscout/collection.h"
#include "nightscout/credentials.h"
#include "nightscout/siteurl.h"
#include "openhumans/projectfiles.h"

#include <QDate>
#include <QString>

#include <optional>

// The names of the files the ingest reads and writes in a participant's Open
// Humans account (README, "Ingest and the Open Humans file layout"):
//
//   <member>_open_aps_nightscout_url.txt          written by the site
//   <member>_open_aps_data_sharing_consent.txt    written by the site
//   <ms>_<member>_<type>.json                     legacy whole history (old system; read only)
//   <member>_<type>_<YYYY-MM>.ndjson.gz           one segment per type and UTC month
//
// <type> is entries, treatments, devicestatus or profile (etl::dataTypeName).
namespace openaps::ingest {

using oh::consentFileName;
using oh::urlFileName;

// `month` is any day of the month; only year and month count.
QString segmentFileName(const QString &memberId, etl::DataType type, const QDate &month);

// The first day of the month a segment of `type` holds, if `basename` is one
// of this member's segments of that type.
std::optional<QDate> segmentMonth(const QString &basename, const QString &memberId, etl::DataType type);

// The <ms> of a legacy whole-history file of this member and type: the upper
// bound (epoch ms) of the data the old system put in it.
std::optional<qint64> legacyUpperBound(const QString &basename, const QString &memberId,
                                       etl::DataType type);

// The Nightscout collection a type is read from.
ns::Collection collectionOf(etl::DataType type);

// The UTC month (first day) of an instant in epoch ms.
QDate monthOf(qint64 epochMs);
// The first instant of a month (first day), in epoch ms.
qint64 monthStartMs(const QDate &month);

// The URL file's content, as the site writes it: the base URL with either
// `?token=<access token>` or `?api_secret=<SHA-1 hex of the API secret>`
// (older files may hold a plain URL, or a token in any form SiteUrl accepts).
struct NightscoutAccess
{
    ns::SiteUrl site;
    ns::Credentials credentials;
};
Result<NightscoutAccess> parseUrlFile(const QString &text);

// openaps | nsf | both | none from the consent file, or nullopt for anything else.
std::optional<QString> parseConsentFile(const QString &text);

// The four types in the order a cycle handles them.
inline constexpr etl::DataType kAllTypes[] = { etl::DataType::Entries, etl::DataType::Treatments,
                                               etl::DataType::DeviceStatus, etl::DataType::Profile };

} // namespace openaps::ingest
