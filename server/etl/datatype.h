#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace openaps::etl {

// The four Nightscout collections the ETL loads.
enum class DataType { Entries, Treatments, DeviceStatus, Profile };

// "entries", "treatments", "devicestatus", "profile": the names used in Open
// Humans file names, OH metadata tags and the `import --kind` option.
QString dataTypeName(DataType type);
// Accepts the canonical names and common variants ("device_status",
// "profiles", "sgv"); case-insensitive.
std::optional<DataType> dataTypeFromName(QStringView name);

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

} // namespace openaps::etl
