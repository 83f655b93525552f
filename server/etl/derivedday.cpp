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

QString encodeDevices(const QMap<QString, DeviceDay> &devices)
{
    QJsonObject o;
    for (auto it = devices.cbegin(); it != devices.cend(); ++it)
        o.insert(it.key(),
                 QJsonArray { double(it->entries), double(it->firstMs), double(it->lastMs), double(it->readings) });
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void addDevices(const QString &text, QMap<QString, DeviceDay> &devices)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        const QJsonArray a = it.value().toArray();
        const DeviceDay add { a.at(0).toInteger(), a.at(1).toInteger(), a.at(2).toInteger(), a.at(3).toInteger() };
        DeviceDay &d = devices[it.key()];
        d.firstMs = d.entries > 0 ? std::min(d.firstMs, add.firstMs) : add.firstMs;
        d.lastMs = d.entries > 0 ? std::max(d.lastMs, add.lastMs) : add.lastMs;
        d.entries += add.entries;
        d.readings += add.readings;
    }
}

QString encodeCounts(const QHash<QString, qint64> &counts)
{
    QJsonObject o;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        o.insert(it.key(), double(it.value()));
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

void addCounts(const QString &text, QHash<QString, qint64> &counts)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    for (auto it = o.constBegin(); it != o.constEnd(); ++it)
        counts[it.key()] += it.value().toInteger();
}

} // namespace openaps::etl
