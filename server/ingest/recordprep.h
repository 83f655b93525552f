#pragma once

#include "records/datatype.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// What the ingest does to and knows about one Nightscout record on its way
// to Open Humans.
namespace openaps::ingest {

// The de-duplication key: Nightscout's `_id` (as the ETL reads it), or a hash
// of the whole record for the rare document without one.
QByteArray recordId(const QJsonObject &record);

// The instant a record belongs to, in epoch ms, which decides its monthly
// segment: the collection's own time field (`date` for entries, `created_at`
// for treatments and devicestatus, `startDate` for profiles; local offsets
// honoured), then other time fields, then the time inside an ObjectId-shaped
// `_id`. A pure function of the record, so a record always lands in the same
// segment; 0 when nothing tells.
qint64 recordTimeMs(records::DataType type, const QJsonObject &record);

// A stable 64-bit hash of a record's exact content (its compact JSON), to
// tell "already stored, unchanged" from "new or edited".
quint64 contentHash(const QByteArray &compactJson);

// Scrubs free text that can identify a person and stamps the consent, per
// participant:
// - treatments `enteredBy` and devicestatus `device` are replaced by 16 hex
//   digits of a keyed hash (key derived from OPENAPS_SECRET_KEY and the member
//   id), so one value always gives the same replacement for this participant,
//   different participants give unrelated ones, and nothing can be reversed.
//   A "scheme://" prefix (openaps://, loop://) is kept because it tells the
//   looping system, which research needs; NUL characters are dropped first.
// - every record gets `sharing_consent` (openaps|nsf|both) as the consent file
//   said when the record was written.
class RecordScrubber
{
public:
    RecordScrubber(const QByteArray &secretKey, const QString &memberId, const QString &consent);

    QJsonObject prepare(records::DataType type, QJsonObject record) const;
    QString scrubText(const QString &value) const;

private:
    QByteArray m_key;
    QString m_consent;
};

} // namespace openaps::ingest
