#include "etl/derivedday.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

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

void BinSum::add(const BinSum &other)
{
    if (other.count == 0)
        return;
    min = count > 0 ? std::min(min, other.min) : other.min;
    max = count > 0 ? std::max(max, other.max) : other.max;
    count += other.count;
    sum += other.sum;
}

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

// Hand-written with std::to_chars/from_chars: a year of days is ~35,000
// bins to write and read again, and QString::arg took most of a refresh.
QString encodeBins(const GlucoseBins &bins)
{
    std::string out;
    out.reserve(bins.size() * 24);
    char buffer[32];
    const auto append = [&out, &buffer](auto value) {
        out.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
    };
    for (size_t i = 0; i < bins.size(); ++i) {
        const BinSum &b = bins[i];
        if (b.count == 0)
            continue;
        if (!out.empty())
            out += ';';
        append(i);
        out += ' ';
        append(b.count);
        for (const double v : { b.sum, b.min, b.max }) {
            out += ' ';
            append(v);
        }
    }
    // Never a null string: the column is NOT NULL.
    return QString::fromLatin1(out.data(), qsizetype(out.size()));
}

void addBins(const QString &text, GlucoseBins &bins)
{
    const QByteArray bytes = text.toLatin1();
    const char *p = bytes.constData();
    const char *const end = p + bytes.size();
    while (p < end) {
        const char *const partEnd = std::find(p, end, ';');
        int i = -1;
        BinSum b;
        double *const reals[] = { &b.sum, &b.min, &b.max };
        auto r = std::from_chars(p, partEnd, i);
        bool ok = r.ec == std::errc() && r.ptr < partEnd && *r.ptr == ' ';
        if (ok) {
            r = std::from_chars(r.ptr + 1, partEnd, b.count);
            ok = r.ec == std::errc();
        }
        for (double *v : reals) {
            ok = ok && r.ptr < partEnd && *r.ptr == ' ';
            if (ok) {
                r = std::from_chars(r.ptr + 1, partEnd, *v);
                ok = r.ec == std::errc();
            }
        }
        if (ok && r.ptr == partEnd && i >= 0 && i < metrics::agpBinCount)
            bins[size_t(i)].add(b);
        p = partEnd + 1;
    }
}

} // namespace openaps::etl
