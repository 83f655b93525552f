#pragma once

#include "etl/row.h"
#include "privacy/recordscrub.h"
#include "records/datatype.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace openaps::etl {

class TimeZoneHistory;
}
namespace openaps::privacy {
class ParticipantKeys;
}
namespace openaps::etl {

// Who the rows belong to and how they are stamped.
struct MappingContext
{
    qint64 userId = 0; // the Open Humans project member id
    int sourceEntity = 0; // openaps = 0, nsf = 1, both = 2
    const TimeZoneHistory *zones = nullptr; // the participant's profile time zones
    // Profile names become keyed hashes with these keys; without them,
    // "profile" (privacy/recordscrub.h).
    const privacy::ParticipantKeys *keys = nullptr;
};

// Maps one Nightscout document (a JSON text) to a row of its research table,
// with the old system's typed columns plus raw_json, UTC time and UTC offset.
// Devicestatus documents also give a device_status_metrics row when they
// carry an OpenAPS (`openaps.iob/suggested/enacted`) or Loop
// (`loop.iob/cob/enacted`) section.
//
// UTC offset, first found wins: `utcOffset`; the offset written in the
// record's own time string (dateString / created_at / timestamp / sysTime);
// Loop's `pump.secondsFromGMT`; the profile time zone at that instant.
//
// Documents without an id get a stable synthetic one (see records::json::syntheticId).
// A document without any usable time is rejected.
//
// Free text and device identifiers are scrubbed (privacy::RecordScrubber)
// before anything is read: the typed columns and raw_json hold only what the
// scrubber keeps. Ids come from the document as written.
class RecordMapper
{
public:
    RecordMapper(records::DataType type, MappingContext context);

    // Maps `json`; returns the reason when the document is unusable. Reasons
    // never quote the document.
    std::optional<QString> map(const QByteArray &json);
    // The same for a document already parsed; `json` is its text, stored as
    // raw_json (the legacy migration edits documents before mapping them).
    std::optional<QString> mapObject(QJsonObject o, const QByteArray &json);

    const Row &row() const { return m_row; }
    bool hasMetrics() const { return m_hasMetrics; }
    const Row &metrics() const { return m_metrics; }

    // After mapping a profile: the zone it names and from when, if any.
    const std::optional<std::pair<qint64, QString>> &profileZone() const { return m_profileZone; }

    records::DataType dataType() const { return m_type; }
    const MappingContext &context() const { return m_context; }
    void setSourceEntity(int sourceEntity) { m_context.sourceEntity = sourceEntity; }

private:
    bool mapEntry(const QJsonObject &o);
    bool mapTreatment(const QJsonObject &o);
    bool mapDeviceStatus(const QJsonObject &o);
    bool mapProfile(const QJsonObject &o);
    void mapMetrics(const QJsonObject &o, int createdAtColumn);
    void setCommon(int userCol, int idCol, int sourceCol, int rawCol, QByteArray id, const QByteArray &json);
    void setOffset(int column, std::optional<int> stated, qint64 ms);

    records::DataType m_type;
    MappingContext m_context;
    privacy::RecordScrubber m_scrubber;
    Row m_row;
    Row m_metrics;
    bool m_hasMetrics = false;
    std::optional<std::pair<qint64, QString>> m_profileZone;
};

// Noise as a number: Nightscout's numbers pass through, xDrip's words map to
// Nightscout's scale (Clean 1, Light 2, Medium 3, Heavy 4); others are null.
std::optional<double> noiseLevel(const QJsonValue &value);

} // namespace openaps::etl
