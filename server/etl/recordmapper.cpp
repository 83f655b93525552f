#include "etl/recordmapper.h"

#include "etl/jsonfields.h"
#include "etl/timezonehistory.h"
#include "privacy/participantkeys.h"
#include "records/datatype.h"
#include "records/jsonvalues.h"
#include "records/nstime.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace openaps::etl {

namespace {

QJsonValue field(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key));
}

// The first of `keys` that parses as a time.
std::optional<records::NsTime> firstTime(const QJsonObject &o, std::initializer_list<const char *> keys)
{
    for (const char *key : keys) {
        if (auto t = records::parseNsTime(field(o, key)))
            return t;
    }
    return std::nullopt;
}

// The first offset written into one of these time strings.
std::optional<int> statedOffset(const QJsonObject &o, std::initializer_list<const char *> keys)
{
    if (auto offset = records::json::utcOffset(field(o, "utcOffset")))
        return offset;
    for (const char *key : keys) {
        const QJsonValue v = field(o, key);
        if (!v.isString())
            continue;
        if (auto t = records::parseNsTimeText(v.toString()); t && t->offsetMinutes)
            return t->offsetMinutes;
    }
    return std::nullopt;
}

} // namespace

std::optional<double> noiseLevel(const QJsonValue &value)
{
    if (auto n = records::json::number(value))
        return n;
    const QString word = value.toString().trimmed().toLower();
    if (word == QLatin1String("clean"))
        return 1;
    if (word == QLatin1String("light"))
        return 2;
    if (word == QLatin1String("medium"))
        return 3;
    if (word == QLatin1String("heavy"))
        return 4;
    return std::nullopt;
}

RecordMapper::RecordMapper(records::DataType type, MappingContext context)
    : m_type(type),
      m_context(context),
      m_scrubber(context.keys ? privacy::RecordScrubber::ProfileNamer(
                         [keys = context.keys](const QString &name) { return keys->profileName(name); })
                              : privacy::RecordScrubber::ProfileNamer()),
      m_row(emptyRow(records::tableFor(type))),
      m_metrics(emptyRow(records::deviceStatusMetricsTable()))
{ }

std::optional<QString> RecordMapper::map(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return QStringLiteral("not valid JSON (%1 at byte %2)").arg(error.errorString()).arg(error.offset);
    if (!document.isObject())
        return QStringLiteral("not a JSON object");
    return mapObject(document.object(), json);
}

std::optional<QString> RecordMapper::mapObject(QJsonObject o, const QByteArray &json)
{
    for (Field &f : m_row)
        f.clear();
    m_hasMetrics = false;
    m_profileZone.reset();
    QByteArray id = records::json::documentId(o);
    if (id.isEmpty())
        id = records::json::syntheticId(o); // of the document as written: stable across versions of the scrubber
    const QByteArray raw = m_scrubber.scrub(m_type, o) ? QJsonDocument(o).toJson(QJsonDocument::Compact) : json;

    bool ok = false;
    switch (m_type) {
    case records::DataType::Entries:
        setCommon(records::EntryCol::UserId, records::EntryCol::Id, records::EntryCol::SourceEntity,
                  records::EntryCol::RawJson, id, raw);
        ok = mapEntry(o);
        break;
    case records::DataType::Treatments:
        setCommon(records::TreatmentCol::UserId, records::TreatmentCol::Id, records::TreatmentCol::SourceEntity,
                  records::TreatmentCol::RawJson, id, raw);
        ok = mapTreatment(o);
        break;
    case records::DataType::DeviceStatus:
        setCommon(records::DeviceStatusCol::UserId, records::DeviceStatusCol::Id,
                  records::DeviceStatusCol::SourceEntity, records::DeviceStatusCol::RawJson, id, raw);
        ok = mapDeviceStatus(o);
        break;
    case records::DataType::Profile:
        setCommon(records::ProfileCol::UserId, records::ProfileCol::Id, records::ProfileCol::SourceEntity,
                  records::ProfileCol::RawJson, id, raw);
        ok = mapProfile(o);
        break;
    }
    if (!ok)
        return QStringLiteral("no usable time in the record");
    return std::nullopt;
}

void RecordMapper::setCommon(int userCol, int idCol, int sourceCol, int rawCol, QByteArray id, const QByteArray &json)
{
    m_row[userCol].setInteger(m_context.userId);
    m_row[idCol].setText(std::move(id));
    m_row[sourceCol].setInteger(m_context.sourceEntity);
    m_row[rawCol].setJson(json);
}

void RecordMapper::setOffset(int column, std::optional<int> stated, qint64 ms)
{
    if (!stated && m_context.zones)
        stated = m_context.zones->offsetAt(ms);
    if (stated)
        m_row[column].setInteger(*stated);
}

bool RecordMapper::mapEntry(const QJsonObject &o)
{
    using namespace records::EntryCol;
    const auto when = firstTime(o, { "date", "dateString", "sysTime", "system_time", "created_at", "mills" });
    if (!when)
        return false;
    m_row[Date].setTime(when->ms);
    setOffset(UtcOffset, statedOffset(o, { "dateString", "sysTime", "system_time", "created_at" }), when->ms);

    json::setReal(m_row[Sgv], field(o, "sgv"));
    json::setText(m_row[Direction], field(o, "direction"));
    json::setText(m_row[Device], field(o, "device"));
    QJsonValue type = field(o, "type");
    if (type.isString() && !type.toString().isEmpty()) {
        json::setText(m_row[Type], type);
    } else if (o.contains(QLatin1String("sgv"))) {
        // Without a type the unique (participant, type, instant) key could not
        // catch duplicates; infer it from the value present.
        m_row[Type].setText(QByteArrayLiteral("sgv"));
    } else if (o.contains(QLatin1String("mbg"))) {
        m_row[Type].setText(QByteArrayLiteral("mbg"));
    } else if (o.contains(QLatin1String("slope"))) {
        m_row[Type].setText(QByteArrayLiteral("cal"));
    }
    json::setReal(m_row[Rssi], field(o, "rssi"));
    json::setReal(m_row[Rawbg], field(o, "rawbg"));
    json::setText(m_row[Trend], o.contains(QLatin1String("trend")) ? field(o, "trend") : field(o, "trend_arrow"));
    json::setReal(m_row[Glucose], field(o, "glucose"));
    json::setReal(m_row[Mbg], field(o, "mbg"));
    json::setReal(m_row[Delta], field(o, "delta"));
    json::setReal(m_row[Filtered], field(o, "filtered"));
    json::setReal(m_row[Unfiltered], field(o, "unfiltered"));
    if (auto noise = noiseLevel(field(o, "noise")))
        m_row[Noise].setReal(*noise);
    json::setReal(m_row[Scale], field(o, "scale"));
    json::setReal(m_row[Slope], field(o, "slope"));
    json::setReal(m_row[Intercept], field(o, "intercept"));
    json::setText(m_row[SystemTime],
                  o.contains(QLatin1String("system_time")) ? field(o, "system_time") : field(o, "sysTime"));
    return true;
}

bool RecordMapper::mapTreatment(const QJsonObject &o)
{
    using namespace records::TreatmentCol;
    const auto when = firstTime(o, { "created_at", "timestamp", "date", "mills", "eventTime" });
    if (!when)
        return false;
    m_row[CreatedAt].setTime(when->ms);
    const auto stamp = records::parseNsTime(field(o, "timestamp"));
    m_row[Timestamp].setTime(stamp ? stamp->ms : when->ms);
    setOffset(UtcOffset, statedOffset(o, { "created_at", "timestamp" }), when->ms);

    json::setText(m_row[EventType], field(o, "eventType"));
    json::setReal(m_row[Insulin], field(o, "insulin"));
    json::setReal(m_row[Carbs], field(o, "carbs"));
    json::setReal(m_row[Protein], field(o, "protein"));
    json::setReal(m_row[Fat], field(o, "fat"));
    json::setReal(m_row[Glucose], field(o, "glucose"));
    json::setText(m_row[GlucoseType], field(o, "glucoseType"));
    json::setText(m_row[FoodType], field(o, "foodType"));
    json::setText(m_row[Temp], field(o, "temp"));
    json::setReal(m_row[Rate], field(o, "rate"));
    json::setReal(m_row[Duration], field(o, "duration"));
    json::setText(m_row[Units], field(o, "units"));
    json::setReal(m_row[Amount], field(o, "amount"));
    json::setReal(m_row[Absolute], field(o, "absolute"));
    json::setText(m_row[Medtronic], field(o, "medtronic"));
    json::setText(m_row[Type], field(o, "type"));
    json::setReal(m_row[AbsorptionTime], field(o, "absorptionTime"));
    json::setReal(m_row[Unabsorbed], field(o, "unabsorbed"));
    json::setReal(m_row[Ratio], field(o, "ratio"));
    json::setReal(m_row[TargetTop], field(o, "targetTop"));
    json::setReal(m_row[TargetBottom], field(o, "targetBottom"));
    json::setReal(m_row[Fixed], field(o, "fixed"));
    json::setText(m_row[Programmed], field(o, "programmed"));
    json::setText(m_row[Reason], field(o, "reason"));
    json::setText(m_row[Notes], field(o, "notes"));
    json::setText(m_row[EnteredBy], field(o, "enteredBy"));
    return true;
}

bool RecordMapper::mapProfile(const QJsonObject &o)
{
    using namespace records::ProfileCol;
    const auto created = firstTime(o, { "created_at", "startDate", "mills", "date" });
    if (!created)
        return false;
    m_row[CreatedAt].setTime(created->ms);
    const auto start = firstTime(o, { "startDate", "mills", "created_at" });
    if (start)
        m_row[StartDate].setTime(start->ms);
    // Within qint64 first: casting a larger double is undefined (found by fuzzing).
    if (auto mills = records::json::number(field(o, "mills")); mills && std::abs(*mills) < 9.0e18)
        m_row[Mills].setInteger(qint64(*mills));

    const QJsonValue defaultName = field(o, "defaultProfile");
    json::setText(m_row[DefaultProfile], defaultName);
    // The profile in force is store[defaultProfile]; old uploaders may name a
    // missing one, then the first stored profile stands in.
    const QJsonObject store = field(o, "store").toObject();
    QJsonObject active = store.value(defaultName.toString()).toObject();
    if (active.isEmpty() && !store.isEmpty())
        active = store.begin().value().toObject();
    const QJsonValue units = o.contains(QLatin1String("units")) ? field(o, "units")
                                                                : active.value(QLatin1String("units"));
    json::setText(m_row[Units], units);
    QJsonValue zone = active.value(QLatin1String("timezone"));
    if (!zone.isString())
        zone = field(o, "timezone");
    json::setText(m_row[Timezone], zone);

    const qint64 from = start ? start->ms : created->ms;
    std::optional<int> offset = statedOffset(o, { "created_at", "startDate" });
    if (zone.isString() && !zone.toString().isEmpty()) {
        m_profileZone = std::make_pair(from, zone.toString());
        if (auto tz = TimeZoneHistory::zoneFor(zone.toString()))
            offset = tz->offsetFromUtc(QDateTime::fromMSecsSinceEpoch(created->ms, Qt::UTC)) / 60;
    }
    setOffset(UtcOffset, offset, created->ms);
    return true;
}

} // namespace openaps::etl
