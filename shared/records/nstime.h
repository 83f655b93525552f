#pragma once

#include "core/civildate.h"

#include <QByteArray>
#include <QString>

#include <optional>

class QJsonValue;

namespace openaps::records {

// An instant parsed from a Nightscout time field, with the UTC offset the
// writer stated (if it stated one).
struct NsTime
{
    qint64 ms = 0; // milliseconds since the epoch, UTC
    // The writer's local offset (local = UTC + offset) when the text states
    // one ("-07:00", "+0100", "GMT-0700"); "Z" and epoch numbers state none.
    std::optional<int> offsetMinutes;
};

// Parses the time shapes found in Nightscout data:
//   "2014-07-19T10:49:15.000-07:00", "2019-02-06T01:53:18.005+0100",
//   "2016-10-23T11:45:22Z", "2016-10-20 12:27:28" (no offset: read as UTC),
//   "Sat Oct 22 2016 11:45:22 GMT-0700 (PDT)" (JavaScript Date.toString),
//   and epoch milliseconds as a number or numeric string ("1439785200000",
//   1477248820000.0). Numbers below 10^11 are taken as epoch seconds.
std::optional<NsTime> parseNsTime(const QJsonValue &value);
std::optional<NsTime> parseNsTimeText(QStringView text);
std::optional<NsTime> parseEpoch(double number);

// "2024-01-31T12:00:00.000Z": the one UTC text form stored in the database
// (SQLite compares these as text, PostgreSQL reads them as timestamptz).
QByteArray formatUtc(qint64 ms);
QString formatUtcString(qint64 ms);

using civil::civilFromDays;
using civil::daysFromCivil;

} // namespace openaps::records
