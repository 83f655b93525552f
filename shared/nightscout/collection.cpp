#include "nightscout/collection.h"

namespace openaps::ns {

QString collectionName(Collection collection)
{
    switch (collection) {
    case Collection::Entries:
        return QStringLiteral("entries");
    case Collection::Treatments:
        return QStringLiteral("treatments");
    case Collection::DeviceStatus:
        return QStringLiteral("devicestatus");
    case Collection::Profiles:
        return QStringLiteral("profiles");
    }
    return {};
}

QString collectionEndpoint(Collection collection)
{
    return collectionName(collection) + QLatin1String(".json");
}

QString dateField(Collection collection)
{
    switch (collection) {
    case Collection::Entries:
        return QStringLiteral("date");
    case Collection::Treatments:
    case Collection::DeviceStatus:
        return QStringLiteral("created_at");
    case Collection::Profiles:
        return QStringLiteral("startDate");
    }
    return {};
}

bool hasNumericDateField(Collection collection)
{
    return collection == Collection::Entries;
}

QString isoUtc(const QDateTime &instant)
{
    return instant.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) + QLatin1Char('Z');
}

QString boundValue(Collection collection, const QDateTime &instant)
{
    if (hasNumericDateField(collection))
        return QString::number(instant.toMSecsSinceEpoch());
    return isoUtc(instant);
}

} // namespace openaps::ns
