#include "openhumans/api.h"

#include "core/wholenumber.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace openaps::oh::api {

namespace {

std::optional<QJsonObject> jsonObject(const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// Ids and member ids are numbers in some answers and strings in others.
QString textOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (const auto whole = wholeNumber(value))
        return QString::number(*whole);
    return {};
}

MemberFile parseFile(const QJsonObject &object)
{
    MemberFile file;
    file.id = textOf(object.value(QLatin1String("id")));
    file.basename = object.value(QLatin1String("basename")).toString();
    file.created = parseTime(object.value(QLatin1String("created")).toString());
    file.downloadUrl = QUrl(object.value(QLatin1String("download_url")).toString());
    file.source = object.value(QLatin1String("source")).toString();
    const QJsonValue size = object.value(QLatin1String("size"));
    if (const auto bytes = wholeNumber(size); bytes && *bytes >= 0)
        file.size = bytes;
    const QJsonObject metadata = object.value(QLatin1String("metadata")).toObject();
    file.metadata.description = metadata.value(QLatin1String("description")).toString();
    const QJsonArray tags = metadata.value(QLatin1String("tags")).toArray();
    for (const QJsonValue &tag : tags)
        file.metadata.tags.append(tag.toString());
    return file;
}

} // namespace

QUrl endpoint(const Settings &settings, const char *path)
{
    QUrl url = settings.baseUrl;
    QString prefix = url.path();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + QLatin1String(path));
    url.setQuery(QString());
    return url;
}

QUrl withAccessToken(QUrl url, const QString &accessToken)
{
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("access_token"));
    query.addQueryItem(QStringLiteral("access_token"), accessToken);
    url.setQuery(query);
    return url;
}

QUrl forMember(QUrl url, const ClientContext &context)
{
    if (context.projectMemberId.isEmpty())
        return url;
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("project_member_id"));
    query.addQueryItem(QStringLiteral("project_member_id"), context.projectMemberId);
    url.setQuery(query);
    return url;
}

void addMember(QUrlQuery &form, const ClientContext &context)
{
    if (!context.projectMemberId.isEmpty())
        form.addQueryItem(QStringLiteral("project_member_id"), context.projectMemberId);
}

HttpRequest request(const Settings &settings, const QUrl &url, const QByteArray &verb)
{
    HttpRequest request;
    request.verb = verb;
    request.request = QNetworkRequest(url);
    request.request.setRawHeader("Accept", "application/json");
    request.timeout = settings.requestTimeout;
    request.maxAttempts = settings.maxAttempts;
    request.firstBackoff = settings.firstBackoff;
    return request;
}

HttpRequest formPost(const Settings &settings, const QUrl &url, const QUrlQuery &form)
{
    HttpRequest post = request(settings, url, "POST");
    // HttpCall sends a custom verb, for which Qt adds no Content-Type itself.
    post.request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/x-www-form-urlencoded"));
    post.body = form.toString(QUrl::FullyEncoded).toUtf8();
    return post;
}

bool isSuccess(const HttpResponse &response)
{
    return response.status >= 200 && response.status < 300;
}

Error badResponse(const QString &what)
{
    return makeError("bad-response",
                     QStringLiteral("Open Humans sent an answer that could not be read (%1).").arg(what));
}

Result<TokenPair> parseTokenPair(const HttpResponse &response, const QDateTime &now)
{
    const auto object = jsonObject(response.body);
    if (!object)
        return badResponse(QStringLiteral("token answer is not JSON"));
    TokenPair pair;
    pair.accessToken = object->value(QLatin1String("access_token")).toString();
    pair.refreshToken = object->value(QLatin1String("refresh_token")).toString();
    pair.scope = object->value(QLatin1String("scope")).toString();
    if (pair.accessToken.isEmpty() || pair.refreshToken.isEmpty())
        return badResponse(QStringLiteral("token answer without tokens"));
    // Without expires_in, assume a short life so the token is refreshed early
    // rather than used after it died (Open Humans documents 36000 s).
    const QJsonValue expiresIn = object->value(QLatin1String("expires_in"));
    const double seconds = expiresIn.isDouble() ? expiresIn.toDouble()
                                                : double(expiresIn.toString(QStringLiteral("3600")).toLongLong());
    // Bounded while still a double: 1e300 must not overflow the conversion.
    constexpr double longestLife = 10.0 * 366 * 86400;
    pair.expiresAt = now.toUTC().addSecs(qint64(qBound(0.0, seconds, longestLife)));
    return pair;
}

Result<MemberPage> parseMemberPage(const HttpResponse &response)
{
    const auto object = jsonObject(response.body);
    if (!object)
        return badResponse(QStringLiteral("member answer is not JSON"));
    MemberPage page;
    page.projectMemberId = textOf(object->value(QLatin1String("project_member_id")));
    if (page.projectMemberId.isEmpty())
        return badResponse(QStringLiteral("member answer without project_member_id"));
    const QJsonValue data = object->value(QLatin1String("data"));
    if (!data.isArray() && !data.isUndefined() && !data.isNull())
        return badResponse(QStringLiteral("member answer with a malformed file list"));
    const QJsonArray files = data.toArray();
    for (const QJsonValue &value : files) {
        MemberFile file = parseFile(value.toObject());
        if (file.id.isEmpty() || file.basename.isEmpty())
            return badResponse(QStringLiteral("file without id or name"));
        page.files.append(std::move(file));
    }
    const QJsonValue next = object->value(QLatin1String("next"));
    if (next.isString() && !next.toString().isEmpty())
        page.next = response.url.resolved(QUrl(next.toString()));
    return page;
}

Result<MembersPage> parseMembersPage(const HttpResponse &response)
{
    const auto object = jsonObject(response.body);
    if (!object)
        return badResponse(QStringLiteral("members answer is not JSON"));
    const QJsonValue results = object->value(QLatin1String("results"));
    if (!results.isArray())
        return badResponse(QStringLiteral("members answer without results"));
    MembersPage page;
    const QJsonArray members = results.toArray();
    for (const QJsonValue &value : members) {
        const QJsonObject member = value.toObject();
        ProjectMember m;
        m.projectMemberId = textOf(member.value(QLatin1String("project_member_id")));
        if (m.projectMemberId.isEmpty())
            return badResponse(QStringLiteral("member without project_member_id"));
        m.fileCount = member.value(QLatin1String("file_count")).toInt();
        m.created = parseTime(member.value(QLatin1String("created")).toString());
        page.members.append(m);
    }
    const QJsonValue next = object->value(QLatin1String("next"));
    if (next.isString() && !next.toString().isEmpty())
        page.next = response.url.resolved(QUrl(next.toString()));
    return page;
}

Result<UploadTarget> parseUploadTarget(const HttpResponse &response)
{
    const auto object = jsonObject(response.body);
    if (!object)
        return badResponse(QStringLiteral("upload answer is not JSON"));
    UploadTarget target;
    target.fileId = textOf(object->value(QLatin1String("id")));
    target.url = QUrl(object->value(QLatin1String("url")).toString());
    if (target.fileId.isEmpty() || !target.url.isValid() || target.url.isRelative())
        return badResponse(QStringLiteral("upload answer without file id or storage URL"));
    return target;
}

Result<qint64> parseUploadComplete(const HttpResponse &response)
{
    const auto object = jsonObject(response.body);
    if (!object)
        return badResponse(QStringLiteral("completion answer is not JSON"));
    if (object->value(QLatin1String("status")).toString() != QLatin1String("ok"))
        return badResponse(QStringLiteral("completion answer without status ok"));
    const auto size = wholeNumber(object->value(QLatin1String("size")));
    if (!size || *size < 0)
        return badResponse(QStringLiteral("completion answer without size"));
    return *size;
}

Error errorFor(const HttpResponse &response)
{
    const auto object = jsonObject(response.body);
    const QString oauthError = object ? object->value(QLatin1String("error")).toString() : QString();
    const QString detail = object ? object->value(QLatin1String("detail")).toString() : QString();
    const int status = response.status;

    if (oauthError == QLatin1String("invalid_grant"))
        return makeError("invalid-grant",
                         QStringLiteral("Open Humans no longer accepts this login (it expired or "
                                        "access was withdrawn); the participant must log in with "
                                        "Open Humans again."));
    if (oauthError == QLatin1String("invalid_client"))
        return makeError("invalid-client",
                         QStringLiteral("Open Humans rejected this project's client id or secret; "
                                        "check OH_CLIENT_ID and OH_CLIENT_SECRET."));
    if (status == 401 && detail.contains(QLatin1String("Expired"), Qt::CaseInsensitive))
        return makeError("token-expired", QStringLiteral("The Open Humans access token has expired."));
    if (status == 401)
        return makeError("unauthorized",
                         QStringLiteral("Open Humans did not accept the access token; it may have "
                                        "been withdrawn."));
    if (status == 403)
        return makeError("forbidden", QStringLiteral("Open Humans refused access (error 403)."));
    if (status == 404 || status == 410)
        return makeError("not-found", QStringLiteral("Open Humans could not find it (error %1).").arg(status));
    if (status == 400) {
        QString reason = detail;
        if (reason.isEmpty() && !oauthError.isEmpty())
            reason = oauthError;
        if (reason.isEmpty() && object && !object->isEmpty())
            reason = QString::fromUtf8(QJsonDocument(*object).toJson(QJsonDocument::Compact)).left(200);
        return makeError("bad-request",
                         QStringLiteral("Open Humans refused the request: %1")
                                 .arg(reason.isEmpty() ? QStringLiteral("no reason given") : reason));
    }
    if (status == 429)
        return makeError("rate-limited", QStringLiteral("Open Humans asked us to slow down; try again later."));
    if (status >= 500)
        return makeError("server-error",
                         QStringLiteral("Open Humans had a problem (error %1); try again later.").arg(status));
    return makeError("http", QStringLiteral("Open Humans answered with unexpected status %1.").arg(status));
}

} // namespace openaps::oh::api
