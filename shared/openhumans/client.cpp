#include "openhumans/client.h"

#include "core/config.h"
#include "openhumans/api.h"
#include "openhumans/openhumanslog.h"

#include <QNetworkAccessManager>

namespace openaps::oh {

Q_LOGGING_CATEGORY(lcOpenHumans, "openaps.shared.openhumans", QtInfoMsg)

Client::Client(QNetworkAccessManager *nam, Settings settings, Clock clock)
    : m_context { nam, std::move(settings), clock ? std::move(clock) : systemClock(), {} }
{ }

Settings Client::settingsFromConfig(const Config &config, const QUrl &redirectUri)
{
    Settings settings;
    settings.baseUrl = QUrl(config.value(QStringLiteral("OH_BASE_URL")));
    settings.clientId = config.value(QStringLiteral("OH_CLIENT_ID"));
    settings.clientSecret = config.value(QStringLiteral("OH_CLIENT_SECRET"));
    settings.redirectUri = redirectUri;
    return settings;
}

QUrl Client::authorizeUrl(const QString &state) const
{
    QUrl url = api::endpoint(m_context.settings, api::authorizePath);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("client_id"), m_context.settings.clientId);
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    query.addQueryItem(QStringLiteral("redirect_uri"), m_context.settings.redirectUri.toString(QUrl::FullyEncoded));
    query.addQueryItem(QStringLiteral("state"), state);
    url.setQuery(query);
    return url;
}

QObject *Client::owner(QObject *parent) const
{
    return parent ? parent : m_context.nam;
}

TokenJob *Client::exchangeCode(const QString &code, QObject *parent) const
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("authorization_code"));
    form.addQueryItem(QStringLiteral("code"), code);
    form.addQueryItem(QStringLiteral("redirect_uri"), m_context.settings.redirectUri.toString(QUrl::FullyEncoded));
    return new TokenJob(m_context, form, owner(parent));
}

TokenJob *Client::refresh(const QString &refreshToken, QObject *parent) const
{
    QUrlQuery form;
    form.addQueryItem(QStringLiteral("grant_type"), QStringLiteral("refresh_token"));
    form.addQueryItem(QStringLiteral("refresh_token"), refreshToken);
    return new TokenJob(m_context, form, owner(parent));
}

Client Client::forMember(const QString &projectMemberId) const
{
    Client scoped = *this;
    scoped.m_context.projectMemberId = projectMemberId;
    return scoped;
}

ProjectMembersJob *Client::projectMembers(const QString &masterToken, QObject *parent) const
{
    return new ProjectMembersJob(m_context, masterToken, owner(parent));
}

MemberJob *Client::exchangeMember(const QString &accessToken, QObject *parent) const
{
    return new MemberJob(m_context, accessToken, owner(parent));
}

DownloadJob *Client::download(const QString &accessToken, const MemberFile &file, QIODevice *device,
                              QObject *parent) const
{
    return new DownloadJob(m_context, accessToken, file, device, owner(parent));
}

DownloadJob *Client::download(const QString &accessToken, const MemberFile &file, DownloadJob::ChunkHandler handler,
                              QObject *parent) const
{
    return new DownloadJob(m_context, accessToken, file, std::move(handler), owner(parent));
}

DownloadJob *Client::downloadAll(const QString &accessToken, const MemberFile &file, qint64 maxBytes,
                                 QObject *parent) const
{
    return new DownloadJob(m_context, accessToken, file, maxBytes, owner(parent));
}

UploadJob *Client::upload(const QString &accessToken, const UploadRequest &upload, QObject *parent) const
{
    return new UploadJob(m_context, accessToken, upload, owner(parent));
}

DeleteJob *Client::deleteFiles(const QString &accessToken, const DeleteTarget &target, QObject *parent) const
{
    return new DeleteJob(m_context, accessToken, target, owner(parent));
}

} // namespace openaps::oh
