#pragma once

#include "core/result.h"
#include "db/database.h"
#include "openhumans/types.h"
#include "privacy/tokenseal.h"
#include "site/statementcache.h"

#include <QDateTime>
#include <QList>

#include <memory>
#include <optional>

namespace openaps::site {

// What the site knows about a participant (never the Nightscout URL itself).
struct ParticipantView
{
    qint64 id = 0;
    QString memberId;
    QString nightscoutUrl; // as last saved through the site, without credentials
    QString consent; // openaps|nsf|both|none, empty when never saved here
    QDateTime savedAt;
    int urlFileCount = 0; // URL files in Open Humans at the last login
    bool deauthorized = false;
    bool credentialSaved = false; // the URL file in Open Humans carries a token or API secret
    bool rejoinPending = false; // erased before, logged in again, not yet confirmed
    bool siteSharedWithOthers = false; // another active member registered the same site
};

// The ingest job's record of transfers (participant_status tables).
struct TransferStatus
{
    struct TypeCount
    {
        QString dataType;
        qint64 records = 0;
        QDateTime lastMovedAt;
    };
    QDateTime lastAttemptAt;
    QDateTime lastSuccessAt;
    QString lastErrorCode;
    QString lastErrorMessage;
    QDateTime lastErrorAt;
    QList<TypeCount> types;
};

// The participants table as the site uses it. Open Humans tokens are stored
// sealed with privacy::TokenSeal (bound to the member and the column).
class ParticipantStore
{
public:
    ParticipantStore(db::Database database, const QByteArray &secretKey);

    struct Login
    {
        QString memberId;
        oh::TokenPair tokens;
        int urlFileCount = 0;
        std::optional<QString> nightscoutUrl; // nullopt: unknown, keep what is stored
        std::optional<QString> consent; // likewise
        std::optional<bool> credentialSaved {}; // likewise
        // The member was erased before: store the login but keep transfers
        // stopped (deauthorized) until they confirm on the site.
        bool rejoinPending = false;
    };
    // Creates or updates the participant after an Open Humans login: stores
    // the new token pair, what the account holds, and clears any earlier
    // deauthorisation.
    Result<qint64> recordLogin(const Login &login);
    Result<std::optional<ParticipantView>> find(qint64 participantId) const;
    // What the logged-in page shows: the participant and their transfers,
    // in one query (it runs on every view of the page).
    struct Overview
    {
        ParticipantView participant;
        TransferStatus transfers;
    };
    Result<std::optional<Overview>> overview(qint64 participantId) const;
    // The decrypted token pair, or nullopt when none is stored.
    Result<std::optional<oh::TokenPair>> tokens(qint64 participantId) const;
    // Remembers what was written to Open Humans (the address without
    // credentials, and whether the URL file carries one).
    Status recordSaved(qint64 participantId, const QString &nightscoutUrl, const QString &consent,
                       bool credentialSaved);
    // Ends the hold of a member who rejoined after an erasure; false when
    // there was none.
    Result<bool> confirmRejoin(qint64 participantId);

private:
    db::Database m_database;
    privacy::TokenSeal m_seal;
    std::unique_ptr<StatementCache> m_statements;
};

// The form two members' addresses of one Nightscout site share: host[:port]
// and path in lower case, without scheme. Empty for an empty address.
QString nightscoutSiteKey(const QString &baseUrl);

// QDateTime from a timestamp column: TIMESTAMPTZ on PostgreSQL, ISO text on SQLite.
QDateTime dateTimeFromDb(const QVariant &value);

} // namespace openaps::site
