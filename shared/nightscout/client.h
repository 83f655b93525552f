#pragma once

#include "core/httpcall.h"
#include "core/result.h"
#include "nightscout/addresspolicy.h"
#include "nightscout/collection.h"
#include "nightscout/credentials.h"
#include "nightscout/siteurl.h"

#include <QJsonDocument>
#include <QObject>

#include <chrono>
#include <functional>

class QNetworkAccessManager;

namespace openaps::ns {

class ProbeJob;
class RecordReader;

struct ClientOptions
{
    std::chrono::milliseconds timeout { 30000 }; // per attempt
    int maxAttempts = 3; // 5xx, 429 and timeouts are retried with backoff
    std::chrono::milliseconds firstBackoff { 1000 };
    int pageSize = 1000; // records asked for per request (`count`)
    // When more records than a page share one timestamp the page grows up
    // to this size before the read gives up with "too-many-same-time".
    int maxPageSize = 64000;
    qint64 maxResponseBytes = 128 * 1024 * 1024;
    // Which addresses requests may go to (OPENAPS_NIGHTSCOUT_ALLOW_LOOPBACK
    // for the demo and tests); checked on the address actually connected to.
    AddressScope addresses = AddressScope::PublicOnly;
    Resolver resolver; // empty: the system's DNS
};

// A Nightscout site as seen through its v1 API, with the credentials to read
// it. Hands out one job per operation; jobs run on the thread of `nam`, emit
// finished() once and then delete themselves.
class Client final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Client)

public:
    using JsonCallback = std::function<void(Result<QJsonDocument>)>;

    Client(QNetworkAccessManager *nam, SiteUrl site, Credentials credentials, ClientOptions options = {},
           QObject *parent = nullptr);

    const SiteUrl &site() const { return m_site; }
    const Credentials &credentials() const { return m_credentials; }
    const ClientOptions &options() const { return m_options; }

    // Tells whether the site can be read with the credentials. Call start().
    ProbeJob *probe();

    // Records of `collection` with after < date field <= upTo, newest first,
    // page by page. Call start().
    RecordReader *read(Collection collection, const QDateTime &after, const QDateTime &upTo);

    // GET /api/v1/<path> with the credentials; the callback gets the parsed
    // JSON or an Error (see errors in the .cpp). `context` going away cancels.
    void getJson(const QString &path, const QUrlQuery &query, QObject *context, JsonCallback callback,
                 int maxAttempts = -1);

    // One raw exchange, for callers that interpret statuses themselves. The
    // host is resolved here and the request goes to the checked address
    // itself (with the name as Host and TLS peer name), so a second DNS
    // answer cannot point it elsewhere; redirects are not followed.
    // Errors beyond HttpCall's: "not-public" (the name leads to an address
    // that is not allowed), "unreachable" (the name is unknown).
    void get(const QString &path, const QUrlQuery &query, QObject *context, HttpCall::Callback callback,
             int maxAttempts = -1);

    // Maps a transport result or HTTP answer to parsed JSON or an Error with
    // a plain-words message. Codes: unreachable, timeout, too-large,
    // unauthorized, not-found, http, malformed (a redirect is "unreachable").
    static Result<QJsonDocument> interpretJson(const Result<HttpResponse> &response, Credentials::Kind credentialKind);

private:
    // Sends `request` to `address` while it still names `host`.
    static void pinTo(QNetworkRequest &request, const QHostAddress &address, const QString &host);

    QNetworkAccessManager *m_nam;
    SiteUrl m_site;
    Credentials m_credentials;
    ClientOptions m_options;
};

} // namespace openaps::ns
