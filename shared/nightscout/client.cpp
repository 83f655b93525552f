#include "nightscout/client.h"

#include "nightscout/messages.h"
#include "nightscout/nightscoutlog.h"
#include "nightscout/probejob.h"
#include "nightscout/recordreader.h"

#include <QJsonParseError>

Q_LOGGING_CATEGORY(lcNightscout, "openaps.shared.nightscout", QtInfoMsg)

namespace openaps::ns {

Client::Client(QNetworkAccessManager *nam, SiteUrl site, Credentials credentials, ClientOptions options,
               QObject *parent)
    : QObject(parent),
      m_nam(nam),
      m_site(std::move(site)),
      m_credentials(std::move(credentials)),
      m_options(std::move(options))
{ }

ProbeJob *Client::probe()
{
    return new ProbeJob(this);
}

RecordReader *Client::read(Collection collection, const QDateTime &after, const QDateTime &upTo)
{
    return new RecordReader(this, collection, after, upTo);
}

void Client::get(const QString &path, const QUrlQuery &query, QObject *context, HttpCall::Callback callback,
                 int maxAttempts)
{
    QUrl url = m_site.apiUrl(path, query);
    HttpRequest request;
    m_credentials.applyTo(url, request.request);
    request.request.setUrl(url);
    request.request.setRawHeader("Accept", "application/json");
    // A redirect could lead anywhere, also inside our own network.
    request.request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.timeout = m_options.timeout;
    request.maxAttempts = maxAttempts > 0 ? maxAttempts : m_options.maxAttempts;
    request.firstBackoff = m_options.firstBackoff;
    request.maxResponseBytes = m_options.maxResponseBytes;
    const Resolver resolve = m_options.resolver ? m_options.resolver : systemResolver();
    const QString host = url.host();
    resolve(host, context,
            [nam = m_nam, request = std::move(request), context, callback = std::move(callback), host,
             scope = m_options.addresses, logId = m_site.logId()](const QList<QHostAddress> &addresses) mutable {
                if (addresses.isEmpty())
                    return callback(makeError("unreachable", QStringLiteral("The server name could not be found.")));
                // Every address the name has must be allowed: a name that also
                // points inward could be answered differently next time.
                for (const QHostAddress &address : addresses) {
                    if (const QString kind = refusedAddressKind(address, scope); !kind.isEmpty()) {
                        qCWarning(lcNightscout, "site %s: refused, its name leads to a %s address", qPrintable(logId),
                                  qPrintable(kind));
                        return callback(makeError("not-public",
                                                  QStringLiteral("The address does not lead to a public web site.")));
                    }
                }
                pinTo(request.request, addresses.first(), host);
                HttpCall::start(nam, std::move(request), context, std::move(callback));
            });
}

void Client::pinTo(QNetworkRequest &request, const QHostAddress &address, const QString &host)
{
    QUrl url = request.url();
    const bool defaultPort = url.port() < 0;
    url.setHost(address.toString());
    request.setUrl(url);
    if (QHostAddress(host).isNull()) {
        // The site is named: it gets its name in Host and in TLS (SNI and the
        // certificate check) although the connection goes to `address`.
        request.setRawHeader("Host", (defaultPort ? host : host + u':' + QString::number(url.port())).toUtf8());
        request.setPeerVerifyName(host);
        // HTTP/2 would send the address as :authority, not the name.
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    }
}

void Client::getJson(const QString &path, const QUrlQuery &query, QObject *context, JsonCallback callback,
                     int maxAttempts)
{
    const auto kind = m_credentials.kind();
    get(
            path, query, context,
            [callback = std::move(callback), kind](const Result<HttpResponse> &response) {
                callback(interpretJson(response, kind));
            },
            maxAttempts);
}

Result<QJsonDocument> Client::interpretJson(const Result<HttpResponse> &response, Credentials::Kind credentialKind)
{
    if (!response) {
        const Error &e = response.error();
        return Error { e.code, QStringLiteral("Your Nightscout site could not be reached: ") + e.message };
    }
    const int status = response->status;
    if (status >= 300 && status < 400)
        return redirectedError();
    if (status == 401 || status == 403) {
        if (credentialKind == Credentials::Kind::None)
            return needsCredentialsError();
        return credentialsRejectedError(credentialKind);
    }
    if (status == 404)
        return makeError("not-found",
                         QStringLiteral("Your Nightscout site does not offer this kind "
                                        "of data (it answered \"not found\")."));
    if (status < 200 || status >= 300)
        return makeError("http",
                         QStringLiteral("Your Nightscout site answered with error %1. It may "
                                        "be down or overloaded; we will try again later.")
                                 .arg(status));
    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(response->body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return makeError("malformed",
                         QStringLiteral("Your Nightscout site sent an answer that is not valid data "
                                        "(%1 at byte %2 of %3; the answer may have been cut off).")
                                 .arg(parseError.errorString())
                                 .arg(parseError.offset)
                                 .arg(response->body.size()));
    return doc;
}

} // namespace openaps::ns
