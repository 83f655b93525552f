#include "standins/openhumansstandin.h"

#include "core/httpcall.h"
#include "openhumans/webhook.h"

#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QRandomGenerator>
#include <QUrlQuery>

namespace openaps::standins {

OpenHumansStandIn::Request::Request(const QHttpServerRequest &request)
    : url(request.url()),
      query(request.query()),
      headers(request.headers()),
      body(request.body())
{ }

QUrlQuery OpenHumansStandIn::Request::form() const
{
    // Browsers encode spaces in forms as '+', which QUrlQuery leaves alone.
    QByteArray text = body;
    text.replace('+', "%20");
    return QUrlQuery(QString::fromUtf8(text));
}

QByteArray OpenHumansStandIn::Request::header(const QByteArray &name, bool *found) const
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
            if (found)
                *found = true;
            return header.second;
        }
    }
    if (found)
        *found = false;
    return {};
}

OpenHumansStandIn::OpenHumansStandIn(Options options, QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent),
      m_options(std::move(options)),
      m_nam(nam),
      m_store(m_options.clock, m_options.accessTokenLifetime)
{
    if (!m_options.clock)
        m_options.clock = systemClock();
    for (int i = 0; i < 4; ++i)
        m_signingKey.append(QByteArray::number(QRandomGenerator::system()->generate64(), 16));
    addRoutes();
}

OpenHumansStandIn::~OpenHumansStandIn() = default;

Result<quint16> OpenHumansStandIn::listen(quint16 port)
{
    auto bound = listenOnLoopback(m_server, port, "The Open Humans stand-in");
    if (bound)
        m_port = *bound;
    return bound;
}

QUrl OpenHumansStandIn::baseUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
}

void OpenHumansStandIn::answer(Endpoint endpoint, QHttpServerResponder &&responder,
                               StandInReplySender::Producer produce)
{
    const int number = ++m_counts[endpoint];
    m_sender.send(std::move(responder), std::move(produce), m_faults.value(endpoint), number);
}

void OpenHumansStandIn::addRoute(const QString &path, QHttpServerRequest::Method method, Endpoint endpoint,
                                 Handler handler)
{
    m_server.route(path, method,
                   [this, endpoint, handler = std::move(handler)](const QHttpServerRequest &request,
                                                                  QHttpServerResponder &&responder) {
                       answer(endpoint, std::move(responder),
                              [handler, copy = Request(request)] { return handler(copy); });
                   });
}

void OpenHumansStandIn::addMemberRoute(const QString &path, QHttpServerRequest::Method method, Endpoint endpoint,
                                       MemberHandler handler)
{
    addRoute(path, method, endpoint, [this, handler = std::move(handler)](const Request &request) {
        QString memberId;
        StandInReply refusal;
        if (!authenticate(request, &memberId, &refusal))
            return refusal;
        return handler(memberId, request);
    });
}

void OpenHumansStandIn::addFileRoute(const QString &path, QHttpServerRequest::Method method, Endpoint endpoint,
                                     FileHandler handler)
{
    m_server.route(path, method,
                   [this, endpoint, handler = std::move(handler)](
                           const QString &fileId, const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                       answer(endpoint, std::move(responder),
                              [handler, fileId, copy = Request(request)] { return handler(fileId, copy); });
                   });
}

void OpenHumansStandIn::addRoutes()
{
    using M = QHttpServerRequest::Method;
    const auto bind = [this](StandInReply (OpenHumansStandIn::*member)(const Request &)) {
        return Handler([this, member](const Request &r) { return (this->*member)(r); });
    };
    const auto bindMember = [this](StandInReply (OpenHumansStandIn::*member)(const QString &, const Request &)) {
        return MemberHandler([this, member](const QString &id, const Request &r) { return (this->*member)(id, r); });
    };
    const auto bindFile = [this](StandInReply (OpenHumansStandIn::*member)(const QString &, const Request &)) {
        return FileHandler([this, member](const QString &id, const Request &r) { return (this->*member)(id, r); });
    };
    const QString authorize = QStringLiteral("/direct-sharing/projects/oauth2/authorize/");
    addRoute(authorize, M::Get, Endpoint::Authorize, bind(&OpenHumansStandIn::authorizePage));
    addRoute(authorize, M::Post, Endpoint::Authorize, bind(&OpenHumansStandIn::approveForm));
    addRoute(QStringLiteral("/oauth2/token/"), M::Post, Endpoint::Token, bind(&OpenHumansStandIn::token));
    addMemberRoute(QStringLiteral("/api/direct-sharing/project/exchange-member/"), M::Get, Endpoint::ExchangeMember,
                   bindMember(&OpenHumansStandIn::exchangeMember));
    addRoute(QStringLiteral("/api/direct-sharing/project/members/"), M::Get, Endpoint::ProjectMembers,
             bind(&OpenHumansStandIn::projectMembers));
    addFileRoute(QStringLiteral("/data-management/datafile-download/<arg>/"), M::Get, Endpoint::DownloadRedirect,
                 bindFile(&OpenHumansStandIn::downloadRedirect));
    addFileRoute(QStringLiteral("/storage/<arg>"), M::Get, Endpoint::StorageGet,
                 bindFile(&OpenHumansStandIn::storageGet));
    addFileRoute(QStringLiteral("/storage/<arg>"), M::Put, Endpoint::StoragePut,
                 bindFile(&OpenHumansStandIn::storagePut));
    addMemberRoute(QStringLiteral("/api/direct-sharing/project/files/upload/direct/"), M::Post, Endpoint::UploadDirect,
                   bindMember(&OpenHumansStandIn::uploadDirect));
    addMemberRoute(QStringLiteral("/api/direct-sharing/project/files/upload/complete/"), M::Post,
                   Endpoint::UploadComplete, bindMember(&OpenHumansStandIn::uploadComplete));
    addMemberRoute(QStringLiteral("/api/direct-sharing/project/files/delete/"), M::Post, Endpoint::Delete,
                   bindMember(&OpenHumansStandIn::deleteFiles));
    // What a member's "leave project" does on Open Humans: their tokens stop
    // working and the project gets the signed notice. Answers with the status
    // the project's webhook gave (0 when it could not be reached).
    m_server.route(QStringLiteral("/member/leave/"), M::Post,
                   [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
                       const QUrlQuery form(QString::fromUtf8(request.body()));
                       const QString member = form.queryItemValue(QStringLiteral("project_member_id"));
                       const bool erasure = form.queryItemValue(QStringLiteral("erasure_requested")) == u"true";
                       revokeMember(member);
                       auto pending = std::make_shared<QHttpServerResponder>(std::move(responder));
                       sendDeauthWebhook(m_options.webhookUrl, member, { m_options.webhookSecret, erasure }, this,
                                         [pending](Result<int> status) {
                                             QHttpServerResponse(QJsonObject { { QStringLiteral("webhook_status"),
                                                                                 status ? *status : 0 } })
                                                     .write(std::move(*pending));
                                         });
                   });
}

QString OpenHumansStandIn::addFile(const QString &memberId, const QString &basename, const QByteArray &content,
                                   const QString &description, const QStringList &tags)
{
    m_store.addMember(memberId);
    return m_store.addFile(memberId, basename, content, description, tags);
}

QString OpenHumansStandIn::approve(const QString &memberId, const QUrl &redirectUri)
{
    m_store.addMember(memberId);
    return m_store.issueCode(memberId, redirectUri.toString(QUrl::FullyEncoded));
}

void OpenHumansStandIn::sendDeauthWebhook(const QUrl &url, const QString &memberId, const WebhookOptions &options,
                                          QObject *context, std::function<void(Result<int>)> done)
{
    const oh::DeauthNotice notice { memberId, options.erasureRequested, m_options.clock() };
    HttpRequest post;
    post.verb = "POST";
    post.request = QNetworkRequest(url);
    post.request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    post.body = oh::deauthNoticeBody(notice, options.doubleEncoded);
    if (!options.secret.isEmpty())
        post.request.setRawHeader(oh::webhookSignatureHeader, oh::webhookSignature(options.secret, post.body));
    post.maxAttempts = 1;
    HttpCall::start(m_nam, std::move(post), context, [done = std::move(done)](Result<HttpResponse> reply) {
        if (!reply)
            return done(reply.error());
        done(reply->status);
    });
}

bool OpenHumansStandIn::authenticate(const Request &request, QString *memberId, StandInReply *refusal) const
{
    QString token = request.query.queryItemValue(QStringLiteral("access_token"), QUrl::FullyDecoded);
    const QByteArray authorization = request.header("Authorization");
    if (token.isEmpty() && authorization.startsWith("Bearer "))
        token = QString::fromUtf8(authorization.mid(7)).trimmed();
    const auto detail = [refusal](const QString &text) {
        *refusal = StandInReply::json(QJsonObject { { QStringLiteral("detail"), text } }, 401);
        return false;
    };
    if (token.isEmpty())
        return detail(QStringLiteral("Authentication credentials were not provided."));
    // The master token acts for the member named by project_member_id: in
    // the query of a GET, in the form of a POST; an unknown one is a 400.
    switch (m_store.checkMaster(token)) {
    case OpenHumansStore::Access::Valid: {
        QString named = request.query.queryItemValue(QStringLiteral("project_member_id"));
        if (named.isEmpty())
            named = request.form().queryItemValue(QStringLiteral("project_member_id"));
        if (!m_store.hasMember(named)) {
            *refusal = StandInReply::json(
                    QJsonObject { { QStringLiteral("detail"), QStringLiteral("project_member_id is not valid.") } },
                    400);
            return false;
        }
        *memberId = named;
        return true;
    }
    case OpenHumansStore::Access::Expired:
        return detail(QStringLiteral("Expired token."));
    case OpenHumansStore::Access::Invalid:
        break; // perhaps a member's token
    }
    switch (m_store.checkAccess(token, memberId)) {
    case OpenHumansStore::Access::Valid:
        return true;
    case OpenHumansStore::Access::Expired:
        return detail(QStringLiteral("Expired token."));
    case OpenHumansStore::Access::Invalid:
        break;
    }
    return detail(QStringLiteral("Invalid token."));
}

QUrl OpenHumansStandIn::signedUrl(const QString &path, const QByteArray &purpose, const QString &fileId) const
{
    const QByteArray expires = QByteArray::number(
            m_options.clock().addSecs(m_options.downloadUrlLifetime.count()).toSecsSinceEpoch());
    const QByteArray signature = QMessageAuthenticationCode::hash(purpose + '\n' + fileId.toUtf8() + '\n' + expires,
                                                                  m_signingKey, QCryptographicHash::Sha256)
                                         .toHex();
    QUrl url = baseUrl();
    url.setPath(path);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("expires"), QString::fromLatin1(expires));
    query.addQueryItem(QStringLiteral("signature"), QString::fromLatin1(signature));
    url.setQuery(query);
    return url;
}

bool OpenHumansStandIn::checkSignature(const Request &request, const QByteArray &purpose, const QString &fileId,
                                       StandInReply *refusal) const
{
    const QUrlQuery query = request.query;
    const QByteArray expires = query.queryItemValue(QStringLiteral("expires")).toLatin1();
    const QByteArray given = query.queryItemValue(QStringLiteral("signature")).toLatin1();
    const QByteArray expected = QMessageAuthenticationCode::hash(purpose + '\n' + fileId.toUtf8() + '\n' + expires,
                                                                 m_signingKey, QCryptographicHash::Sha256)
                                        .toHex();
    const auto s3Error = [refusal](const char *code, const char *message) {
        *refusal = StandInReply::text(QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>") + code
                                              + "</Code><Message>" + message + "</Message></Error>",
                                      403, "application/xml");
        return false;
    };
    if (given != expected)
        return s3Error("SignatureDoesNotMatch",
                       "The request signature we calculated does not match the "
                       "signature you provided.");
    if (expires.toLongLong() <= m_options.clock().toSecsSinceEpoch())
        return s3Error("AccessDenied", "Request has expired");
    return true;
}

} // namespace openaps::standins
