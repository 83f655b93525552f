#include "ingest/segment.h"

#include "ingest/recordprep.h"
#include "records/ndjsonreader.h"

#include <QBuffer>
#include <QJsonDocument>

namespace openaps::ingest {

bool SegmentBatch::add(const QByteArray &id, const QByteArray &line)
{
    if (m_ids.contains(id))
        return false;
    m_ids.insert(id);
    m_writer.write(line + '\n');
    return true;
}

QByteArray lineId(const QByteArray &line)
{
    // Fast path for the lines the ingest writes itself: compact JSON with
    // sorted keys starts with a plain string `_id`.
    static const QByteArray prefix = QByteArrayLiteral("{\"_id\":\"");
    if (line.startsWith(prefix)) {
        const qsizetype end = line.indexOf('"', prefix.size());
        if (end > prefix.size()) {
            QByteArray id = line.mid(prefix.size(), end - prefix.size());
            if (!id.contains('\\'))
                return id;
        }
    }
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (!doc.isObject())
        return {};
    return recordId(doc.object());
}

namespace {

// Calls `take` for each record of a plain or gzip NDJSON body; returns the
// reader's complaint about the body, if any.
template <typename Take> QString forEachLine(const QByteArray &body, Take take)
{
    QBuffer buffer;
    buffer.setData(body);
    buffer.open(QIODevice::ReadOnly);
    records::NdjsonReader reader(&buffer);
    while (auto record = reader.next())
        take(*record);
    return reader.error();
}

} // namespace

MergedSegment mergeSegment(const QList<QByteArray> &existingFiles, const QSet<QByteArray> &newIds,
                           const QByteArray &newGzip)
{
    MergedSegment merged;
    GzipWriter out;
    QSet<QByteArray> written;
    QSet<QByteArray> keptUnreadable;
    int fileNumber = 0;
    for (const QByteArray &file : existingFiles) {
        ++fileNumber;
        const QString problem = forEachLine(file, [&](const records::RawRecord &record) {
            const QByteArray id = record.problem.isEmpty() ? lineId(record.bytes) : QByteArray();
            if (id.isEmpty()) {
                // Not ours to judge: keep it, once.
                if (keptUnreadable.contains(record.bytes))
                    return;
                keptUnreadable.insert(record.bytes);
                merged.problems.append(QStringLiteral("file %1 line %2: not a JSON record, kept as it was")
                                               .arg(fileNumber)
                                               .arg(record.line));
            } else if (newIds.contains(id)) {
                ++merged.replaced;
                return;
            } else if (written.contains(id)) {
                ++merged.duplicates;
                return;
            } else {
                written.insert(id);
            }
            out.write(record.bytes + '\n');
            ++merged.kept;
        });
        if (!problem.isEmpty())
            merged.problems.append(QStringLiteral("file %1: %2").arg(fileNumber).arg(problem));
    }
    if (!newGzip.isEmpty()) {
        forEachLine(newGzip, [&](const records::RawRecord &record) { out.write(record.bytes + '\n'); });
    }
    merged.records = merged.kept + newIds.size();
    merged.gzip = out.finish();
    return merged;
}

} // namespace openaps::ingest
