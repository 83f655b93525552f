#pragma once

#include "core/result.h"
#include "db/database.h"
#include "privacy/participantkeys.h"

#include <QJsonObject>
#include <QMap>
#include <QStringList>

namespace openaps::site {

// How a table points at a participant.
enum class ParticipantKey {
    None,
    ParticipantId, // participants.id
    UserId, // research and analytics tables (user_id): the member's pseudonym
    MemberId, // the Open Humans project member id as text (member_id)
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
    bool found = false; // the member had an account here
    int tables = 0; // tables that held rows of the participant
    qint64 rows = 0;
    QMap<QString, qint64> rowsByTable; // the rows removed, per table that held any
};

// THE erasure, for the deauthorisation webhook and the participant's own
// "stop sharing and delete my data" alike. In one transaction: locks the
// participant's row (so a write in progress finishes first and one about to
// start finds the participant gone, see privacy/tombstones.h), writes the
// member's tombstone, and removes every row of the member from every table
// that names a participant (research rows by pseudonym, and by member id
// where a database not yet converted still holds it); then refreshes
// materialized views. Writes an audit record without personal data. Unknown
// members are not an error: they get a tombstone too, so nothing of theirs is
// loaded later (a bulk import, a survey).
Result<ErasureReport> eraseMember(const db::Database &database, const privacy::ParticipantKeys &keys,
                                  const QString &memberId);

// Without erasure: stop all transfers (mark deauthorised, drop the tokens
// that Open Humans has revoked anyway, end the member's sessions).
Result<bool> deauthorizeMember(const db::Database &database, const QString &memberId);

// Appends an audit record; `detail` must not contain personal data.
Status writeAudit(const db::Database &database, const QString &event, const QJsonObject &detail);

} // namespace openaps::site
