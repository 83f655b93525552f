#pragma once

// The Open Humans wire protocol in one place: paths, request building,
// response parsing and the mapping from HTTP answers to Errors. Internal to
// the client; the jobs use it.

#include "core/httpcall.h"
#include "openhumans/types.h"

#include <QUrlQuery>

namespace openaps::oh::api {

inline constexpr char authorizePath[] = "/direct-sharing/projects/oauth2/authorize/";
inline constexpr char tokenPath[] = "/oauth2/token/";
inline constexpr char exchangeMemberPath[] = "/api/direct-sharing/project/exchange-member/";
inline constexpr char uploadDirectPath[] = "/api/direct-sharing/project/files/upload/direct/";
inline constexpr char uploadCompletePath[] = "/api/direct-sharing/project/files/upload/complete/";
inline constexpr char deletePath[] = "/api/direct-sharing/project/files/delete/";
inline constexpr char projectMembersPath[] = "/api/direct-sharing/project/members/";

// baseUrl + path, keeping any path prefix the base URL has.
QUrl endpoint(const Settings &settings, const char *path);

// Adds access_token to the query; the API takes it there, not in a header.
QUrl withAccessToken(QUrl url, const QString &accessToken);

// With the master token, member-level calls name the member: in the query
// of a GET, in the form of a POST. Both leave a personal token's call as it is.
QUrl forMember(QUrl url, const ClientContext &context);
void addMember(QUrlQuery &form, const ClientContext &context);

HttpRequest request(const Settings &settings, const QUrl &url, const QByteArray &verb = "GET");
HttpRequest formPost(const Settings &settings, const QUrl &url, const QUrlQuery &form);

Result<TokenPair> parseTokenPair(const HttpResponse &response, const QDateTime &now);

struct MemberPage
{
    QString projectMemberId;
    QList<MemberFile> files;
    QUrl next; // empty on the last page
};
Result<MemberPage> parseMemberPage(const HttpResponse &response);

struct MembersPage
{
    QList<ProjectMember> members;
    QUrl next; // empty on the last page
};
Result<MembersPage> parseMembersPage(const HttpResponse &response);

struct UploadTarget
{
    QString fileId;
    QUrl url;
};
Result<UploadTarget> parseUploadTarget(const HttpResponse &response);
Result<qint64> parseUploadComplete(const HttpResponse &response);

// The Error for an answer that is not a success: "invalid-grant",
// "invalid-client", "token-expired", "unauthorized", "forbidden",
// "not-found", "bad-request", "rate-limited", "server-error", "http".
Error errorFor(const HttpResponse &response);
bool isSuccess(const HttpResponse &response);

// A JSON-looking body that does not parse.
Error badResponse(const QString &what);

} // namespace openaps::oh::api
