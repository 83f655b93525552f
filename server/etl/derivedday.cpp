#include "etl/derivedday.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace openaps::etl {

namespace {

// The analytics' filter: Dexcom's error codes below 39 are not glucose.
constexpr double lowestGlucose = 39;
constexpr double highestGlucose = 600;

void addEntry(DerivedDay &d, const EntryRow &row)
{
    DeviceDay &device = d.devices[row.device];
    const qint64 ms = row.reading.utcMs;
    device.firstMs = device.entries > 0 ? std::min(device.firstMs, ms) : ms;
    device.lastMs = device.entries > 0 ? std::max(device.lastMs, ms) : ms;
    ++device.entries;
    d.sourceEntity = std::max(d.sourceEntity.value_or(row.sourceEntity), row.sourceEntity);
    if (!row.sensorGlucose)
        return;
    ++d.sgvRows;
    const double v = row.reading.mgdl;
    if (std::isfinite(v) && v > 0)
        ++device.readings;
    if (v >= lowestGlucose && v <= highestGlucose) {
        BinSum &bin = d.bins[size_t(metrics::localMinuteOfDay(row.reading) / metrics::agpBinMinutes)];
        bin.add({ 1, v, v, v });
    }
}

} // namespace

QList<metrics::Reading> sensorGlucose(const QList<EntryRow> &entries)
{
    QList<metrics::Reading> out;
    out.reserve(entries.size());
    for (const EntryRow &row : entries) {
        if (row.sensorGlucose)
            out.append(row.reading);
    }
    return out;
}

QMap<qint64, DerivedDay> deriveDays(const DerivedInput &in)
{
    QMap<qint64, DerivedDay> out;
    for (auto it = in.entries.cbegin(); it != in.entries.cend(); ++it) {
        DerivedDay &d = out[it.key()];
        d.day = it.key();
        for (const EntryRow &row : it.value())
            addEntry(d, row);
        d.cgm = metrics::accumulate(sensorGlucose(it.value()));
    }
    for (auto it = in.days.cbegin(); it != in.days.cend(); ++it) {
        DerivedDay &d = out[it.key()];
        d.day = it.key();
        d.activity = it.value();
    }
    return out;
}

namespace {

QJsonObject devicesObject(const QMap<QString, DeviceDay> &devices)
{
    QJsonObject o;
    for (auto it = devices.cbegin(); it != devices.cend(); ++it)
        o.insert(it.key(),
                 QJsonArray { double(it->entries), double(it->firstMs), double(it->lastMs), double(it->readings) });
    return o;
}

void addDevice(DeviceDay &d, const DeviceDay &add)
{
    d.firstMs = d.entries > 0 ? std::min(d.firstMs, add.firstMs) : add.firstMs;
    d.lastMs = d.entries > 0 ? std::max(d.lastMs, add.lastMs) : add.lastMs;
    d.entries += add.entries;
    d.readings += add.readings;
}

void addDevicesObject(const QJsonObject &o, QMap<QString, DeviceDay> &devices)
{
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        const QJsonArray a = it.value().toArray();
        addDevice(devices[it.key()],
                  { a.at(0).toInteger(), a.at(1).toInteger(), a.at(2).toInteger(), a.at(3).toInteger() });
    }
}

QJsonObject countsObject(const QHash<QString, qint64> &counts)
{
    QJsonObject o;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        o.insert(it.key(), double(it.value()));
    return o;
}

void addCountsObject(const QJsonObject &o, QHash<QString, qint64> &counts)
{
    for (auto it = o.constBegin(); it != o.constEnd(); ++it)
        counts[it.key()] += it.value().toInteger();
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonValue optionalNumber(const std::optional<qint64> &value)
{
    return value ? QJsonValue(double(*value)) : QJsonValue();
}

std::optional<qint64> optionalNumber(const QJsonValue &value)
{
    return value.isDouble() ? std::optional<qint64>(value.toInteger()) : std::nullopt;
}

template <typename T> void keepLowest(std::optional<T> &to, const std::optional<T> &value)
{
    if (value)
        to = to ? std::min(*to, *value) : *value;
}

template <typename T> void keepHighest(std::optional<T> &to, const std::optional<T> &value)
{
    if (value)
        to = to ? std::max(*to, *value) : *value;
}

} // namespace

QString encodeDevices(const QMap<QString, DeviceDay> &devices)
{
    return compact(devicesObject(devices));
}

void addDevices(const QString &text, QMap<QString, DeviceDay> &devices)
{
    addDevicesObject(QJsonDocument::fromJson(text.toUtf8()).object(), devices);
}

QString encodeCounts(const QHash<QString, qint64> &counts)
{
    return compact(countsObject(counts));
}

void addCounts(const QString &text, QHash<QString, qint64> &counts)
{
    addCountsObject(QJsonDocument::fromJson(text.toUtf8()).object(), counts);
}

void PeriodSums::add(const DerivedDay &day)
{
    cgm.add(day.cgm);
    daysWithData += day.cgm.isEmpty() ? 0 : 1;
    for (auto it = day.devices.cbegin(); it != day.devices.cend(); ++it)
        addDevice(devices[it.key()], it.value());
    const DayActivity &a = day.activity;
    if (a.closedLoop) {
        ++loopDays;
        closedLoopDays += *a.closedLoop ? 1 : 0;
    }
    if (a.basalUnits) {
        ++basalDays;
        basalUnits += *a.basalUnits;
    }
    if (a.hasTreatments) {
        ++treatmentDays;
        bolusUnits += a.bolusUnits;
        carbs += a.carbs;
    }
    for (auto u = a.uploaders.cbegin(); u != a.uploaders.cend(); ++u)
        uploaders[u.key()] += u.value();
    if (day.sgvRows > 0) {
        keepLowest(firstSgvDay, std::optional(day.day));
        keepHighest(lastSgvDay, std::optional(day.day));
    }
    keepHighest(sourceEntity, day.sourceEntity);
}

void PeriodSums::add(const PeriodSums &other)
{
    cgm.add(other.cgm);
    daysWithData += other.daysWithData;
    for (auto it = other.devices.cbegin(); it != other.devices.cend(); ++it)
        addDevice(devices[it.key()], it.value());
    loopDays += other.loopDays;
    closedLoopDays += other.closedLoopDays;
    basalDays += other.basalDays;
    basalUnits += other.basalUnits;
    treatmentDays += other.treatmentDays;
    bolusUnits += other.bolusUnits;
    carbs += other.carbs;
    for (auto u = other.uploaders.cbegin(); u != other.uploaders.cend(); ++u)
        uploaders[u.key()] += u.value();
    keepLowest(firstSgvDay, other.firstSgvDay);
    keepHighest(lastSgvDay, other.lastSgvDay);
    keepHighest(sourceEntity, other.sourceEntity);
}

// JSON; numbers as doubles, which hold these integers exactly and are
// written shortest and read back to the same bits.
QString encodeSums(const PeriodSums &s)
{
    const metrics::Partial &p = s.cgm;
    return compact(QJsonObject {
            { QStringLiteral("cgm"),
              QJsonArray { double(p.readings), double(p.dropped), double(p.duplicates), double(p.clamped),
                           double(p.firstUtcMs), double(p.lastUtcMs), double(p.bands[0]), double(p.bands[1]),
                           double(p.bands[2]), double(p.bands[3]), double(p.bands[4]), p.sum, p.sumSquares, p.lowRisk,
                           p.highRisk, double(p.filledSlots) } },
            { QStringLiteral("days"), double(s.daysWithData) },
            { QStringLiteral("devices"), devicesObject(s.devices) },
            { QStringLiteral("loop"), QJsonArray { double(s.loopDays), double(s.closedLoopDays) } },
            { QStringLiteral("basal"), QJsonArray { double(s.basalDays), s.basalUnits } },
            { QStringLiteral("treatments"), QJsonArray { double(s.treatmentDays), s.bolusUnits, s.carbs } },
            { QStringLiteral("uploaders"), countsObject(s.uploaders) },
            { QStringLiteral("sgv"), QJsonArray { optionalNumber(s.firstSgvDay), optionalNumber(s.lastSgvDay) } },
    });
}

PeriodSums decodeSums(const QString &text)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    PeriodSums s;
    const QJsonArray cgm = o.value(QStringLiteral("cgm")).toArray();
    metrics::Partial &p = s.cgm;
    int i = 0;
    const auto integer = [&cgm, &i] { return cgm.at(i++).toInteger(); };
    p.readings = integer();
    p.dropped = integer();
    p.duplicates = integer();
    p.clamped = integer();
    p.firstUtcMs = integer();
    p.lastUtcMs = integer();
    for (qint64 &band : p.bands)
        band = integer();
    p.sum = cgm.at(i++).toDouble();
    p.sumSquares = cgm.at(i++).toDouble();
    p.lowRisk = cgm.at(i++).toDouble();
    p.highRisk = cgm.at(i++).toDouble();
    p.filledSlots = integer();
    s.daysWithData = o.value(QStringLiteral("days")).toInteger();
    addDevicesObject(o.value(QStringLiteral("devices")).toObject(), s.devices);
    const QJsonArray loop = o.value(QStringLiteral("loop")).toArray();
    s.loopDays = loop.at(0).toInteger();
    s.closedLoopDays = loop.at(1).toInteger();
    const QJsonArray basal = o.value(QStringLiteral("basal")).toArray();
    s.basalDays = basal.at(0).toInteger();
    s.basalUnits = basal.at(1).toDouble();
    const QJsonArray treatments = o.value(QStringLiteral("treatments")).toArray();
    s.treatmentDays = treatments.at(0).toInteger();
    s.bolusUnits = treatments.at(1).toDouble();
    s.carbs = treatments.at(2).toDouble();
    addCountsObject(o.value(QStringLiteral("uploaders")).toObject(), s.uploaders);
    const QJsonArray sgv = o.value(QStringLiteral("sgv")).toArray();
    s.firstSgvDay = optionalNumber(sgv.at(0));
    s.lastSgvDay = optionalNumber(sgv.at(1));
    return s;
}

} // namespace openaps::etl
