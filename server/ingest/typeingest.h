#pragma once

#include "core/result.h"
#include "core/step.h"
#include "ingest/hostgate.h"
#include "ingest/ingeststore.h"
#include "ingest/recentdigest.h"
#include "ingest/recordprep.h"
#include "ingest/segmentupload.h"
#include "ingest/windowreader.h"
#include "records/datatype.h"

#include <QPointer>

#include <optional>

namespace openaps::ingest {

// What one type's part of a run did.
struct TypeStats
{
    qint64 read = 0; // records Nightscout sent (overlap re-reads included)
    qint64 added = 0; // new or changed records written to Open Humans
    qint64 nsJsonBytes = 0;
    qint64 ohBytesUp = 0;
    qint64 ohBytesDown = 0;
    int segmentsWritten = 0;
    int windows = 0;
};

// Brings one data type of one participant up to date: from the cursor (minus
// the overlap window, never below a legacy file's bound) to `upTo`, in
// windows of one calendar month, oldest first. Each window is read, its new
// records are merged into their monthly segments, and only when Open Humans
// confirmed every segment does the cursor move to the window's end. A first
// pull of years of history therefore advances month by month, with memory
// bounded by one month's compressed records, and resumes where it stopped.
// Profiles are the exception: few, and edited in place, they are read whole
// every time (one window) and only changed ones are written.
class TypeIngest final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TypeIngest)

public:
    struct Inputs
    {
        ns::Client *nightscout = nullptr;
        HostGate *gate = nullptr;
        OhAccess *session = nullptr;
        MemberFiles *files = nullptr;
        IngestStore *store = nullptr;
        const RecordScrubber *scrubber = nullptr;
        qint64 participantId = 0;
        QString memberId;
        records::DataType type = records::DataType::Entries;
        qint64 upToMs = 0; // the run's "now"
        qint64 overlapMs = 48LL * 3600 * 1000;
        Clock clock;
    };

    TypeIngest(Inputs inputs, TypeCursor cursor, QObject *parent);

    void start();

    const std::optional<Error> &error() const { return m_error; } // errors.h classes
    const TypeStats &stats() const { return m_stats; }

private:
    void planStart();
    void foldDuplicates();
    void startWindows(qint64 afterMs, qint64 firstEndMs);
    void nextWindow();
    void onWindowRead();
    void uploadNextBatch();
    void checkpoint();
    void fail(const Error &error);
    void finish();
    oh::FileMetadata metadataFor(const QDate &month) const;

    Inputs m_in;
    TypeCursor m_cursor;
    RecentDigest m_digest;
    qint64 m_floorMs = 0; // legacy whole-history bound: never read at or below it
    std::optional<QDate> m_latestSegment; // newest segment month in Open Humans
    QList<QString> m_duplicateNames;
    qint64 m_windowAfter = 0;
    qint64 m_windowEnd = 0;
    qint64 m_nextEnd = 0; // end of the first window when a search fixed it
    QPointer<WindowReader> m_reader;
    QList<QDate> m_pendingMonths;
    TypeStats m_stats;
    std::optional<Error> m_error;
};

} // namespace openaps::ingest
