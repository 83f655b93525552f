#include "standins/openhumansstore.h"

#include <QRandomGenerator>

namespace openaps::standins {

namespace {
constexpr qint64 codeLifetimeSeconds = 600;

Error invalidGrant()
{
    return makeError("invalid_grant", QStringLiteral("The code or refresh token is not valid."));
}
}

OpenHumansStore::OpenHumansStore(Clock clock, std::chrono::seconds accessTokenLifetime)
    : m_clock(clock ? std::move(clock) : systemClock()),
      m_accessLifetime(accessTokenLifetime)
{ }

QString OpenHumansStore::randomToken()
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    QString token;
    for (int i = 0; i < 30; ++i)
        token.append(QLatin1Char(alphabet[QRandomGenerator::system()->bounded(int(sizeof(alphabet)) - 1)]));
    return token;
}

QString OpenHumansStore::addMember(const QString &projectMemberId)
{
    QString id = projectMemberId;
    while (id.isEmpty() || (projectMemberId.isEmpty() && m_members.contains(id)))
        id = QStringLiteral("%1").arg(QRandomGenerator::system()->bounded(10000000, 99999999));
    if (!m_members.contains(id))
        m_members.insert(id, now());
    return id;
}

void OpenHumansStore::revoke(const QString &memberId)
{
    for (auto it = m_accessTokens.begin(); it != m_accessTokens.end();)
        it = it->memberId == memberId ? m_accessTokens.erase(it) : std::next(it);
    for (auto it = m_refreshTokens.begin(); it != m_refreshTokens.end();)
        it = it.value() == memberId ? m_refreshTokens.erase(it) : std::next(it);
    for (auto it = m_codes.begin(); it != m_codes.end();)
        it = it->memberId == memberId ? m_codes.erase(it) : std::next(it);
}

QString OpenHumansStore::issueCode(const QString &memberId, const QString &redirectUri)
{
    QString code = randomToken();
    m_codes.insert(code, Code { memberId, redirectUri, now().addSecs(codeLifetimeSeconds) });
    return code;
}

Result<OpenHumansStore::Grant> OpenHumansStore::redeemCode(const QString &code, const QString &redirectUri)
{
    if (!m_codes.contains(code))
        return invalidGrant();
    // Taken out, not referred to: the element is gone once erased (a
    // reference to it here left the OAuth test waiting for ever).
    const Code issued = m_codes.take(code); // one use only, valid or not
    if (issued.expiresAt <= now() || issued.redirectUri != redirectUri)
        return invalidGrant();
    return issueTokens(issued.memberId);
}

Result<OpenHumansStore::Grant> OpenHumansStore::redeemRefreshToken(const QString &refreshToken)
{
    if (!m_refreshTokens.contains(refreshToken))
        return invalidGrant();
    const QString memberId = m_refreshTokens.take(refreshToken); // rotation: the old refresh token dies here
    // The access token issued with it dies too, as in django-oauth-toolkit.
    for (auto token = m_accessTokens.begin(); token != m_accessTokens.end();)
        token = token->memberId == memberId ? m_accessTokens.erase(token) : std::next(token);
    return issueTokens(memberId);
}

OpenHumansStore::Grant OpenHumansStore::issueTokens(const QString &memberId)
{
    Grant grant { memberId, randomToken(), randomToken(), qint64(m_accessLifetime.count()) };
    m_accessTokens.insert(grant.accessToken, Token { memberId, now().addSecs(grant.expiresIn) });
    m_refreshTokens.insert(grant.refreshToken, memberId);
    return grant;
}

OpenHumansStore::Access OpenHumansStore::checkAccess(const QString &accessToken, QString *memberId) const
{
    const auto it = m_accessTokens.constFind(accessToken);
    if (accessToken.isEmpty() || it == m_accessTokens.constEnd())
        return Access::Invalid;
    if (it->expiresAt <= now())
        return Access::Expired;
    if (memberId)
        *memberId = it->memberId;
    return Access::Valid;
}

void OpenHumansStore::expireAccessTokens()
{
    for (Token &token : m_accessTokens)
        token.expiresAt = now().addSecs(-1);
}

QString OpenHumansStore::issueMasterToken(std::chrono::seconds lifetime)
{
    QString token = randomToken();
    m_masterTokens.insert(token, lifetime.count() > 0 ? now().addSecs(lifetime.count()) : QDateTime());
    return token;
}

OpenHumansStore::Access OpenHumansStore::checkMaster(const QString &token) const
{
    const auto it = m_masterTokens.constFind(token);
    if (token.isEmpty() || it == m_masterTokens.constEnd())
        return Access::Invalid;
    return it->isValid() && *it <= now() ? Access::Expired : Access::Valid;
}

void OpenHumansStore::expireMasterTokens()
{
    for (QDateTime &expiry : m_masterTokens)
        expiry = now().addSecs(-1);
}

QString OpenHumansStore::addFile(const QString &memberId, const QString &basename, const QByteArray &content,
                                 const QString &description, const QStringList &tags)
{
    QString id = beginUpload(memberId, basename, description, tags);
    storeUpload(id, content);
    m_files[id.toLongLong()].complete = true;
    return id;
}

QList<OpenHumansStoredFile> OpenHumansStore::files(const QString &memberId) const
{
    QList<OpenHumansStoredFile> list;
    for (const OpenHumansStoredFile &f : m_files) {
        if (f.memberId == memberId && f.complete)
            list.append(f);
    }
    return list;
}

const OpenHumansStoredFile *OpenHumansStore::file(const QString &fileId) const
{
    const auto it = m_files.constFind(fileId.toLongLong());
    return it == m_files.constEnd() ? nullptr : &*it;
}

QString OpenHumansStore::beginUpload(const QString &memberId, const QString &basename, const QString &description,
                                     const QStringList &tags)
{
    OpenHumansStoredFile f;
    f.id = QString::number(m_nextFileId++);
    f.memberId = memberId;
    f.basename = basename;
    f.description = description;
    f.tags = tags;
    f.created = now();
    m_files.insert(f.id.toLongLong(), f);
    return f.id;
}

bool OpenHumansStore::storeUpload(const QString &fileId, const QByteArray &content)
{
    const auto it = m_files.find(fileId.toLongLong());
    if (it == m_files.end())
        return false;
    it->content = content;
    it->uploaded = true;
    return true;
}

Result<qint64> OpenHumansStore::completeUpload(const QString &memberId, const QString &fileId)
{
    const auto it = m_files.find(fileId.toLongLong());
    if (it == m_files.end() || it->memberId != memberId)
        return makeError("not-found", QStringLiteral("No such file."));
    if (!it->uploaded)
        return makeError("file-not-present", QStringLiteral("file not present"));
    it->complete = true;
    return qint64(it->content.size());
}

QStringList OpenHumansStore::deleteFiles(const QString &memberId, DeleteBy by, const QString &value)
{
    QStringList deleted;
    for (auto it = m_files.begin(); it != m_files.end();) {
        const bool match = it->memberId == memberId
                && (by == DeleteBy::All || (by == DeleteBy::FileId && it->id == value)
                    || (by == DeleteBy::Basename && it->basename == value));
        if (match) {
            deleted.append(it->id);
            it = m_files.erase(it);
        } else {
            ++it;
        }
    }
    return deleted;
}

} // namespace openaps::standins
