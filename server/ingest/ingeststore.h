#pragma once

#include "core/result.h"
#include "db/database.h"
#include "records/datatype.h"

#include <QDateTime>
#include <QHash>

#include <chrono>
#include <optional>

namespace openaps::ingest {

// How far one data type of one participant has been stored in Open Humans.
struct TypeCursor
{
    bool exists = false; // false: never ingested (or started over)
    qint64 cursorMs = 0; // every record up to here is stored
    QByteArray recent; // RecentDigest, encoded
    qint64 recordsStored = 0; // written to segment files so far
};

// What one participant run did, for the status panel and the backoff.
struct RunRecord
{
    enum class Outcome { Ok, Skipped, Failed };
    Outcome outcome = Outcome::Ok;
    QString errorCode; // ingest error class (errors.h) when skipped or failed
    QString errorMessage; // plain words, never a URL or token
    QHash<records::DataType, qint64> moved; // records written per type
    QDateTime at;
    QString holder; // server instance
};

// The delay before a participant that failed `failures` times in a row is
// tried again: 15 min, doubling, at most a day.
std::chrono::seconds backoffDelay(int failures);

// The ingest's tables (0020) and what it writes to the participants and
// participant_status tables (tokens are jobs::OhSession's). Calls are short synchronous statements on the
// calling thread's connection; no transaction stays open across network work.
class IngestStore
{
public:
    explicit IngestStore(db::Database database);

    const db::Database &database() const { return m_database; }

    struct Participant
    {
        qint64 id = 0;
        QString memberId;
        bool deauthorized = false;
    };
    Result<std::optional<Participant>> participant(qint64 participantId) const;

    // Open Humans access is gone for good: no more runs until the participant logs in again.
    Status markDeauthorized(qint64 participantId, const QDateTime &at);

    Result<QHash<records::DataType, TypeCursor>> cursors(qint64 participantId) const;
    Status saveCursor(qint64 participantId, records::DataType type, const TypeCursor &cursor, const QDateTime &at);

    // participant_status, participant_type_status and the backoff, in one transaction.
    Status recordRun(qint64 participantId, const RunRecord &run);

    // When the participant may run next (backoff), or nullopt when any time.
    Result<std::optional<QDateTime>> notBefore(qint64 participantId) const;

private:
    db::Database m_database;
};

} // namespace openaps::ingest
