#pragma once

#include "core/result.h"
#include "metrics/cgmmetrics.h"

#include <QHash>
#include <QStringList>

#include <functional>

class QIODevice;

namespace openaps::metrics {

// The CGM readings of an entries export (CSV as the researcher API writes
// it: header row, RFC 4180 quoting, times ISO-8601 UTC), per participant.
struct EntriesData
{
    QStringList participants; // in file order (the API sorts by participant)
    QHash<QString, QList<Reading>> readings;
    qint64 rows = 0; // data rows in the file
    qint64 skipped = 0; // rows without a glucose value or a readable time (e.g. meter entries)
};

// Reads the whole file in bounded chunks; `progress` gets the bytes read so
// far after each chunk and returns false to stop (error "cancelled"). Runs
// on any thread: it touches nothing but `device`.
using LoadProgress = std::function<bool(qint64 bytesRead)>;
Result<EntriesData> loadEntriesCsv(QIODevice &device, const LoadProgress &progress = {});
// A file path, plain or gzip-compressed (as the API sends with gzip=1);
// progress counts bytes of the file on disk.
Result<EntriesData> loadEntriesCsvFile(const QString &path, const LoadProgress &progress = {});

// "2024-01-02T03:04:05Z", with optional fraction and offset; -1 if unreadable.
qint64 parseIsoUtcMs(QByteArrayView text);

} // namespace openaps::metrics
