#pragma once

#include "core/result.h"
#include "db/database.h"
#include "etl/fileloader.h"
#include "records/datatype.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

#include <optional>

namespace openaps::etl {

// An Open Humans file as the ETL judges it.
struct RemoteFile
{
    QString id;
    QString basename;
    std::optional<qint64> size; // Open Humans does not always report it
    QDateTime created;
};

// What etl_files remembers of a file.
struct LoadedFile
{
    QString basename;
    std::optional<qint64> size;
    QDateTime created;
    bool loaded = false; // false: the last attempt failed
    int attempts = 0;
};

// The ETL's bookkeeping per participant (migration 0031): which Open Humans
// files were loaded with what result, and the consent the rows carry.
class EtlState
{
public:
    explicit EtlState(db::Database database) : m_database(std::move(database)) { }

    Result<QHash<QString, LoadedFile>> files(qint64 participantId) const;
    // New (unknown id), failed before, or changed (name, size or creation time).
    static bool needsLoad(const RemoteFile &file, const LoadedFile *known);

    // `report` for a finished load (status loaded, or failed when reading
    // stopped early), `error` for a failed one.
    Status recordFile(qint64 participantId, const RemoteFile &file, records::DataType type, const FileReport *report,
                      const QString &error);

    // Forgets files Open Humans no longer lists (replaced segments, deleted
    // uploads), so the table mirrors the account.
    Status forgetFilesExcept(qint64 participantId, const QSet<QString> &listedIds);

    // The consent the participant's rows were last stamped with, if any.
    Result<std::optional<QString>> consent(qint64 participantId) const;
    Status recordCycle(qint64 participantId, const QString &consent, const QString &error);

    // participants.member_id; privacy::erasedCode when the participant is gone.
    Result<QString> memberId(qint64 participantId) const;

private:
    db::Database m_database;
};

} // namespace openaps::etl
