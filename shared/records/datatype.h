#pragma once

#include <QString>

#include <optional>

namespace openaps::records {

// The four Nightscout collections the project copies and loads.
enum class DataType { Entries, Treatments, DeviceStatus, Profile };

// "entries", "treatments", "devicestatus", "profile": the names used in Open
// Humans file names, OH metadata tags and the `import --kind` option.
QString dataTypeName(DataType type);
// Accepts the canonical names and common variants ("device_status",
// "profiles", "sgv"); case-insensitive.
std::optional<DataType> dataTypeFromName(QStringView name);

// The four types in the order a cycle handles them.
inline constexpr DataType kAllTypes[] = { DataType::Entries, DataType::Treatments, DataType::DeviceStatus,
                                          DataType::Profile };

} // namespace openaps::records
