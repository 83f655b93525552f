#pragma once

#include "core/result.h"
#include "metrics/entriesanalysis.h"

#include <QHash>
#include <QStringList>

namespace openaps::metrics {

// What the local view shows besides CGM readings, from the treatments,
// device_status, device_status_metrics and profile downloads. Times are UTC;
// numbers that a record does not carry are NaN.
struct Treatment
{
    qint64 utcMs = 0;
    int offsetMinutes = 0;
    QString eventType;
    double insulin; // U
    double carbs; // g
};

// One loop cycle: insulin and carbs on board and what the loop decided.
struct LoopStatus
{
    qint64 utcMs = 0;
    int offsetMinutes = 0;
    double iob; // U
    double cob; // g
    double eventualBg; // mg/dL
    QString decision; // "temp basal 1.25 U/h for 30 min", "failed: …", or empty
};

struct ProfileRecord
{
    qint64 startUtcMs = 0;
    QString name;
    QString units;
    QString timezone;
};

struct ParticipantRecords
{
    // Each sorted by time.
    QList<Treatment> treatments;
    QList<LoopStatus> loop;
    QList<ProfileRecord> profiles;
};

// Several downloads of the same participants (entries + treatments +
// device status + profile, CSV or NDJSON, plain or gzip) read together.
struct LocalData
{
    EntriesAnalysis entries;
    QHash<QString, ParticipantRecords> records;
    QStringList participants; // everyone in any file, in first-seen order
    QStringList datasets; // what each file held, in the order given
    qint64 rows = 0; // rows of every file
    qint64 skipped = 0; // rows without a readable time (or glucose, for entries)

    const ParticipantAnalysis *entriesOf(const QString &participant) const;
    const ParticipantRecords *recordsOf(const QString &participant) const;
};

// The dataset a file holds, from its columns: "entries", "treatments",
// "device_status", "device_status_metrics", "profile", or empty.
QString datasetOf(const QStringList &columns);

// Heavy: call it off the GUI thread. `progress` gets the bytes of all files
// read so far. A file that is none of the datasets above is an error naming it.
Result<LocalData> loadLocalFiles(const QStringList &paths, const LoadProgress &progress = {});

} // namespace openaps::metrics
