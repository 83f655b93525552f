#pragma once

#include "core/clock.h"
#include "core/result.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <functional>
#include <optional>

class QNetworkAccessManager;

namespace openaps::oh {

// Open Humans writes microseconds ("2018-03-07T17:51:20.123456Z"); Qt reads
// at most milliseconds. Invalid QDateTime for text that is not a time.
QDateTime parseTime(const QString &text);

// One Open Humans project's OAuth2 settings. baseUrl is configurable so that
// the sandbox and the loopback stand-in can take the place of openhumans.org.
struct Settings
{
    QUrl baseUrl { QStringLiteral("https://www.openhumans.org") };
    QString clientId;
    QString clientSecret;
    QUrl redirectUri;
    std::chrono::milliseconds requestTimeout { 30000 }; // silence per attempt
    int maxAttempts = 3; // retries of 5xx, 429 and timeouts
    std::chrono::milliseconds firstBackoff { 500 };
    // Whole-operation limit for all but downloads (which may stream for long
    // and only have the silence limit above).
    std::chrono::milliseconds operationTimeout { 10 * 60 * 1000 };
};

// What every job needs: the network, the project settings and the clock.
struct ClientContext
{
    QNetworkAccessManager *nam = nullptr;
    Settings settings;
    Clock clock;
    // Set when the project's master access token acts for one member: the
    // member-level endpoints (exchange-member, upload, delete) then take
    // project_member_id (README, "Master token: every member of the
    // project").
    QString projectMemberId;
};

// Token data from /oauth2/token/. Refresh tokens rotate: once a refresh
// succeeded the old refresh token is dead, so the new pair must be stored
// before anything else is done with it.
struct TokenPair
{
    QString accessToken;
    QString refreshToken;
    QDateTime expiresAt; // UTC, computed from expires_in with the client's clock
    QString scope;

    bool expiredAt(const QDateTime &now) const { return !expiresAt.isValid() || now >= expiresAt; }
};

struct FileMetadata
{
    QStringList tags;
    QString description;
};

// One file in the member's account, as exchange-member lists it.
struct MemberFile
{
    QString id; // a number in JSON; kept as text
    QString basename;
    QDateTime created; // UTC
    QUrl downloadUrl; // expires after about an hour: fetch files soon after listing
    std::optional<qint64> size; // only when Open Humans reports it
    FileMetadata metadata;
    QString source;
};

struct Member
{
    QString projectMemberId;
    QList<MemberFile> files; // all pages

    QList<MemberFile> filesNamed(const QString &basename) const;
    std::optional<MemberFile> file(const QString &id) const;
};

// One member as the project's members endpoint lists them (master token).
struct ProjectMember
{
    QString projectMemberId;
    int fileCount = 0;
    QDateTime created; // UTC
};

// What to delete: exactly one of a file id, every file with a basename, or all files.
struct DeleteTarget
{
    enum class Kind { FileId, Basename, AllFiles };
    Kind kind = Kind::FileId;
    QString value;

    static DeleteTarget fileId(const QString &id) { return { Kind::FileId, id }; }
    static DeleteTarget basename(const QString &name) { return { Kind::Basename, name }; }
    static DeleteTarget allFiles() { return { Kind::AllFiles, {} }; }
};

struct UploadRequest
{
    QString filename;
    FileMetadata metadata;
    QByteArray data;
};

struct UploadResult
{
    QString fileId;
    qint64 size = 0;
};

struct DownloadResult
{
    qint64 bytes = 0;
    QByteArray body; // only for Client::downloadAll
    bool urlRefreshed = false; // the first download URL had expired
};

} // namespace openaps::oh
