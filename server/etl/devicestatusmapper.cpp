// Devicestatus documents: the device_status row and, for closed-loop
// systems, the flattened device_status_metrics row. Part of RecordMapper.

#include "etl/jsonfields.h"
#include "etl/recordmapper.h"
#include "records/jsonvalues.h"
#include "records/nstime.h"

#include <QJsonArray>

#include <cmath>

namespace openaps::etl {

namespace {

QJsonValue field(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key));
}

// pump.bolusing (Loop) or pump.status.bolusing (OpenAPS).
QJsonValue pumpFlag(const QJsonObject &o, const char *flag)
{
    const QJsonValue direct = records::json::at(o, { "pump", flag });
    return direct.isUndefined() ? records::json::at(o, { "pump", "status", flag }) : direct;
}

std::optional<int> deviceStatusOffset(const QJsonObject &o)
{
    if (auto offset = records::json::utcOffset(field(o, "utcOffset")))
        return offset;
    // created_at is usually UTC ("Z", which states no local offset); OpenAPS
    // writes the pump clock with the rig's local offset, and Loop reports the
    // pump's secondsFromGMT.
    for (const QJsonValue &v : { field(o, "created_at"), records::json::at(o, { "pump", "clock" }) }) {
        if (!v.isString())
            continue;
        if (auto t = records::parseNsTimeText(v.toString()); t && t->offsetMinutes)
            return t->offsetMinutes;
    }
    // Real offsets are within ±18 h; a larger number would overflow the cast.
    if (auto seconds = records::json::number(records::json::at(o, { "pump", "secondsFromGMT" }));
        seconds && std::abs(*seconds) <= 18 * 3600)
        return int(*seconds / 60);
    return std::nullopt;
}

} // namespace

bool RecordMapper::mapDeviceStatus(const QJsonObject &o)
{
    using namespace records::DeviceStatusCol;
    const auto when = [&o]() -> std::optional<records::NsTime> {
        for (const char *key : { "created_at", "date", "mills", "timestamp" }) {
            if (auto t = records::parseNsTime(field(o, key)))
                return t;
        }
        return std::nullopt;
    }();
    if (!when)
        return false;
    m_row[CreatedAt].setTime(when->ms);
    setOffset(UtcOffset, deviceStatusOffset(o), when->ms);

    json::setText(m_row[Device], field(o, "device"));
    json::setText(m_row[PumpId], records::json::at(o, { "pump", "pumpID" }));
    json::setBool(m_row[PumpBolusing], pumpFlag(o, "bolusing"));
    json::setBool(m_row[PumpSuspended], pumpFlag(o, "suspended"));
    json::setText(m_row[PumpModel], records::json::at(o, { "pump", "model" }));
    json::setReal(m_row[LoopCob], records::json::at(o, { "loop", "cob", "cob" }));
    json::setReal(m_row[LoopIob], records::json::at(o, { "loop", "iob", "iob" }));
    json::setText(m_row[LoopVersion], records::json::at(o, { "loop", "version" }));
    json::setText(m_row[LoopFailureReason], records::json::at(o, { "loop", "failureReason" }));
    json::setText(m_row[Snooze], field(o, "snooze"));
    json::setBool(m_row[OverrideActive], records::json::at(o, { "override", "active" }));

    mapMetrics(o, CreatedAt);
    return true;
}

// OpenAPS/AndroidAPS: openaps.iob (an object, or an array whose first element
// is "now"), openaps.suggested, openaps.enacted (received or the old
// misspelling "recieved" stay in raw_json).
// Loop: loop.iob -> iob_*, loop.cob.cob -> suggested_cob (COB at decision
// time, as oref0's suggested.COB), loop.enacted -> enacted_rate/duration/timestamp.
void RecordMapper::mapMetrics(const QJsonObject &o, int createdAtColumn)
{
    using namespace records::MetricsCol;
    for (Field &f : m_metrics)
        f.clear();
    const QJsonObject openaps = field(o, "openaps").toObject();
    const QJsonObject loop = field(o, "loop").toObject();

    QJsonValue iobValue = openaps.isEmpty() ? loop.value(QLatin1String("iob")) : openaps.value(QLatin1String("iob"));
    if (iobValue.isArray())
        iobValue = iobValue.toArray().first();
    const QJsonObject iob = iobValue.toObject();
    const QJsonObject suggested = openaps.value(QLatin1String("suggested")).toObject();
    const QJsonObject enacted = openaps.isEmpty() ? loop.value(QLatin1String("enacted")).toObject()
                                                  : openaps.value(QLatin1String("enacted")).toObject();
    const QJsonValue loopCob = records::json::at(loop, { "cob", "cob" });
    if (iob.isEmpty() && suggested.isEmpty() && enacted.isEmpty() && loopCob.isUndefined())
        return;

    auto in = [](const QJsonObject &from, const char *key) { return from.value(QLatin1String(key)); };
    json::setReal(m_metrics[IobIob], in(iob, "iob"));
    json::setReal(m_metrics[IobActivity], in(iob, "activity"));
    json::setReal(m_metrics[IobBasalIob], in(iob, "basaliob"));
    json::setReal(m_metrics[IobBolusIob], in(iob, "bolusiob"));
    json::setReal(m_metrics[IobNetBasalInsulin], in(iob, "netbasalinsulin"));
    json::setReal(m_metrics[IobBolusInsulin], in(iob, "bolusinsulin"));
    json::setTime(m_metrics[IobTimestamp],
                  iob.contains(QLatin1String("timestamp")) ? in(iob, "timestamp") : in(iob, "time"));

    json::setText(m_metrics[SuggestedTemp], in(suggested, "temp"));
    json::setReal(m_metrics[SuggestedBg], in(suggested, "bg"));
    json::setText(m_metrics[SuggestedTick], in(suggested, "tick"));
    json::setReal(m_metrics[SuggestedEventualBg], in(suggested, "eventualBG"));
    json::setReal(m_metrics[SuggestedInsulinReq], in(suggested, "insulinReq"));
    json::setReal(m_metrics[SuggestedReservoir], in(suggested, "reservoir"));
    json::setReal(m_metrics[SuggestedCob], suggested.isEmpty() ? loopCob : in(suggested, "COB"));
    json::setReal(m_metrics[SuggestedIob], in(suggested, "IOB"));

    json::setText(m_metrics[EnactedTemp], in(enacted, "temp"));
    json::setReal(m_metrics[EnactedBg], in(enacted, "bg"));
    json::setText(m_metrics[EnactedTick], in(enacted, "tick"));
    json::setReal(m_metrics[EnactedEventualBg], in(enacted, "eventualBG"));
    json::setReal(m_metrics[EnactedInsulinReq], in(enacted, "insulinReq"));
    json::setText(m_metrics[EnactedReservoir], in(enacted, "reservoir"));
    json::setReal(m_metrics[EnactedCob], in(enacted, "COB"));
    json::setReal(m_metrics[EnactedIob], in(enacted, "IOB"));
    json::setReal(m_metrics[EnactedDuration], in(enacted, "duration"));
    json::setReal(m_metrics[EnactedRate], in(enacted, "rate"));
    json::setTime(m_metrics[EnactedTimestamp], in(enacted, "timestamp"));

    m_metrics[UserId] = m_row[records::DeviceStatusCol::UserId];
    m_metrics[DeviceStatusId] = m_row[records::DeviceStatusCol::Id];
    m_metrics[SourceEntity] = m_row[records::DeviceStatusCol::SourceEntity];
    m_metrics[CreatedAt] = m_row[createdAtColumn];
    m_metrics[UtcOffset] = m_row[records::DeviceStatusCol::UtcOffset];
    m_hasMetrics = true;
}

} // namespace openaps::etl
