#pragma once

#include <QDateTime>
#include <QObject>
#include <QStringList>

class QSettings;

namespace openaps::researcher {
class DownloadJob;
}

namespace openaps::desktop {

// One local copy: a download (Download tab) or a checked release zip.
struct LibraryItem
{
    QString path;
    QString kind; // "download" | "release"
    QStringList datasets;
    QString filters; // as the researcher chose them, in words
    QDateTime snapshotAt; // the data's moment: the release's snapshot, the download's end
    qint64 rows = -1; // -1: not known (a gzip download)
    bool verified = false; // a release checked against its manifest, a download complete
    QString note; // what happened to it since (rows of withdrawn participants removed)

    // Opens in the local view: holds at least one data set it shows.
    bool isViewable() const;
};

// Everything downloaded, remembered in the settings (paths and what they
// hold, never data): the Releases tab lists it, opens entries in the local
// view and, when a release names withdrawn participants, finds their rows in
// these files.
class Library final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Library)

public:
    explicit Library(QSettings *settings, QObject *parent = nullptr);

    // The items whose files still exist, newest first.
    QList<LibraryItem> items() const;
    const LibraryItem *find(const QString &path) const;
    // Adds or replaces the item of the same path.
    void add(const LibraryItem &item);
    void remove(const QString &path);
    // Pseudonyms that releases named withdrawn (kept until their rows are gone).
    QStringList withdrawn() const;
    void setWithdrawn(const QStringList &pseudonyms);
    // What a finished download adds.
    static LibraryItem itemOf(const researcher::DownloadJob &job);

signals:
    void changed();

private:
    void save();

    QSettings *m_settings;
    QList<LibraryItem> m_items; // oldest first
};

} // namespace openaps::desktop
