#include "api/researcherstore.h"

#include "db/sqlhelpers.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace openaps::api {

namespace {

const QString selectAccount = QStringLiteral(
        "SELECT id, email, name, institution, purpose, status, scope, is_admin, password_hash, "
        "created_ms, phone, irb_approval, irb_details, sponsor_organisation, requested_scope, terms_version, "
        "terms_accepted_ms, rejection_reason, legacy_login_count, legacy_last_login_ms, legacy_downloads, "
        "legacy_download_mb FROM researchers ");

template <typename T> std::optional<T> optionalValue(const QVariant &value)
{
    return value.isNull() ? std::nullopt : std::optional<T>(value.value<T>());
}

Account accountFrom(const QSqlQuery &q)
{
    Account a;
    a.id = q.value(0).toLongLong();
    a.email = q.value(1).toString();
    a.name = q.value(2).toString();
    a.institution = q.value(3).toString();
    a.purpose = q.value(4).toString();
    a.status = q.value(5).toString();
    a.scope = q.value(6).toString();
    a.isAdmin = q.value(7).toBool();
    a.passwordHash = q.value(8).toString();
    a.createdMs = q.value(9).toLongLong();
    a.application = {
        q.value(10).toString(), q.value(11).toString(), q.value(12).toString(),   q.value(13).toString(),
        q.value(14).toString(), q.value(15).toString(), q.value(16).toLongLong(), q.value(17).toString()
    };
    a.legacyUsage = { optionalValue<int>(q.value(18)), optionalValue<qint64>(q.value(19)),
                      optionalValue<int>(q.value(20)), optionalValue<double>(q.value(21)) };
    return a;
}

// An empty (null) QString binds as SQL NULL; the text columns are NOT NULL.
QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QString purposeName(CodePurpose purpose)
{
    return purpose == CodePurpose::Verify ? QStringLiteral("verify") : QStringLiteral("reset");
}

Status revokeAll(const QSqlDatabase &db, qint64 researcherId, qint64 nowMs)
{
    auto q = sql::exec(db,
                       QStringLiteral("UPDATE api_tokens SET revoked_ms = ? WHERE researcher_id = ? "
                                      "AND revoked_ms IS NULL"),
                       { nowMs, researcherId }, "revoking API tokens");
    return q ? Status() : Status(q.error());
}

} // namespace

bool status::isKnown(const QString &name)
{
    return name == unverified || name == pending || name == approved || name == rejected || name == deactivated;
}

Researcher Account::researcher() const
{
    Researcher r;
    r.id = id;
    r.email = email;
    r.name = name;
    r.institution = institution;
    r.scope = parseScope(scope).ok() ? *parseScope(scope) : AccessScope::OpenAps;
    r.isAdmin = isAdmin;
    return r;
}

ResearcherStore::ResearcherStore(db::Database database) : m_database(std::move(database)) { }

QString ResearcherStore::normalizeEmail(const QString &email)
{
    return email.trimmed().toLower();
}

Result<qint64> ResearcherStore::create(const Account &account, qint64 nowMs)
{
    const QString email = normalizeEmail(account.email);
    auto existing = findByEmail(email);
    if (!existing)
        return existing.error();
    const auto taken = [] {
        return makeError("already-applied",
                         QStringLiteral("An account with this email address already exists. Please sign "
                                        "in, or reset your password if you have forgotten it."));
    };
    if (*existing)
        return taken();
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const auto orNull = [](const QString &text) {
        return text.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(text);
    };
    const ApplicationDetails &d = account.application;
    auto q = sql::exec(
            *db,
            QStringLiteral("INSERT INTO researchers (email, name, institution, purpose, password_hash, "
                           "status, scope, is_admin, created_ms, updated_ms, phone, irb_approval, "
                           "irb_details, sponsor_organisation, requested_scope, terms_version, "
                           "terms_accepted_ms) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            { email, notNull(account.name), notNull(account.institution), notNull(account.purpose),
              account.passwordHash, account.status, orNull(account.scope), account.isAdmin, nowMs, nowMs,
              notNull(d.phone), notNull(d.irbApproval), notNull(d.irbDetails), notNull(d.sponsorOrganisation),
              orNull(d.requestedScope), orNull(d.termsVersion),
              d.termsAcceptedMs > 0 ? QVariant(d.termsAcceptedMs) : QVariant(QMetaType(QMetaType::LongLong)) },
            "creating a researcher account");
    if (!q) {
        // Two applications for one address at the same moment: the unique index decides.
        auto again = findByEmail(email);
        if (again && *again)
            return taken();
        return q.error();
    }
    if (!q->next())
        return makeError("database", QStringLiteral("Creating a researcher account returned no id."));
    return q->value(0).toLongLong();
}

Status ResearcherStore::remove(qint64 id)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    auto q = sql::exec(*db, QStringLiteral("DELETE FROM researchers WHERE id = ?"), { id }, "removing an account");
    return q ? Status() : Status(q.error());
}

Result<std::optional<Account>> ResearcherStore::findOne(const QString &where, const QVariant &value) const
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    auto q = sql::exec(*db, selectAccount + where, { value }, "reading a researcher account");
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<Account>();
    return std::optional<Account>(accountFrom(*q));
}

Result<std::optional<Account>> ResearcherStore::findByEmail(const QString &email) const
{
    return findOne(QStringLiteral("WHERE lower(email) = ?"), normalizeEmail(email));
}

Result<std::optional<Account>> ResearcherStore::findById(qint64 id) const
{
    return findOne(QStringLiteral("WHERE id = ?"), id);
}

Result<QList<Account>> ResearcherStore::list(const QString &statusFilter) const
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    auto q = statusFilter.isEmpty()
            ? sql::exec(*db, selectAccount + QStringLiteral("ORDER BY created_ms DESC, id DESC"), {},
                        "listing researchers")
            : sql::exec(*db, selectAccount + QStringLiteral("WHERE status = ? ORDER BY created_ms DESC, id DESC"),
                        { statusFilter }, "listing researchers");
    if (!q)
        return q.error();
    QList<Account> accounts;
    while (q->next())
        accounts.append(accountFrom(*q));
    return accounts;
}

Result<bool> ResearcherStore::markVerified(qint64 id, qint64 nowMs)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    auto q = sql::exec(*db,
                       QStringLiteral("UPDATE researchers SET status = ?, verified_ms = ?, updated_ms = ? "
                                      "WHERE id = ? AND status = ?"),
                       { status::pending, nowMs, nowMs, id, status::unverified }, "confirming an email address");
    if (!q)
        return q.error();
    return q->numRowsAffected() > 0;
}

Status ResearcherStore::approve(qint64 id, AccessScope scope, bool isAdmin, std::optional<qint64> approvedBy,
                                qint64 nowMs)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const QVariant by = approvedBy ? QVariant(*approvedBy) : QVariant(QMetaType(QMetaType::LongLong));
    auto q = sql::exec(*db,
                       QStringLiteral("UPDATE researchers SET status = ?, scope = ?, is_admin = ?, approved_ms = ?, "
                                      "approved_by = ?, updated_ms = ? WHERE id = ?"),
                       { status::approved, scopeName(scope), isAdmin, nowMs, by, nowMs, id }, "approving a researcher");
    return q ? Status() : Status(q.error());
}

Status ResearcherStore::setStatus(qint64 id, const QString &newStatus, qint64 nowMs)
{
    return sql::inTransaction(m_database, [&](const QSqlDatabase &db) -> Status {
        auto q = sql::exec(db, QStringLiteral("UPDATE researchers SET status = ?, updated_ms = ? WHERE id = ?"),
                           { newStatus, nowMs, id }, "changing a researcher's status");
        if (!q)
            return q.error();
        return newStatus == status::approved ? Status() : revokeAll(db, id, nowMs);
    });
}

Status ResearcherStore::reject(qint64 id, const QString &reason, qint64 nowMs)
{
    auto q = sql::exec(m_database,
                       QStringLiteral("UPDATE researchers SET status = ?, rejection_reason = ?, updated_ms = ? "
                                      "WHERE id = ?"),
                       { status::rejected, reason, nowMs, id }, "rejecting an application");
    return q ? Status() : Status(q.error());
}

Status ResearcherStore::setPassword(qint64 id, const QString &passwordHash, qint64 nowMs)
{
    return sql::inTransaction(m_database, [&](const QSqlDatabase &db) -> Status {
        auto q = sql::exec(db, QStringLiteral("UPDATE researchers SET password_hash = ?, updated_ms = ? WHERE id = ?"),
                           { passwordHash, nowMs, id }, "changing a password");
        if (!q)
            return q.error();
        auto codes = sql::exec(db,
                               QStringLiteral("DELETE FROM researcher_codes WHERE researcher_id = ? AND purpose = ?"),
                               { id, purposeName(CodePurpose::Reset) }, "removing a reset code");
        if (!codes)
            return codes.error();
        return revokeAll(db, id, nowMs);
    });
}

Status ResearcherStore::upgradePasswordHash(qint64 id, const QString &oldHash, const QString &newHash, qint64 nowMs)
{
    auto q = sql::exec(m_database,
                       QStringLiteral("UPDATE researchers SET password_hash = ?, updated_ms = ? "
                                      "WHERE id = ? AND password_hash = ?"),
                       { newHash, nowMs, id, oldHash }, "upgrading a password hash");
    if (!q)
        return q.error();
    return {};
}

Status ResearcherStore::storeCode(qint64 id, CodePurpose purpose, const QString &codeHash, int attempts, qint64 nowMs,
                                  qint64 expiresMs)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    // Added beside any live code: anyone who knows the address can ask for a
    // code, and that must not cancel the one the researcher holds.
    auto q = sql::exec(*db,
                       QStringLiteral("INSERT INTO researcher_codes (researcher_id, purpose, code_hash, attempts_left, "
                                      "created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?)"),
                       { id, purposeName(purpose), codeHash, attempts, nowMs, expiresMs }, "storing an email code");
    return q ? Status() : Status(q.error());
}

Result<CodeCheck> ResearcherStore::checkCode(qint64 id, CodePurpose purpose, const QString &codeHash, qint64 nowMs)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const QString name = purposeName(purpose);
    // One statement takes the attempt, so concurrent guesses cannot share one.
    auto q = sql::exec(
            *db,
            QStringLiteral("UPDATE researcher_codes SET attempts_left = attempts_left - 1 "
                           "WHERE researcher_id = ? AND purpose = ? AND attempts_left > 0 AND expires_ms > ? "
                           "RETURNING code_hash, attempts_left"),
            { id, name, nowMs }, "checking an email code");
    if (!q)
        return q.error();
    CodeCheck check;
    bool any = false;
    bool matches = false;
    while (q->next()) {
        any = true;
        matches = matches || q->value(0).toString() == codeHash;
        check.attemptsLeft = qMax(check.attemptsLeft, q->value(1).toInt());
    }
    q->finish();
    if (!any)
        return check;
    if (!matches) {
        check.outcome = CodeCheck::Wrong;
        return check;
    }
    auto used = sql::exec(*db, QStringLiteral("DELETE FROM researcher_codes WHERE researcher_id = ? AND purpose = ?"),
                          { id, name }, "using up an email code");
    if (!used)
        return used.error();
    check.outcome = CodeCheck::Accepted;
    return check;
}

Status ResearcherStore::addToken(const QString &tokenHash, qint64 researcherId, qint64 nowMs, qint64 expiresMs)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    auto q = sql::exec(*db,
                       QStringLiteral("INSERT INTO api_tokens (token_hash, researcher_id, created_ms, expires_ms) "
                                      "VALUES (?, ?, ?, ?)"),
                       { tokenHash, researcherId, nowMs, expiresMs }, "storing an API token");
    return q ? Status() : Status(q.error());
}

Status ResearcherStore::revokeToken(const QString &tokenHash, qint64 nowMs)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    auto q = sql::exec(
            *db, QStringLiteral("UPDATE api_tokens SET revoked_ms = ? WHERE token_hash = ? AND revoked_ms IS NULL"),
            { nowMs, tokenHash }, "revoking an API token");
    return q ? Status() : Status(q.error());
}

Status ResearcherStore::revokeAllTokens(qint64 researcherId, qint64 nowMs)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    return revokeAll(*db, researcherId, nowMs);
}

Status ResearcherStore::purgeExpired(qint64 nowMs)
{
    const qint64 dayMs = 24 * 3600 * 1000;
    return sql::inTransaction(m_database, [&](const QSqlDatabase &db) -> Status {
        auto tokens = sql::exec(db, QStringLiteral("DELETE FROM api_tokens WHERE expires_ms < ? OR revoked_ms < ?"),
                                { nowMs - dayMs, nowMs - dayMs }, "removing expired tokens");
        if (!tokens)
            return tokens.error();
        auto codes = sql::exec(db, QStringLiteral("DELETE FROM researcher_codes WHERE expires_ms < ?"),
                               { nowMs - dayMs }, "removing expired codes");
        return codes ? Status() : Status(codes.error());
    });
}

} // namespace openaps::api
