#pragma once

#include "core/result.h"
#include "db/database.h"
#include "etl/bulkwriter.h"
#include "privacy/participantkeys.h"
#include "records/datatype.h"

#include <QMap>

#include <functional>
#include <optional>
#include <vector>

class QIODevice;

namespace openaps::etl {

class TimeZoneHistory;

struct BadLine
{
    qint64 line = 0;
    QString reason; // never the line's content
};

// What a file held on one LOCAL day (record time plus its offset): sensor
// readings (entries of type sgv) delivered, and bad lines, counted on the
// day of the good record before them (else the first one after).
struct DayTally
{
    qint64 readings = 0;
    qint64 badLines = 0;
};

// The outcome of loading one file.
struct FileReport
{
    qint64 records = 0; // non-empty records read (good and bad)
    WriteCounts rows; // what the database made of the good ones
    qint64 badLines = 0; // unreadable + unusable + refused records
    std::vector<BadLine> badLineSample; // the first few, for reports and logs
    QString readError; // reading stopped early (corrupt/truncated gzip); rows before it are loaded
    // The UTC span (ms) of the times in the records mapped, for the derived
    // datasets to recompute (etl/derivedtables.h); empty without any.
    std::optional<std::pair<qint64, qint64>> span;
    QMap<qint64, DayTally> days; // local days since 1970-01-01 (data_quality)

    // "line 3: not valid JSON (...); line 9: no usable time in the record"
    QString badLineSummary() const;
    FileReport &operator+=(const FileReport &other);
    void widen(qint64 fromMs, qint64 toMs);
};

// Whose rows these are and how they are stamped.
struct LoadTarget
{
    qint64 userId = 0; // the member's pseudonym (privacy/participantkeys.h)
    int sourceEntity = 0; // from consent: openaps 0, nsf 1, both 2
    QString label; // names the participant and file in logs ("participant 12 file x")
    // Checked in every batch's transaction: an erasure meanwhile stops the
    // load with privacy::erasedCode and leaves nothing of it behind.
    privacy::WriteGuard guard;
    // Profile names are scrubbed to keyed hashes with these (recordmapper.h).
    std::optional<privacy::ParticipantKeys> keys = std::nullopt;
};

// Loads one Nightscout export (NDJSON or a JSON array, plain or gzip) into
// the research tables: read record by record, map, bulk-write. Memory stays
// flat whatever the file size. A bad record is counted and reported (line
// and reason) and never stops the rest of the file. Synchronous; call it on
// a worker thread in servers (it uses that thread's database connection).
class FileLoader
{
public:
    using Progress = std::function<void(const FileReport &)>;

    explicit FileLoader(db::Database database) : m_database(std::move(database)) { }

    // Reports progress every `progressEvery` records.
    void setProgress(Progress progress, qint64 progressEvery = 50000)
    {
        m_progress = std::move(progress);
        m_progressEvery = progressEvery;
    }
    // For the benchmark and tests: smaller or larger commit batches.
    void setBatchBytes(qsizetype bytes) { m_batchBytes = bytes; }
    // Tests: runs inside every batch's transaction just before its COMMIT.
    void setBeforeCommit(std::function<void()> hook) { m_beforeCommit = std::move(hook); }

    Result<FileReport> load(QIODevice *device, records::DataType type, const LoadTarget &target);
    Result<FileReport> loadFile(const QString &path, records::DataType type, const LoadTarget &target);

    // The participant's profile time zones, from the profile table.
    static Result<TimeZoneHistory> timeZones(const db::Database &database, qint64 userId);

private:
    db::Database m_database;
    Progress m_progress;
    qint64 m_progressEvery = 50000;
    qsizetype m_batchBytes = 0;
    std::function<void()> m_beforeCommit;
};

} // namespace openaps::etl
