#pragma once

#include "records/datatype.h"

#include <QDate>
#include <QString>
#include <QStringList>

#include <optional>

// The names of the files this project keeps in each participant's Open Humans
// account (README, "Ingest and the Open Humans file layout"):
//
//   <member>_open_aps_nightscout_url.txt          written by the site
//   <member>_open_aps_data_sharing_consent.txt    written by the site (records/consent.h)
//   <ms>_<member>_<type>.json                     legacy whole history (old system; read only)
//   <member>_<type>_<YYYY-MM>.ndjson.gz           one segment per type and UTC month
//
// <type> is entries, treatments, devicestatus or profile (dataTypeName).
namespace openaps::records {

inline const QLatin1String urlFileSuffix("_open_aps_nightscout_url.txt");
inline const QLatin1String consentFileSuffix("_open_aps_data_sharing_consent.txt");

inline QString urlFileName(const QString &memberId)
{
    return memberId + urlFileSuffix;
}

inline QString consentFileName(const QString &memberId)
{
    return memberId + consentFileSuffix;
}

// `month` is any day of the month; only year and month count.
QString segmentFileName(const QString &memberId, DataType type, const QDate &month);

// The first day of the month a segment of `type` holds, if `basename` is one
// of this member's segments of that type.
std::optional<QDate> segmentMonth(const QString &basename, const QString &memberId, DataType type);

// The <ms> of a legacy whole-history file of this member and type: the upper
// bound (epoch ms) of the data the old system put in it.
std::optional<qint64> legacyUpperBound(const QString &basename, const QString &memberId, DataType type);

// The UTC month (first day) of an instant in epoch ms.
QDate monthOf(qint64 epochMs);
// The first instant of a month (first day), in epoch ms.
qint64 monthStartMs(const QDate &month);

// What an Open Humans file is, judged by its name and metadata tags.
struct FileKind
{
    enum Kind { Data, Consent, NightscoutUrl, Other };
    Kind kind = Other;
    DataType dataType = DataType::Entries; // when kind == Data
    bool gzip = false; // the name says .gz (content is sniffed anyway)
};

// Recognises
//   legacy whole-history files   <ms>_<member>_<type>.json[.gz]
//   monthly segments             <member>_<type>_<YYYY-MM>.ndjson[.gz] (and
//                                any other name with a _type_ / _type. token
//                                and a .json/.ndjson/.jsonl extension)
//   <member>_open_aps_data_sharing_consent.txt, <member>_open_aps_nightscout_url.txt
// When the name does not tell the type, an OH metadata tag equal to a type
// name does ("entries", "devicestatus", ...).
FileKind classifyFile(const QString &basename, const QStringList &tags = {});

// The member id inside a legacy or segment file name, if there is one.
QString memberIdFromFileName(const QString &basename);

} // namespace openaps::records
