#pragma once

#include <QDateTime>
#include <QString>

namespace openaps::ns {

// The Nightscout v1 collections we read, each with the field its date window
// filters on.
enum class Collection { Entries, Treatments, DeviceStatus, Profiles };

// "entries", "treatments", "devicestatus", "profiles".
QString collectionName(Collection collection);

// Path below /api/v1/ of the JSON list endpoint, e.g. "entries.json".
QString collectionEndpoint(Collection collection);

// The field a date window filters on: `date` (epoch ms) for entries,
// `created_at` for treatments and devicestatus, `startDate` for profiles.
QString dateField(Collection collection);

// Entries are filtered by number; the others by ISO-8601 UTC strings which
// Nightscout (MongoDB) compares as strings, not as instants.
bool hasNumericDateField(Collection collection);

// The query value for an instant on the collection's date field: epoch ms,
// or "yyyy-MM-ddTHH:mm:ss.zzzZ" in UTC (the form uploaders write).
QString boundValue(Collection collection, const QDateTime &instant);

// ISO-8601 UTC with milliseconds, as Nightscout stores `created_at`.
QString isoUtc(const QDateTime &instant);

} // namespace openaps::ns
