#pragma once

#include "ingest/gzipwriter.h"

#include <QByteArray>
#include <QDate>
#include <QList>
#include <QSet>
#include <QStringList>

namespace openaps::ingest {

// New records bound for one segment file, kept compressed while a window of
// Nightscout data is read.
class SegmentBatch
{
public:
    explicit SegmentBatch(const QDate &month = {}) : m_month(month) { }

    QDate month() const { return m_month; }
    // Adds one record (compact JSON, no newline). False, and nothing added,
    // when a record with this id is in the batch already.
    bool add(const QByteArray &id, const QByteArray &line);
    qint64 count() const { return m_ids.size(); }
    const QSet<QByteArray> &ids() const { return m_ids; }
    qint64 jsonBytes() const { return m_writer.inputBytes(); }
    // The records as one gzip member of NDJSON; the batch keeps its ids.
    QByteArray takeGzip() { return m_writer.finish(); }

private:
    QDate m_month;
    GzipWriter m_writer;
    QSet<QByteArray> m_ids;
};

struct MergedSegment
{
    QByteArray gzip; // the new file
    qint64 records = 0; // lines in it
    qint64 kept = 0; // records taken over from the existing files
    qint64 replaced = 0; // existing records the batch replaced (same id)
    qint64 duplicates = 0; // existing records dropped as repeats of another file's
    QStringList problems; // unreadable parts of existing files (never their content)
};

// One segment from the files Open Humans holds under its name (normally one;
// more after an interrupted replacement) and the new records: each record id
// once, the new version winning, existing records first in their order.
// Lines of an existing file that are not JSON are kept as they are, so
// nothing a participant stored is dropped.
MergedSegment mergeSegment(const QList<QByteArray> &existingFiles, const QSet<QByteArray> &newIds,
                           const QByteArray &newGzip);

// The id of one NDJSON line as recordId() gives it, or empty when the line is not a JSON object.
QByteArray lineId(const QByteArray &line);

} // namespace openaps::ingest
