#pragma once

#include "core/result.h"
#include "core/step.h"
#include "openhumans/client.h"

#include <QPointer>
#include <QSet>

#include <optional>

namespace openaps::jobs {
class OhAccess;
}

namespace openaps::ingest {

using jobs::OhAccess;

// The participant's Open Humans files as this run knows them: listed once at
// the start, then kept up to date with what the run uploads and deletes.
using MemberFiles = QList<oh::MemberFile>;

struct SegmentUploadStats
{
    qint64 bytesDown = 0; // existing versions downloaded
    qint64 bytesUp = 0; // the new version
    qint64 records = 0; // records in the new version
    qint64 replaced = 0; // existing records the new ones replaced (same id)
    int leftBehind = 0; // old versions that could not be deleted (merged next time)
};

// Writes one segment file: downloads the versions Open Humans holds under its
// name (one, or several after an interrupted replacement), merges the new
// records in (mergeSegment: each record id once), uploads the result, and only
// when Open Humans confirmed it deletes the versions it replaced, by file id
// (never by name, which would take the new one too). A failure before the
// confirmation changes nothing; one after it leaves an extra version that the
// next merge folds in. Either way no record is lost or kept twice.
class SegmentUpload final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SegmentUpload)

public:
    struct Inputs
    {
        OhAccess *session = nullptr; // gives the Open Humans client and token
        MemberFiles *files = nullptr;
        QString basename;
        oh::FileMetadata metadata;
    };

    // `newGzip` holds the records whose ids are `newIds` (may be empty: then
    // the existing versions are only folded into one).
    SegmentUpload(Inputs inputs, QSet<QByteArray> newIds, QByteArray newGzip, QObject *parent);

    void start();

    const std::optional<Error> &error() const { return m_error; } // errors.h classes
    const SegmentUploadStats &stats() const { return m_stats; }

private:
    void downloadNext();
    void upload(QByteArray data, qint64 records);
    void deleteNext();
    void fail(const Error &openHumansError);
    void finish();

    Inputs m_in;
    QSet<QByteArray> m_newIds;
    QByteArray m_newGzip;
    QList<oh::MemberFile> m_old; // versions to replace
    QList<oh::MemberFile> m_toDownload;
    QList<QByteArray> m_oldBodies;
    QList<oh::MemberFile> m_toDelete;
    SegmentUploadStats m_stats;
    std::optional<Error> m_error;
};

} // namespace openaps::ingest
