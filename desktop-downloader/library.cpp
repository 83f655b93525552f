#include "library.h"

#include "researcher/downloadjob.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

namespace openaps::desktop {

namespace {

const QString itemsKey = QStringLiteral("library/items");
const QString withdrawnKey = QStringLiteral("library/withdrawn");

QJsonObject toJson(const LibraryItem &item)
{
    return { { QStringLiteral("path"), item.path },
             { QStringLiteral("kind"), item.kind },
             { QStringLiteral("datasets"), QJsonArray::fromStringList(item.datasets) },
             { QStringLiteral("filters"), item.filters },
             { QStringLiteral("snapshot_at"), item.snapshotAt.toUTC().toString(Qt::ISODate) },
             { QStringLiteral("rows"), item.rows },
             { QStringLiteral("verified"), item.verified },
             { QStringLiteral("note"), item.note } };
}

LibraryItem fromJson(const QJsonObject &o)
{
    LibraryItem item;
    item.path = o.value(QLatin1String("path")).toString();
    item.kind = o.value(QLatin1String("kind")).toString();
    for (const QJsonValue v : o.value(QLatin1String("datasets")).toArray())
        item.datasets << v.toString();
    item.filters = o.value(QLatin1String("filters")).toString();
    item.snapshotAt = QDateTime::fromString(o.value(QLatin1String("snapshot_at")).toString(), Qt::ISODate);
    item.rows = o.value(QLatin1String("rows")).toInteger(-1);
    item.verified = o.value(QLatin1String("verified")).toBool();
    item.note = o.value(QLatin1String("note")).toString();
    return item;
}

} // namespace

bool LibraryItem::isViewable() const
{
    static const QStringList shown { QStringLiteral("entries"), QStringLiteral("treatments"),
                                     QStringLiteral("device_status"), QStringLiteral("device_status_metrics"),
                                     QStringLiteral("profile") };
    for (const QString &d : datasets) {
        if (shown.contains(d))
            return true;
    }
    return false;
}

Library::Library(QSettings *settings, QObject *parent) : QObject(parent), m_settings(settings)
{
    const QJsonArray saved = QJsonDocument::fromJson(m_settings->value(itemsKey).toByteArray()).array();
    for (const QJsonValue v : saved)
        m_items << fromJson(v.toObject());
}

QList<LibraryItem> Library::items() const
{
    QList<LibraryItem> out;
    for (auto it = m_items.crbegin(); it != m_items.crend(); ++it) {
        if (QFileInfo::exists(it->path))
            out << *it;
    }
    return out;
}

const LibraryItem *Library::find(const QString &path) const
{
    for (const LibraryItem &item : m_items) {
        if (item.path == path)
            return &item;
    }
    return nullptr;
}

void Library::add(const LibraryItem &item)
{
    for (LibraryItem &existing : m_items) {
        if (existing.path == item.path) {
            existing = item;
            return save();
        }
    }
    m_items << item;
    save();
}

void Library::remove(const QString &path)
{
    m_items.removeIf([&](const LibraryItem &item) { return item.path == path; });
    save();
}

QStringList Library::withdrawn() const
{
    return m_settings->value(withdrawnKey).toStringList();
}

void Library::setWithdrawn(const QStringList &pseudonyms)
{
    m_settings->setValue(withdrawnKey, pseudonyms);
}

LibraryItem Library::itemOf(const researcher::DownloadJob &job)
{
    const researcher::ExportFilter &f = job.filter();
    QStringList filters { f.format + (f.gzip ? QStringLiteral(", gzip") : QString()) };
    if (f.from.isValid() || f.to.isValid())
        filters << tr("%1 to %2 (inclusive)")
                           .arg(f.from.isValid() ? f.from.date().toString(Qt::ISODate) : tr("the start"),
                                f.to.isValid() ? f.to.addDays(-1).date().toString(Qt::ISODate) : tr("the end"));
    if (!f.participants.isEmpty())
        filters << tr("participants %1").arg(f.participants.join(QLatin1String(", ")));
    LibraryItem item;
    item.path = job.filePath();
    item.kind = QStringLiteral("download");
    item.datasets = QStringList { f.dataset };
    item.filters = filters.join(QLatin1String("; "));
    item.snapshotAt = QDateTime::currentDateTimeUtc();
    item.rows = job.rows(); // as received (a gzip body's counted while it was inflated alongside)
    item.verified = true; // the server's final chunk arrived (DownloadJob)
    return item;
}

void Library::save()
{
    QJsonArray array;
    for (const LibraryItem &item : std::as_const(m_items))
        array.append(toJson(item));
    m_settings->setValue(itemsKey, QJsonDocument(array).toJson(QJsonDocument::Compact));
    emit changed();
}

} // namespace openaps::desktop
