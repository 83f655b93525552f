#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <functional>

namespace openaps::site {

// Who the download is for: the keys tables name a participant by.
struct ExportSubject
{
    qint64 participantId = 0;
    QString memberId;
    qint64 pseudonym = 0; // names the member in the research tables (privacy/participantkeys.h)
};

// "Download what we hold about me": every row of the participant in every
// table that names a participant (found in the live schema, the same tables
// erasure empties), as one JSON document in four parts: registration,
// consent_history, transfer_log (ingest and ETL bookkeeping) and
// research_database (research and derived tables). Left out, and said so in
// the file: login sessions (only keyed hashes) and the encrypted Open Humans
// tokens.
//
// Writes the document in pieces to `sink` on the calling thread, with that
// thread's connection, reading large tables in pages so memory stays flat;
// stops when `sink` returns false. Returns the number of rows written.
Result<qint64> writeMemberExport(const db::Database &database, const ExportSubject &subject,
                                 const std::function<bool(QByteArray)> &sink);

// The section a table's rows go to, and whether a column is left out.
QString exportSectionOf(const QString &table);
bool isExcludedFromExport(const QString &table, const QString &column);

} // namespace openaps::site
