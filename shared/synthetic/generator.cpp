#include "synthetic/generator.h"

#include "synthetic/builders.h"

#include <algorithm>
#include <cmath>

namespace openaps::synthetic {

namespace detail {

QJsonValue number(double value, bool asString)
{
    if (!asString)
        return value;
    return QString::number(value, 'g', 12);
}

QString withNul(const QString &device, bool nul)
{
    return nul ? device + QChar(u'\0') : device;
}

double round2(double value)
{
    return std::round(value * 100) / 100;
}

qint64 firstDay(const ParticipantModel &model, qint64 from)
{
    return model.localDay(from) - 1;
}

qint64 lastDay(const ParticipantModel &model, qint64 to)
{
    return model.localDay(to) + 1;
}

} // namespace detail

using namespace detail;

Generator::Generator(Options options) : m_options(std::move(options))
{
    if (!m_options.timeZone.isValid())
        m_options.timeZone = QTimeZone(QTimeZone::utc());
}

Generator::~Generator() = default;

void Generator::generate(ns::Collection collection, const QDateTime &from, const QDateTime &to, const Sink &sink) const
{
    const ParticipantModel model(m_options);
    const qint64 begin = std::max(from.toMSecsSinceEpoch(), model.startMs());
    const qint64 end = std::min(to.toMSecsSinceEpoch(), model.endMs());
    std::vector<Item> items;
    // One UTC day at a time keeps memory flat for windows of years.
    for (qint64 chunk = begin; chunk < end; chunk = std::min(end, floorDiv(chunk, kDay) * kDay + kDay)) {
        const qint64 chunkEnd = std::min(end, floorDiv(chunk, kDay) * kDay + kDay);
        items.clear();
        switch (collection) {
        case ns::Collection::Entries:
            buildEntries(model, chunk, chunkEnd, items);
            break;
        case ns::Collection::Treatments:
            buildTreatments(model, chunk, chunkEnd, items);
            break;
        case ns::Collection::DeviceStatus:
            buildDeviceStatus(model, chunk, chunkEnd, items);
            break;
        case ns::Collection::Profiles:
            buildProfiles(model, chunk, chunkEnd, items);
            break;
        }
        std::stable_sort(items.begin(), items.end(), [](const Item &a, const Item &b) { return a.at < b.at; });
        for (const Item &item : items)
            sink(item.record);
    }
}

QList<QJsonObject> Generator::records(ns::Collection collection, const QDateTime &from, const QDateTime &to) const
{
    QList<QJsonObject> out;
    generate(collection, from, to, [&out](const QJsonObject &record) { out.append(record); });
    return out;
}

QDateTime Generator::recordTime(ns::Collection collection, const QJsonObject &record)
{
    const QString field = ns::dateField(collection);
    const QJsonValue value = record.value(field);
    if (collection == ns::Collection::Entries)
        return QDateTime::fromMSecsSinceEpoch(qint64(value.toDouble()), Qt::UTC);
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs).toUTC();
}

} // namespace openaps::synthetic
