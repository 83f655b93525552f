#pragma once

#include "core/result.h"
#include "openhumans/types.h"
#include "standins/openhumansstore.h"
#include "standins/standinfaults.h"

#include <QHash>
#include <QHttpServer>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>

#include <chrono>
#include <functional>

class QNetworkAccessManager;

namespace openaps::standins {

// A loopback Open Humans for tests and `openaps-demo`: the OAuth2
// authorize page and token endpoint, exchange-member with pagination and
// expiring download URLs, direct upload with a storage PUT endpoint,
// deletion, member withdrawal and the signed deauthorisation webhook, with
// fault switches per endpoint group. Everything is held in memory.
class OpenHumansStandIn final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OpenHumansStandIn)

public:
    struct Options
    {
        QString clientId = QStringLiteral("standin-client");
        QString clientSecret = QStringLiteral("standin-secret");
        QString projectName = QStringLiteral("OpenAPS Data Commons (stand-in)");
        QString projectId = QStringLiteral("1");
        QUrl redirectUri; // when set, authorize and token insist on exactly this one
        std::chrono::seconds accessTokenLifetime { 36000 }; // as Open Humans
        std::chrono::seconds downloadUrlLifetime { 3600 };
        int pageSize = 100; // files per exchange-member page
        bool reportFileSizes = false; // Open Humans does not document `size`
        bool rejectPutContentType = true; // like a signed S3 URL made without one
        Clock clock; // defaults to the system clock
        // Where POST /member/leave/ sends the deauthorisation notice, signed
        // with webhookSecret (the demo generates one and gives it to both sides).
        QUrl webhookUrl;
        QByteArray webhookSecret;
    };

    enum class Endpoint {
        Authorize,
        Token,
        ExchangeMember,
        DownloadRedirect, // download_url → 302 to storage
        StorageGet,
        UploadDirect,
        StoragePut,
        UploadComplete,
        Delete,
        ProjectMembers, // the master token's member list
    };

    // What a storage PUT carried, for tests that check no Content-Type was sent.
    struct PutRecord
    {
        QString fileId;
        bool hadContentType = false;
        QByteArray contentType;
    };

    struct WebhookOptions
    {
        QByteArray secret; // signs the body when not empty
        bool erasureRequested = false;
        bool doubleEncoded = false; // the older form: JSON inside a JSON string
    };

    // `nam` is used only to send webhooks.
    OpenHumansStandIn(Options options, QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~OpenHumansStandIn() override;

    // Listens on 127.0.0.1; port 0 picks a free one.
    Result<quint16> listen(quint16 port = 0);
    QUrl baseUrl() const;
    const Options &options() const { return m_options; }

    // Members and their files (test and demo set-up).
    QString addMember(const QString &projectMemberId = {}) { return m_store.addMember(projectMemberId); }
    QString addFile(const QString &memberId, const QString &basename, const QByteArray &content,
                    const QString &description = {}, const QStringList &tags = {});
    QList<OpenHumansStoredFile> files(const QString &memberId) const { return m_store.files(memberId); }
    OpenHumansStore &store() { return m_store; }

    // The project's master access token: it lists every member and acts for
    // any one of them (project_member_id). A zero lifetime never expires (the
    // project turned expiry off); Open Humans makes them for 24 hours.
    QString issueMasterToken(std::chrono::seconds lifetime = std::chrono::hours(24))
    {
        return m_store.issueMasterToken(lifetime);
    }
    void expireMasterTokens() { m_store.expireMasterTokens(); }

    // What the Approve button does, without a browser: a code for redirectUri.
    QString approve(const QString &memberId, const QUrl &redirectUri);
    // The member withdrew from the project: their tokens stop working.
    void revokeMember(const QString &memberId) { m_store.revoke(memberId); }

    // POSTs the deauthorisation notice to `url` like Open Humans does; the
    // callback gets the receiver's HTTP status (or a transport Error).
    void sendDeauthWebhook(const QUrl &url, const QString &memberId, const WebhookOptions &options, QObject *context,
                           std::function<void(Result<int>)> done);

    // Fault switches and request counters, per endpoint group.
    void setFaults(Endpoint endpoint, const StandInFaults &faults) { m_faults.insert(endpoint, faults); }
    void clearFaults() { m_faults.clear(); }
    int requestCount(Endpoint endpoint) const { return m_counts.value(endpoint); }
    void resetCounts() { m_counts.clear(); }
    QList<PutRecord> puts() const { return m_puts; }

private:
    // What the endpoints read of a request; a copy, because with latency the
    // work runs after QHttpServer's request object is gone.
    struct Request
    {
        explicit Request(const QHttpServerRequest &request);
        // By case-insensitive name; `found` tells absent from empty.
        QByteArray header(const QByteArray &name, bool *found = nullptr) const;
        QUrlQuery form() const; // the body's form fields
        QUrl url;
        QUrlQuery query;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
    };
    using Handler = std::function<StandInReply(const Request &)>;
    using FileHandler = std::function<StandInReply(const QString &fileId, const Request &)>;
    // For API endpoints: runs only with a valid access token, for its member.
    using MemberHandler = std::function<StandInReply(const QString &memberId, const Request &)>;
    void addRoute(const QString &path, QHttpServerRequest::Method method, Endpoint endpoint, Handler handler);
    void addMemberRoute(const QString &path, QHttpServerRequest::Method method, Endpoint endpoint,
                        MemberHandler handler);
    void addFileRoute(const QString &path, QHttpServerRequest::Method method, Endpoint endpoint, FileHandler handler);
    void answer(Endpoint endpoint, QHttpServerResponder &&responder, StandInReplySender::Producer produce);
    void addRoutes();

    // openhumansstandinoauth.cpp
    StandInReply authorizePage(const Request &request);
    StandInReply approveForm(const Request &request);
    StandInReply token(const Request &request);

    // openhumansstandinfiles.cpp
    struct Page
    {
        int begin = 0;
        int end = 0;
        QJsonValue next;
        QJsonValue previous;
    };
    // limit/offset pagination over `total` items, links as Django REST framework makes them.
    Page page(const Request &request, int total) const;
    QJsonObject fileObject(const OpenHumansStoredFile &file) const;
    StandInReply projectMembers(const Request &request);
    StandInReply exchangeMember(const QString &memberId, const Request &request);
    StandInReply downloadRedirect(const QString &fileId, const Request &request);
    StandInReply storageGet(const QString &fileId, const Request &request);
    StandInReply uploadDirect(const QString &memberId, const Request &request);
    StandInReply storagePut(const QString &fileId, const Request &request);
    StandInReply uploadComplete(const QString &memberId, const Request &request);
    StandInReply deleteFiles(const QString &memberId, const Request &request);

    // The member behind the request's access token, or the 401 to send.
    bool authenticate(const Request &request, QString *memberId, StandInReply *refusal) const;
    // Signed, expiring URLs: `purpose` keeps a download link from working as a PUT link.
    QUrl signedUrl(const QString &path, const QByteArray &purpose, const QString &fileId) const;
    bool checkSignature(const Request &request, const QByteArray &purpose, const QString &fileId,
                        StandInReply *refusal) const;

    Options m_options;
    QNetworkAccessManager *m_nam;
    OpenHumansStore m_store;
    QHttpServer m_server;
    StandInReplySender m_sender;
    QByteArray m_signingKey;
    quint16 m_port = 0;
    QHash<Endpoint, StandInFaults> m_faults;
    QHash<Endpoint, int> m_counts;
    QList<PutRecord> m_puts;
};

} // namespace openaps::standins
