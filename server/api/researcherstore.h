#pragma once

#include "api/researcher.h"
#include "core/result.h"
#include "db/database.h"

#include <QList>
#include <QString>

#include <optional>

namespace openaps::api {

// Account statuses (README, "Researcher API (accounts)"): unverified → pending → approved |
// rejected; approved → deactivated. Only approved researchers sign in.
namespace status {
inline const QString unverified = QStringLiteral("unverified");
inline const QString pending = QStringLiteral("pending");
inline const QString approved = QStringLiteral("approved");
inline const QString rejected = QStringLiteral("rejected");
inline const QString deactivated = QStringLiteral("deactivated");
bool isKnown(const QString &name);
} // namespace status

// What the application form asks besides name, institution and purpose
// (the description of the research), as the old system's form did, and the
// terms of use accepted (issue 17).
struct ApplicationDetails
{
    QString phone;
    QString irbApproval; // yes | no | unsure: is it an IRB-approved study
    QString irbDetails; // board, protocol number, date (optional)
    QString sponsorOrganisation; // optional
    QString requestedScope; // openaps | nsf | all: the data commons asked for
    QString termsVersion; // of the terms of use accepted (api/termsofuse.h)
    qint64 termsAcceptedMs = 0;
    QString rejectionReason; // the administrator's, also emailed
};

// The old portal's usage counters of an account that migrate-legacy copied
// (migration 0081), shown to administrators beside this system's records.
struct LegacyUsage
{
    std::optional<int> logins;
    std::optional<qint64> lastLoginMs;
    std::optional<int> downloads;
    std::optional<double> downloadMb; // MiB, as the old portal summed them

    bool isEmpty() const { return !logins && !lastLoginMs && !downloads && !downloadMb; }
};

// What the researchers table holds about one researcher.
struct Account
{
    qint64 id = 0;
    QString email;
    QString name;
    QString institution;
    QString purpose;
    QString status;
    QString scope; // empty until approved
    bool isAdmin = false;
    QString passwordHash;
    qint64 createdMs = 0;
    ApplicationDetails application;
    LegacyUsage legacyUsage; // empty for accounts made here

    Researcher researcher() const;
};

// One-time email codes: confirming the address, resetting the password.
enum class CodePurpose { Verify, Reset };

struct CodeCheck
{
    enum Outcome { Accepted, Wrong, Missing } outcome = Missing; // Missing: none, expired or used up
    int attemptsLeft = 0; // after a wrong code
};

// The researcher accounts, their email codes and API tokens. Synchronous,
// on the calling thread's connection; emails are stored normalised.
class ResearcherStore
{
public:
    explicit ResearcherStore(db::Database database);

    // Trimmed and lower-cased: addresses compare case-insensitively.
    static QString normalizeEmail(const QString &email);

    // A new account; already-applied when the email is taken.
    Result<qint64> create(const Account &account, qint64 nowMs);
    Status remove(qint64 id);
    Result<std::optional<Account>> findByEmail(const QString &email) const;
    Result<std::optional<Account>> findById(qint64 id) const;
    // Newest first; every status when `status` is empty.
    Result<QList<Account>> list(const QString &status) const;

    // unverified → pending. False when the account was not unverified.
    Result<bool> markVerified(qint64 id, qint64 nowMs);
    Status approve(qint64 id, AccessScope scope, bool isAdmin, std::optional<qint64> approvedBy, qint64 nowMs);
    // reject / deactivate; deactivation also revokes every token.
    Status setStatus(qint64 id, const QString &newStatus, qint64 nowMs);
    Status reject(qint64 id, const QString &reason, qint64 nowMs);
    // New password hash; revokes every token and the reset code.
    Status setPassword(qint64 id, const QString &passwordHash, qint64 nowMs);
    // A migrated account's old (bcrypt) hash replaced by argon2id after a
    // login with it: tokens stay, and nothing changes if the hash changed meanwhile.
    Status upgradePasswordHash(qint64 id, const QString &oldHash, const QString &newHash, qint64 nowMs);

    // Adds a live code for `purpose` (earlier ones stay live until used or expired).
    Status storeCode(qint64 id, CodePurpose purpose, const QString &codeHash, int attempts, qint64 nowMs,
                     qint64 expiresMs);
    // Checks a code against every live code of `purpose`: an accepted code
    // uses them all up, a wrong one costs each an attempt.
    Result<CodeCheck> checkCode(qint64 id, CodePurpose purpose, const QString &codeHash, qint64 nowMs);

    Status addToken(const QString &tokenHash, qint64 researcherId, qint64 nowMs, qint64 expiresMs);
    Status revokeToken(const QString &tokenHash, qint64 nowMs);
    Status revokeAllTokens(qint64 researcherId, qint64 nowMs);
    // Drops tokens and codes that expired more than a day ago.
    Status purgeExpired(qint64 nowMs);

private:
    Result<std::optional<Account>> findOne(const QString &where, const QVariant &value) const;

    db::Database m_database;
};

} // namespace openaps::api
