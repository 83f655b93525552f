#include "site/participantstore.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

namespace openaps::site {

QDateTime dateTimeFromDb(const QVariant &value)
{
    if (value.isNull())
        return {};
    if (value.metaType() == QMetaType::fromType<QDateTime>())
        return value.toDateTime().toUTC();
    QDateTime parsed = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!parsed.isValid())
        parsed = QDateTime::fromString(value.toString(), Qt::ISODate);
    return parsed.toUTC();
}

QString nightscoutSiteKey(const QString &baseUrl)
{
    const QUrl url(baseUrl);
    if (baseUrl.isEmpty() || !url.isValid() || url.host().isEmpty())
        return {};
    QString key = url.host().toLower();
    const int defaultPort = url.scheme() == QLatin1String("http") ? 80 : 443;
    if (url.port(defaultPort) != defaultPort)
        key += QLatin1Char(':') + QString::number(url.port());
    QString path = url.path().toLower();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return key + path;
}

ParticipantStore::ParticipantStore(db::Database database, const QByteArray &secretKey)
    : m_database(std::move(database)),
      m_seal(secretKey),
      m_statements(std::make_unique<StatementCache>(m_database))
{ }

Result<qint64> ParticipantStore::recordLogin(const Login &login)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto textOrNull = [](const QString &v) {
        return v.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(v);
    };
    const QVariant held = login.rejoinPending ? QVariant(now) : QVariant(QMetaType::fromType<QDateTime>());
    QSqlQuery q(*db);
    q.prepare(QStringLiteral(
            "INSERT INTO participants (member_id, access_token_enc, refresh_token_enc, "
            "token_expires_at, oh_url_file_count, nightscout_url, nightscout_site, sharing_consent, "
            "nightscout_credential_saved, updated_at, deauthorized_at, rejoin_pending_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (member_id) DO UPDATE SET access_token_enc = excluded.access_token_enc, "
            "refresh_token_enc = excluded.refresh_token_enc, "
            "token_expires_at = excluded.token_expires_at, "
            "oh_url_file_count = excluded.oh_url_file_count, "
            "nightscout_url = CASE WHEN ? THEN excluded.nightscout_url ELSE participants.nightscout_url END, "
            "nightscout_site = CASE WHEN ? THEN excluded.nightscout_site ELSE participants.nightscout_site END, "
            "sharing_consent = CASE WHEN ? THEN excluded.sharing_consent ELSE participants.sharing_consent END, "
            "nightscout_credential_saved = CASE WHEN ? THEN excluded.nightscout_credential_saved "
            "ELSE participants.nightscout_credential_saved END, "
            "updated_at = excluded.updated_at, deauthorized_at = excluded.deauthorized_at, "
            "rejoin_pending_at = excluded.rejoin_pending_at RETURNING id"));
    const QString url = login.nightscoutUrl.value_or(QString());
    q.addBindValue(login.memberId);
    q.addBindValue(m_seal.seal(login.memberId, privacy::TokenKind::Access, login.tokens.accessToken));
    q.addBindValue(m_seal.seal(login.memberId, privacy::TokenKind::Refresh, login.tokens.refreshToken));
    q.addBindValue(login.tokens.expiresAt.toUTC());
    q.addBindValue(login.urlFileCount);
    q.addBindValue(textOrNull(url));
    q.addBindValue(textOrNull(nightscoutSiteKey(url)));
    q.addBindValue(textOrNull(login.consent.value_or(QString())));
    q.addBindValue(login.credentialSaved.value_or(false));
    q.addBindValue(now);
    q.addBindValue(held);
    q.addBindValue(held);
    q.addBindValue(login.nightscoutUrl.has_value());
    q.addBindValue(login.nightscoutUrl.has_value());
    q.addBindValue(login.consent.has_value());
    q.addBindValue(login.credentialSaved.has_value());
    if (!q.exec() || !q.next())
        return db::sqlError("recording a login", q.lastError());
    return q.value(0).toLongLong();
}

Result<std::optional<ParticipantView>> ParticipantStore::find(qint64 participantId) const
{
    auto found = overview(participantId);
    if (!found)
        return found.error();
    if (!*found)
        return std::optional<ParticipantView>();
    return std::optional<ParticipantView>((*found)->participant);
}

Result<std::optional<oh::TokenPair>> ParticipantStore::tokens(qint64 participantId) const
{
    auto sealed = privacy::readSealedTokens(m_database, participantId);
    if (!sealed)
        return sealed.error();
    if (!*sealed || (*sealed)->access.isNull())
        return std::optional<oh::TokenPair>();
    const QString member = (*sealed)->memberId;
    auto access = m_seal.open(member, privacy::TokenKind::Access, (*sealed)->access.toString());
    if (!access)
        return access.error();
    oh::TokenPair pair;
    pair.accessToken = *access;
    if (!(*sealed)->refresh.isNull()) {
        auto refresh = m_seal.open(member, privacy::TokenKind::Refresh, (*sealed)->refresh.toString());
        if (!refresh)
            return refresh.error();
        pair.refreshToken = *refresh;
    }
    pair.expiresAt = dateTimeFromDb((*sealed)->expiresAt);
    return std::optional<oh::TokenPair>(pair);
}

Status ParticipantStore::recordSaved(qint64 participantId, const QString &nightscoutUrl, const QString &consent,
                                     bool credentialSaved)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    // A save replaces every URL file, so afterwards there is at most one;
    // without an address (withdrawing) the URL file was left as it was.
    q.prepare(QStringLiteral("UPDATE participants SET nightscout_url = COALESCE(?, nightscout_url), "
                             "nightscout_site = COALESCE(?, nightscout_site), sharing_consent = ?, "
                             "site_saved_at = ?, updated_at = ?, "
                             "oh_url_file_count = CASE WHEN ? THEN 1 ELSE oh_url_file_count END, "
                             "nightscout_credential_saved = CASE WHEN ? THEN ? ELSE nightscout_credential_saved END "
                             "WHERE id = ?"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const bool wroteUrl = !nightscoutUrl.isEmpty();
    const QVariant nullText(QMetaType::fromType<QString>());
    q.addBindValue(wroteUrl ? QVariant(nightscoutUrl) : nullText);
    q.addBindValue(wroteUrl ? QVariant(nightscoutSiteKey(nightscoutUrl)) : nullText);
    q.addBindValue(consent);
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(wroteUrl);
    q.addBindValue(wroteUrl);
    q.addBindValue(credentialSaved);
    q.addBindValue(participantId);
    if (!q.exec())
        return db::sqlError("recording a saved registration", q.lastError());
    return {};
}

Result<bool> ParticipantStore::confirmRejoin(qint64 participantId)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    q.prepare(QStringLiteral("UPDATE participants SET rejoin_pending_at = NULL, deauthorized_at = NULL, "
                             "updated_at = ? WHERE id = ? AND rejoin_pending_at IS NOT NULL"));
    q.addBindValue(QDateTime::currentDateTimeUtc());
    q.addBindValue(participantId);
    if (!q.exec())
        return db::sqlError("confirming a rejoin", q.lastError());
    return q.numRowsAffected() > 0;
}

Result<std::optional<ParticipantStore::Overview>> ParticipantStore::overview(qint64 participantId) const
{
    // One row per data type (or one row with NULL type columns).
    auto prepared = m_statements->prepared(
            QStringLiteral("SELECT p.member_id, p.nightscout_url, p.sharing_consent, p.site_saved_at, "
                           "p.oh_url_file_count, p.deauthorized_at, s.last_attempt_at, s.last_success_at, "
                           "s.last_error_code, s.last_error_message, s.last_error_at, t.data_type, t.records_moved, "
                           "t.last_moved_at, p.nightscout_credential_saved, p.rejoin_pending_at, "
                           "EXISTS (SELECT 1 FROM participants o WHERE o.nightscout_site = p.nightscout_site "
                           "AND o.id <> p.id AND o.deauthorized_at IS NULL) FROM participants p "
                           "LEFT JOIN participant_status s ON s.participant_id = p.id "
                           "LEFT JOIN participant_type_status t ON t.participant_id = p.id "
                           "WHERE p.id = ? ORDER BY t.data_type"));
    if (!prepared)
        return prepared.error();
    QSqlQuery &q = **prepared;
    q.bindValue(0, participantId);
    if (!q.exec())
        return db::sqlError("reading a participant's overview", q.lastError());
    std::optional<Overview> overview;
    while (q.next()) {
        if (!overview) {
            overview.emplace();
            ParticipantView &v = overview->participant;
            v.id = participantId;
            v.memberId = q.value(0).toString();
            v.nightscoutUrl = q.value(1).toString();
            v.consent = q.value(2).toString();
            v.savedAt = dateTimeFromDb(q.value(3));
            v.urlFileCount = q.value(4).toInt();
            v.deauthorized = !q.value(5).isNull();
            TransferStatus &t = overview->transfers;
            t.lastAttemptAt = dateTimeFromDb(q.value(6));
            t.lastSuccessAt = dateTimeFromDb(q.value(7));
            t.lastErrorCode = q.value(8).toString();
            t.lastErrorMessage = q.value(9).toString();
            t.lastErrorAt = dateTimeFromDb(q.value(10));
            v.credentialSaved = q.value(14).toBool();
            v.rejoinPending = !q.value(15).isNull();
            v.siteSharedWithOthers = q.value(16).toBool();
        }
        if (!q.value(11).isNull())
            overview->transfers.types.append(
                    { q.value(11).toString(), q.value(12).toLongLong(), dateTimeFromDb(q.value(13)) });
    }
    q.finish();
    return overview;
}

} // namespace openaps::site
