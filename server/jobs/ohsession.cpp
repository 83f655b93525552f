#include "jobs/ohsession.h"

#include "db/sqlhelpers.h"
#include "jobs/jobslog.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

namespace openaps::jobs {

namespace {

Error reauthorize()
{
    return makeError("reauthorize",
                     QStringLiteral("The participant's Open Humans authorisation has ended; "
                                    "they need to log in again."));
}

QDateTime fromDb(const QVariant &value)
{
    // TIMESTAMPTZ on PostgreSQL, ISO text on SQLite.
    QDateTime t = value.toDateTime();
    if (!t.isValid())
        t = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    return t.toUTC();
}

} // namespace

OhSession::OhSession(db::Database database, oh::Client client, const QByteArray &secretKey, const Clock &clock,
                     QObject *parent)
    : QObject(parent),
      m_database(database),
      m_client(std::move(client)),
      m_seal(secretKey),
      m_clock(clock),
      m_leases(std::move(database), QStringLiteral("oh-token"), LeaseStore::newHolderId(), std::chrono::seconds(120),
               clock)
{ }

Result<OhSession::Stored> OhSession::stored(qint64 participantId) const
{
    auto sealed = privacy::readSealedTokens(m_database, participantId);
    if (!sealed)
        return sealed.error();
    if (!*sealed || (*sealed)->access.isNull() || (*sealed)->refresh.isNull())
        return reauthorize();
    const QString member = (*sealed)->memberId;
    auto access = m_seal.open(member, privacy::TokenKind::Access, (*sealed)->access.toString());
    auto refresh = m_seal.open(member, privacy::TokenKind::Refresh, (*sealed)->refresh.toString());
    if (!access || !refresh)
        return makeError("token-unreadable",
                         QStringLiteral("The stored Open Humans tokens cannot be decrypted "
                                        "(was OPENAPS_SECRET_KEY changed, or were they copied from another row?)."));
    return Stored { *access, *refresh, fromDb((*sealed)->expiresAt), member };
}

Status OhSession::store(qint64 participantId, const oh::TokenPair &pair) const
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery member(*db);
    member.prepare(QStringLiteral("SELECT member_id FROM participants WHERE id = ?"));
    member.addBindValue(participantId);
    if (!member.exec())
        return db::sqlError("storing refreshed tokens", member.lastError());
    if (!member.next())
        return makeError("not-found", QStringLiteral("participant %1 is not stored").arg(participantId));
    const QString memberId = member.value(0).toString();
    member.finish();
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("UPDATE participants SET access_token_enc = ?, refresh_token_enc = ?, "
                             "token_expires_at = ?, updated_at = ? WHERE id = ?"));
    q.addBindValue(m_seal.seal(memberId, privacy::TokenKind::Access, pair.accessToken));
    q.addBindValue(m_seal.seal(memberId, privacy::TokenKind::Refresh, pair.refreshToken));
    q.addBindValue(pair.expiresAt.toUTC());
    q.addBindValue(m_clock().toUTC());
    q.addBindValue(participantId);
    if (!q.exec())
        return db::sqlError("storing refreshed tokens", q.lastError());
    return {};
}

void OhSession::releaseLease(qint64 participantId, bool ok)
{
    // Not "finished": the token lease has no cycle, only mutual exclusion.
    if (auto s = m_leases.release(participantId, ok, false); !s)
        qCWarning(lcJobs, "participant %lld: %s", participantId, qPrintable(s.error().message));
}

void OhSession::accessToken(qint64 participantId, QObject *context, Callback callback)
{
    withFallback(participantId, false, context, std::move(callback));
}

void OhSession::refreshNow(qint64 participantId, QObject *context, Callback callback)
{
    withFallback(participantId, true, context, std::move(callback));
}

void OhSession::withFallback(qint64 participantId, bool force, QObject *context, Callback callback)
{
    obtain(participantId, force, 0, context,
           [this, participantId, callback = std::move(callback)](Result<QString> token) {
               if (token)
                   return callback(Grant { *token, {} });
               if (m_master && token.error().code == QLatin1String("reauthorize"))
                   return callback(masterGrant(participantId));
               callback(token.error());
           });
}

Result<OhSession::Grant> OhSession::masterGrant(qint64 participantId) const
{
    // Only for members still in the project: a withdrawal (deauthorized_at) is final here.
    auto q = sql::exec(m_database,
                       QStringLiteral("SELECT member_id FROM participants WHERE id = ? AND deauthorized_at IS NULL"),
                       { participantId }, "reading the member id");
    if (!q)
        return q.error();
    const QString token = m_master->current();
    if (!q->next() || token.isEmpty())
        return reauthorize();
    return Grant { token, q->value(0).toString() };
}

void OhSession::obtain(qint64 participantId, bool force, int attempt, QObject *context, TokenCallback callback)
{
    auto current = stored(participantId);
    if (!current)
        return callback(current.error());
    const bool fresh = current->expiresAt.isValid() && current->expiresAt > m_clock().addSecs(m_margin.count());
    if (fresh && !force)
        return callback(current->accessToken);

    auto claimed = m_leases.claim(participantId);
    if (!claimed)
        return callback(claimed.error());
    if (!*claimed) {
        // Someone else is refreshing: wait for the pair they will store.
        if (attempt >= m_waitAttempts)
            return callback(makeError("busy", QStringLiteral("Another job kept refreshing the Open Humans token.")));
        const QString seen = current->refreshToken;
        QTimer::singleShot(m_waitStep, context, [this, participantId, force, attempt, context, callback, seen] {
            // A forced refresh is done once someone stored a new pair.
            const auto now = stored(participantId);
            const bool rotated = now && now->refreshToken != seen;
            obtain(participantId, force && !rotated, attempt + 1, context, callback);
        });
        return;
    }
    // Holding the lease: the pair may have been rotated just before.
    auto latest = stored(participantId);
    const bool rotated = latest && latest->refreshToken != current->refreshToken;
    const bool nowFresh = latest && latest->expiresAt.isValid()
            && latest->expiresAt > m_clock().addSecs(m_margin.count());
    if (!latest || (nowFresh && (!force || rotated))) {
        releaseLease(participantId, true);
        return callback(latest ? Result<QString>(latest->accessToken) : Result<QString>(latest.error()));
    }
    refresh(participantId, *latest, context, std::move(callback));
}

void OhSession::refresh(qint64 participantId, const Stored &current, QObject *context, TokenCallback callback)
{
    oh::TokenJob *job = m_client.refresh(current.refreshToken, this);
    const QString used = current.refreshToken;
    connect(job, &oh::Job::finished, context,
            [this, job, participantId, context, callback = std::move(callback), used] {
                const Result<oh::TokenPair> &result = job->result();
                if (!result) {
                    releaseLease(participantId, false);
                    qCWarning(lcJobs, "participant %lld: token refresh failed: %s", participantId,
                              qPrintable(result.error().code));
                    if (result.error().code != QLatin1String("invalid-grant"))
                        return callback(result.error());
                    // A process that does not take the lease (a login on the site)
                    // may have rotated the pair meanwhile: look once more.
                    QTimer::singleShot(m_waitStep, context, [this, participantId, callback, used] {
                        const auto now = stored(participantId);
                        if (now && now->refreshToken != used)
                            return callback(now->accessToken);
                        callback(reauthorize());
                    });
                    return;
                }
                // The old refresh token is dead now: store the new pair first.
                const Status saved = store(participantId, *result);
                releaseLease(participantId, saved.ok());
                if (!saved) {
                    qCCritical(lcJobs, "participant %lld: refreshed tokens could not be stored: %s", participantId,
                               qPrintable(saved.error().message));
                    return callback(saved.error());
                }
                qCInfo(lcJobs, "participant %lld: Open Humans token refreshed", participantId);
                callback(result->accessToken);
            });
    job->start();
}

} // namespace openaps::jobs
