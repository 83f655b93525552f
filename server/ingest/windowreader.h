#pragma once

#include "core/result.h"
#include "core/step.h"
#include "ingest/hostgate.h"
#include "ingest/recentdigest.h"
#include "ingest/recordprep.h"
#include "ingest/segment.h"
#include "records/datatype.h"

#include <QPointer>

#include <map>
#include <optional>

namespace openaps::ns {
class Client;
class RecordReader;
struct Page;
} // namespace openaps::ns

namespace openaps::ingest {

// What one window read brought.
struct WindowStats
{
    qint64 read = 0; // records Nightscout sent
    qint64 known = 0; // already stored unchanged (in the recent digest)
    qint64 added = 0; // new or changed, put into batches
    qint64 jsonBytes = 0; // size of the records as JSON
};

// Reads the records of one type with after < time <= upTo from Nightscout,
// page by page and one request at a time per host (HostGate), and sorts
// those not yet stored into one batch per monthly segment, scrubbed and
// stamped. Emits finished() once; a failed read leaves nothing half-done
// (the batches are only the caller's to upload after success).
class WindowReader final : public Step
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowReader)

public:
    struct Inputs
    {
        ns::Client *client = nullptr;
        HostGate *gate = nullptr;
        records::DataType type = records::DataType::Entries;
        const RecentDigest *digest = nullptr;
        const RecordScrubber *scrubber = nullptr;
    };

    WindowReader(Inputs inputs, qint64 afterMs, qint64 upToMs, QObject *parent);

    void start();

    // The read failed (error classes of errors.h), or nullopt.
    const std::optional<Error> &error() const { return m_error; }
    const WindowStats &stats() const { return m_stats; }
    std::map<QDate, SegmentBatch> &batches() { return m_batches; }
    // Content hash and time of every record put into a batch, for the digest.
    const QList<QPair<quint64, qint64>> &addedHashes() const { return m_addedHashes; }

private:
    void onPage(const ns::Page &page);
    void onReaderFinished();
    void take(const QJsonObject &record);
    void finish();

    Inputs m_in;
    qint64 m_afterMs;
    qint64 m_upToMs;
    QPointer<ns::RecordReader> m_reader;
    HostGate::Ticket m_ticket;
    std::map<QDate, SegmentBatch> m_batches;
    QList<QPair<quint64, qint64>> m_addedHashes;
    WindowStats m_stats;
    std::optional<Error> m_error;
};

} // namespace openaps::ingest
