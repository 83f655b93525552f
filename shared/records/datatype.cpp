#include "records/datatype.h"

namespace openaps::records {

QString dataTypeName(DataType type)
{
    switch (type) {
    case DataType::Entries:
        return QStringLiteral("entries");
    case DataType::Treatments:
        return QStringLiteral("treatments");
    case DataType::DeviceStatus:
        return QStringLiteral("devicestatus");
    case DataType::Profile:
        return QStringLiteral("profile");
    }
    return {};
}

std::optional<DataType> dataTypeFromName(QStringView name)
{
    const QString n = name.trimmed().toString().toLower();
    if (n == QLatin1String("entries") || n == QLatin1String("entry") || n == QLatin1String("sgv"))
        return DataType::Entries;
    if (n == QLatin1String("treatments") || n == QLatin1String("treatment"))
        return DataType::Treatments;
    if (n == QLatin1String("devicestatus") || n == QLatin1String("device_status")
        || n == QLatin1String("device-status"))
        return DataType::DeviceStatus;
    if (n == QLatin1String("profile") || n == QLatin1String("profiles"))
        return DataType::Profile;
    return std::nullopt;
}

} // namespace openaps::records
