#include "synthetic/builders.h"
#include "synthetic/isotime.h"

#include <cmath>

namespace openaps::synthetic::detail {

namespace {

constexpr quint64 kEntryStream = 0x10;

QString direction(double perMinute)
{
    if (perMinute <= -3.5)
        return QStringLiteral("DoubleDown");
    if (perMinute <= -2)
        return QStringLiteral("SingleDown");
    if (perMinute <= -1)
        return QStringLiteral("FortyFiveDown");
    if (perMinute < 1)
        return QStringLiteral("Flat");
    if (perMinute < 2)
        return QStringLiteral("FortyFiveUp");
    if (perMinute < 3.5)
        return QStringLiteral("SingleUp");
    return QStringLiteral("DoubleUp");
}

QString cgmDevice(const ParticipantModel &model)
{
    switch (model.options().flavour) {
    case LoopFlavour::OpenAPS:
        return QStringLiteral("openaps://") + model.rigName() + QStringLiteral("/cgm");
    case LoopFlavour::Loop:
        return QStringLiteral("CGMBLEKit Dexcom G6 21.0");
    case LoopFlavour::AndroidAPS:
        return QStringLiteral("AndroidAPS-DexcomG6");
    }
    return {};
}

// Entries carry their local time in dateString, as uploaders write it.
QString dateString(const ParticipantModel &model, qint64 at)
{
    if (model.options().flavour == LoopFlavour::Loop)
        return isoTime(at, 0, true);
    return isoTime(at, model.offsetAt(at), false);
}

QJsonObject sgv(const ParticipantModel &model, qint64 slot, qint64 index)
{
    const int value = model.sensorGlucose(slot);
    const double perMinute = (model.glucose(slot) - model.glucose(slot - kFiveMinutes)) / 5;
    const bool messyNumbers = model.mess(MessKind::StringNumbers, kEntryStream, index);
    QJsonObject e {
        { QStringLiteral("_id"), model.objectId(slot, kEntryStream, index) },
        { QStringLiteral("type"), QStringLiteral("sgv") },
        { QStringLiteral("sgv"), number(value, messyNumbers) },
        { QStringLiteral("date"), double(slot) },
        { QStringLiteral("dateString"), dateString(model, slot) },
        { QStringLiteral("sysTime"), dateString(model, slot) },
        { QStringLiteral("direction"), direction(perMinute) },
        { QStringLiteral("device"), withNul(cgmDevice(model), model.mess(MessKind::NulDevice, kEntryStream, index)) },
        { QStringLiteral("utcOffset"), model.offsetAt(slot) / 60 },
    };
    if (model.mess(MessKind::NoiseClean, kEntryStream, index))
        e.insert(QStringLiteral("noise"), QStringLiteral("Clean"));
    else
        e.insert(QStringLiteral("noise"), 1);
    if (model.options().flavour == LoopFlavour::OpenAPS) {
        e.insert(QStringLiteral("filtered"), value * 1000 + 312);
        e.insert(QStringLiteral("unfiltered"), value * 1000 - 188);
        e.insert(QStringLiteral("rssi"), 170 + int(index % 30));
    }
    return e;
}

QJsonObject meter(const ParticipantModel &model, qint64 at, qint64 index)
{
    return QJsonObject {
        { QStringLiteral("_id"), model.objectId(at, kEntryStream + 1, index) },
        { QStringLiteral("type"), QStringLiteral("mbg") },
        { QStringLiteral("mbg"), int(std::round(model.glucose(at) * 1.04)) },
        { QStringLiteral("date"), double(at) },
        { QStringLiteral("dateString"), dateString(model, at) },
        { QStringLiteral("device"), cgmDevice(model) },
    };
}

QJsonObject calibration(const ParticipantModel &model, qint64 at, qint64 index)
{
    const quint64 h = hash(model.seed(), StreamCgmNoise, index, 7);
    return QJsonObject {
        { QStringLiteral("_id"), model.objectId(at, kEntryStream + 2, index) },
        { QStringLiteral("type"), QStringLiteral("cal") },
        { QStringLiteral("slope"), uniform(h, 780, 900) },
        { QStringLiteral("intercept"), uniform(h >> 8, 20000, 32000) },
        { QStringLiteral("scale"), 1 },
        { QStringLiteral("date"), double(at) },
        { QStringLiteral("dateString"), dateString(model, at) },
        { QStringLiteral("device"), cgmDevice(model) },
    };
}

} // namespace

void buildEntries(const ParticipantModel &model, qint64 from, qint64 to, std::vector<Item> &out)
{
    for (qint64 slot = model.firstSlotAtOrAfter(from); slot < to; slot += kFiveMinutes) {
        if (!model.cgmAvailable(slot))
            continue;
        const qint64 index = floorDiv(slot, kFiveMinutes);
        QJsonObject record = sgv(model, slot, index);
        if (model.mess(MessKind::Duplicate, kEntryStream, index)) {
            // A second uploader (e.g. xDrip and the loop) sends the same reading.
            QJsonObject copy = record;
            copy.insert(QStringLiteral("_id"), model.objectId(slot, kEntryStream, index, 1));
            copy.insert(QStringLiteral("device"), QStringLiteral("xDrip-DexcomG6"));
            out.push_back({ slot, std::move(copy) });
        }
        out.push_back({ slot, std::move(record) });
    }
    for (qint64 day = firstDay(model, from); day <= lastDay(model, to); ++day) {
        const DayPlan &p = model.plan(day);
        for (int i = 0; i < p.mealCount; ++i) {
            const qint64 at = p.meals[i].at - 10 * kMinute;
            if (p.meals[i].meterCheck && at >= from && at < to)
                out.push_back({ at, meter(model, at, day * 8 + i) });
        }
        for (int i = 0; i < 2; ++i) {
            const qint64 at = p.calibrationAt[i];
            if (at >= from && at < to)
                out.push_back({ at, calibration(model, at, day * 2 + i) });
        }
    }
}

} // namespace openaps::synthetic::detail
