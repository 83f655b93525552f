#include "site/consenthistory.h"

#include "db/sqlhelpers.h"
#include "site/participantstore.h"

namespace openaps::site {

Status recordConsentChange(const db::Database &database, qint64 participantId, const ConsentChange &change)
{
    auto q = sql::exec(database,
                       QStringLiteral("INSERT INTO consent_history (participant_id, changed_at, consent, "
                                      "text_version, event) VALUES (?, ?, ?, ?, ?)"),
                       { participantId, change.at.toUTC(), change.consent, change.textVersion, change.event },
                       "recording a consent change");
    if (!q)
        return q.error();
    return {};
}

Result<QList<ConsentChange>> consentHistory(const db::Database &database, qint64 participantId)
{
    auto q = sql::exec(database,
                       QStringLiteral("SELECT changed_at, consent, text_version, event FROM consent_history "
                                      "WHERE participant_id = ? ORDER BY changed_at DESC, id DESC"),
                       { participantId }, "reading the consent history");
    if (!q)
        return q.error();
    QList<ConsentChange> changes;
    while (q->next())
        changes.append({ dateTimeFromDb(q->value(0)), q->value(1).toString(), q->value(2).toString(),
                         q->value(3).toString() });
    return changes;
}

} // namespace openaps::site
