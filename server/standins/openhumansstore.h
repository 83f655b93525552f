#pragma once

#include "core/result.h"
#include "openhumans/types.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QStringList>

#include <chrono>
#include <optional>

namespace openaps::standins {

// A file as the stand-in holds it, contents included.
struct OpenHumansStoredFile
{
    QString id;
    QString memberId;
    QString basename;
    QString description;
    QStringList tags;
    QDateTime created;
    QByteArray content;
    bool uploaded = false; // bytes arrived (direct upload step 2)
    bool complete = false; // listed by exchange-member
};

// The state behind the Open Humans stand-in: members, OAuth codes and
// tokens, files. No HTTP here; OpenHumansStandIn translates requests into
// these calls. Token rules follow Open Humans: access tokens expire,
// refresh tokens rotate (a used one is dead), withdrawal kills both.
class OpenHumansStore
{
public:
    struct Grant
    {
        QString memberId;
        QString accessToken;
        QString refreshToken;
        qint64 expiresIn = 0;
    };
    enum class Access { Valid, Expired, Invalid };

    OpenHumansStore(Clock clock, std::chrono::seconds accessTokenLifetime);

    QDateTime now() const { return m_clock(); }

    // Members: ids are 8 digits, like Open Humans project member ids.
    QString addMember(const QString &projectMemberId = {});
    bool hasMember(const QString &memberId) const { return m_members.contains(memberId); }
    QStringList memberIds() const { return m_members.keys(); }
    QDateTime memberCreated(const QString &memberId) const { return m_members.value(memberId); }
    // The member withdrew: every token of theirs stops working.
    void revoke(const QString &memberId);

    // OAuth: a one-time code, bound to the redirect URI it was issued for.
    QString issueCode(const QString &memberId, const QString &redirectUri);
    Result<Grant> redeemCode(const QString &code, const QString &redirectUri);
    Result<Grant> redeemRefreshToken(const QString &refreshToken);
    Grant issueTokens(const QString &memberId);
    Access checkAccess(const QString &accessToken, QString *memberId) const;
    // Ages every access token as if its life had run out.
    void expireAccessTokens();
    // The project's master token: lifetime 0 never expires.
    QString issueMasterToken(std::chrono::seconds lifetime);
    Access checkMaster(const QString &token) const;
    void expireMasterTokens();

    // Files.
    QString addFile(const QString &memberId, const QString &basename, const QByteArray &content,
                    const QString &description = {}, const QStringList &tags = {});
    QList<OpenHumansStoredFile> files(const QString &memberId) const; // complete ones, oldest first
    const OpenHumansStoredFile *file(const QString &fileId) const;
    QString beginUpload(const QString &memberId, const QString &basename, const QString &description,
                        const QStringList &tags);
    bool storeUpload(const QString &fileId, const QByteArray &content);
    // Errors: "not-found", "file-not-present" (nothing was PUT yet).
    Result<qint64> completeUpload(const QString &memberId, const QString &fileId);
    enum class DeleteBy { FileId, Basename, All };
    QStringList deleteFiles(const QString &memberId, DeleteBy by, const QString &value);

private:
    struct Token
    {
        QString memberId;
        QDateTime expiresAt;
    };
    struct Code
    {
        QString memberId;
        QString redirectUri;
        QDateTime expiresAt;
    };

    static QString randomToken();

    Clock m_clock;
    std::chrono::seconds m_accessLifetime;
    QMap<QString, QDateTime> m_members; // id → joined
    QHash<QString, Code> m_codes;
    QHash<QString, Token> m_accessTokens;
    QHash<QString, QString> m_refreshTokens; // token → member
    QHash<QString, QDateTime> m_masterTokens; // token → expiry (invalid: never)
    QMap<qint64, OpenHumansStoredFile> m_files; // by numeric id: listing order is upload order
    qint64 m_nextFileId = 100001;
};

} // namespace openaps::standins
