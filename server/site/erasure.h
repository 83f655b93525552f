#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QJsonObject>
#include <QMap>
#include <QStringList>

namespace openaps::site {

// How a table points at a participant.
enum class ParticipantKey {
    None,
    ParticipantId, // participants.id
    MemberId, // the Open Humans project member id (user_id, member_id, project_member_id)
};

// A table (or PostgreSQL materialized view) and the column naming the participant.
struct ParticipantTable
{
    QString table;
    QString column; // empty for tables without participant data
    ParticipantKey key = ParticipantKey::None;
    bool materializedView = false;
};

// Every table and materialized view in the schema, classified by the column
// that names a participant. The list comes from the live schema, so a table
// added by a later migration is found without anyone updating this code.
Result<QList<ParticipantTable>> participantTables(const db::Database &database);

// Tables known to hold no participant data (with the reason in erasure.cpp).
const QStringList &tablesWithoutParticipantData();

// Tables that hold neither a participant column nor appear in the list above:
// erasure could not reach them, so they are a bug (the erasure test fails).
Result<QStringList> unclassifiedTables(const db::Database &database);

struct ErasureReport
{
    bool found = false; // the member was known at all
    int tables = 0; // tables that held rows of the participant
    qint64 rows = 0;
};

// Removes every row of the member from every table that names a participant,
// in one transaction, then refreshes materialized views. Writes an audit
// record without personal data. Unknown members are not an error.
Result<ErasureReport> eraseMember(const db::Database &database, const QString &memberId);

// Without erasure: stop all transfers (mark deauthorised, drop the tokens
// that Open Humans has revoked anyway, end the member's sessions).
Result<bool> deauthorizeMember(const db::Database &database, const QString &memberId);

// Appends an audit record; `detail` must not contain personal data.
Status writeAudit(const db::Database &database, const QString &event, const QJsonObject &detail);

} // namespace openaps::site
