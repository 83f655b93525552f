#include "researcher/apiclient.h"

#include "core/httpcall.h"
#include "core/wholenumber.h"
#include "researcher/apierrors.h"
#include "researcher/downloadjob.h"
#include "researcher/researcherlog.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

#include <memory>

namespace openaps::researcher {

Q_LOGGING_CATEGORY(lcResearcher, "openaps.shared.researcher", QtInfoMsg)

namespace {

QJsonObject object(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

Error badAnswer()
{
    return Error { QStringLiteral("bad-answer"), plainWords(QStringLiteral("bad-answer")) };
}

} // namespace

ApiClient::ApiClient(QNetworkAccessManager *nam, QObject *parent) : QObject(parent), m_nam(nam) { }

ApiClient::~ApiClient() = default;

void ApiClient::setServerUrl(const QUrl &url)
{
    if (url != m_server)
        forget(); // a token is only good for the server that issued it
    m_server = url;
}

QUrl ApiClient::endpoint(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_server;
    QString base = url.path();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    // The demo prints the API's own address (<server>/api/v1): accept it too.
    if (base.endsWith(QLatin1String("/api/v1")))
        base.chop(7);
    url.setPath(base + QLatin1String("/api/v1/") + path);
    url.setQuery(query);
    return url;
}

void ApiClient::forget()
{
    const bool was = isSignedIn();
    m_session = {};
    if (was)
        emit signedInChanged(false);
}

void ApiClient::noteError(const Error &error)
{
    if (!isSignInRequired(error))
        return;
    qCInfo(lcResearcher, "the server no longer accepts the sign-in");
    forget();
    emit signInRequired(error.message);
}

void ApiClient::send(const QByteArray &verb, const QString &path, const QUrlQuery &query, const QJsonObject *body,
                     QObject *context, RawCallback done)
{
    HttpRequest request = this->request(path, query);
    request.verb = verb;
    request.request.setRawHeader("Accept", "application/json");
    if (body) {
        request.request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.body = QJsonDocument(*body).toJson(QJsonDocument::Compact);
    }
    // A repeated POST could apply twice or count against the rate limit.
    request.maxAttempts = verb == "GET" ? 3 : 1;
    request.maxResponseBytes = 16 * 1024 * 1024;
    QPointer<QObject> guard(context);
    HttpCall::start(m_nam, std::move(request), this,
                    [this, guard, hasContext = context != nullptr, done = std::move(done)](Result<HttpResponse> r) {
                        if (hasContext && !guard)
                            return;
                        if (!r) {
                            const QString words = plainWords(r.error().code);
                            done(Error { r.error().code, words.isEmpty() ? r.error().message : words });
                            return;
                        }
                        if (r->status < 200 || r->status >= 300) {
                            const Error error = errorFromAnswer(*r);
                            noteError(error);
                            done(error);
                            return;
                        }
                        done(std::move(r));
                    });
}

void ApiClient::sendForStatus(const QByteArray &verb, const QString &path, const QJsonObject &body, QObject *context,
                              StatusCallback done)
{
    send(verb, path, {}, &body, context,
         [done = std::move(done)](const Result<HttpResponse> &r) { done(r ? Status() : Status(r.error())); });
}

void ApiClient::sendForAccount(const QByteArray &verb, const QString &path, const QJsonObject *body, QObject *context,
                               Callback<Account> done)
{
    send(verb, path, {}, body, context, [done = std::move(done)](Result<HttpResponse> r) {
        if (!r)
            return done(r.error());
        const QJsonObject o = object(r->body);
        if (!o.contains(QLatin1String("email")))
            return done(badAnswer());
        done(Account::fromJson(o));
    });
}

void ApiClient::terms(QObject *context, Callback<TermsOfUse> done)
{
    send("GET", QStringLiteral("terms"), {}, nullptr, context, [done = std::move(done)](Result<HttpResponse> r) {
        if (!r)
            return done(r.error());
        const QJsonObject o = object(r->body);
        TermsOfUse terms { o.value(QLatin1String("version")).toString(), o.value(QLatin1String("text")).toString() };
        if (terms.version.isEmpty() || terms.text.isEmpty())
            return done(badAnswer());
        done(terms);
    });
}

void ApiClient::apply(const Application &application, QObject *context, StatusCallback done)
{
    sendForStatus("POST", QStringLiteral("applications"), application.toJson(), context, std::move(done));
}

void ApiClient::verify(const QString &email, const QString &code, QObject *context, StatusCallback done)
{
    sendForStatus("POST", QStringLiteral("applications/verify"),
                  { { QStringLiteral("email"), email }, { QStringLiteral("code"), code.trimmed() } }, context,
                  std::move(done));
}

void ApiClient::resendCode(const QString &email, QObject *context, StatusCallback done)
{
    sendForStatus("POST", QStringLiteral("applications/resend"), { { QStringLiteral("email"), email } }, context,
                  std::move(done));
}

void ApiClient::login(const QString &email, const QString &password, QObject *context, Callback<Account> done)
{
    forget();
    const QJsonObject body { { QStringLiteral("email"), email }, { QStringLiteral("password"), password } };
    send("POST", QStringLiteral("login"), {}, &body, context, [this, done = std::move(done)](Result<HttpResponse> r) {
        if (!r)
            return done(r.error());
        const QJsonObject o = object(r->body);
        Session session { o.value(QLatin1String("token")).toString(),
                          QDateTime::fromString(o.value(QLatin1String("expires_at")).toString(), Qt::ISODateWithMs),
                          Account::fromJson(o.value(QLatin1String("researcher")).toObject()) };
        if (session.token.isEmpty())
            return done(badAnswer());
        m_session = std::move(session);
        qCInfo(lcResearcher, "signed in as researcher %lld", m_session.researcher.id);
        emit signedInChanged(true);
        done(m_session.researcher);
    });
}

void ApiClient::me(QObject *context, Callback<Account> done)
{
    sendForAccount("GET", QStringLiteral("me"), nullptr, context, std::move(done));
}

void ApiClient::logout(QObject *context, StatusCallback done)
{
    if (!isSignedIn())
        return done({});
    send("POST", QStringLiteral("logout"), {}, nullptr, context,
         [this, done = std::move(done)](const Result<HttpResponse> &r) {
             forget(); // signed out here whatever the server said
             done(r ? Status() : Status(r.error()));
         });
}

void ApiClient::forgotPassword(const QString &email, QObject *context, StatusCallback done)
{
    sendForStatus("POST", QStringLiteral("password/forgot"), { { QStringLiteral("email"), email } }, context,
                  std::move(done));
}

void ApiClient::resetPassword(const QString &email, const QString &code, const QString &password, QObject *context,
                              StatusCallback done)
{
    sendForStatus("POST", QStringLiteral("password/reset"),
                  { { QStringLiteral("email"), email },
                    { QStringLiteral("code"), code.trimmed() },
                    { QStringLiteral("password"), password } },
                  context, std::move(done));
}

void ApiClient::datasets(QObject *context, Callback<QList<Dataset>> done)
{
    send("GET", QStringLiteral("datasets"), {}, nullptr, context, [done = std::move(done)](Result<HttpResponse> r) {
        done(r ? parseDatasets(r->body) : Result<QList<Dataset>>(r.error()));
    });
}

void ApiClient::count(const ExportFilter &filter, QObject *context, Callback<qint64> done)
{
    // /count takes the filters only: the server refuses format and gzip there.
    QUrlQuery query = filter.query();
    query.removeAllQueryItems(QStringLiteral("format"));
    query.removeAllQueryItems(QStringLiteral("gzip"));
    query.removeAllQueryItems(QStringLiteral("spreadsheet_safe"));
    send("GET", QStringLiteral("export/%1/count").arg(filter.datasetSegment()), query, nullptr, context,
         [done = std::move(done)](Result<HttpResponse> r) {
             if (!r)
                 return done(r.error());
             const auto rows = wholeNumber(object(r->body).value(QLatin1String("rows")));
             if (!rows || *rows < 0)
                 return done(badAnswer());
             done(*rows);
         });
}

HttpRequest ApiClient::request(const QString &path, const QUrlQuery &query) const
{
    HttpRequest request;
    request.request.setUrl(endpoint(path, query));
    if (isSignedIn())
        request.request.setRawHeader("Authorization", "Bearer " + m_session.token.toLatin1());
    return request;
}

DownloadJob *ApiClient::download(const ExportFilter &filter, const QString &folder, QObject *parent)
{
    return new DownloadJob(this, filter, folder, parent);
}

void ApiClient::createRelease(const ReleaseRequest &request, QObject *context, Callback<ReleaseInfo> done)
{
    const QJsonObject body = request.toJson();
    send("POST", QStringLiteral("releases"), {}, &body, context, [done = std::move(done)](Result<HttpResponse> r) {
        done(r ? parseRelease(r->body) : Result<ReleaseInfo>(r.error()));
    });
}

void ApiClient::release(qint64 id, QObject *context, Callback<ReleaseInfo> done)
{
    send("GET", QStringLiteral("releases/%1").arg(id), {}, nullptr, context,
         [done = std::move(done)](Result<HttpResponse> r) {
             done(r ? parseRelease(r->body) : Result<ReleaseInfo>(r.error()));
         });
}

void ApiClient::releases(QObject *context, Callback<QList<ReleaseInfo>> done)
{
    send("GET", QStringLiteral("releases"), {}, nullptr, context, [done = std::move(done)](Result<HttpResponse> r) {
        done(r ? parseReleases(r->body) : Result<QList<ReleaseInfo>>(r.error()));
    });
}

void ApiClient::cancelRelease(qint64 id, QObject *context, Callback<ReleaseInfo> done)
{
    send("DELETE", QStringLiteral("releases/%1").arg(id), {}, nullptr, context,
         [done = std::move(done)](Result<HttpResponse> r) {
             done(r ? parseRelease(r->body) : Result<ReleaseInfo>(r.error()));
         });
}

void ApiClient::listResearchers(const QString &status, QObject *context, Callback<QList<Account>> done)
{
    QUrlQuery query;
    if (!status.isEmpty())
        query.addQueryItem(QStringLiteral("status"), status);
    send("GET", QStringLiteral("admin/researchers"), query, nullptr, context,
         [done = std::move(done)](Result<HttpResponse> r) {
             done(r ? parseAccounts(r->body) : Result<QList<Account>>(r.error()));
         });
}

void ApiClient::approve(qint64 id, const QString &scope, QObject *context, Callback<Account> done)
{
    const QJsonObject body { { QStringLiteral("scope"), scope } };
    sendForAccount("POST", QStringLiteral("admin/researchers/%1/approve").arg(id), &body, context, std::move(done));
}

void ApiClient::reject(qint64 id, const QString &reason, QObject *context, Callback<Account> done)
{
    const QJsonObject body { { QStringLiteral("reason"), reason } };
    sendForAccount("POST", QStringLiteral("admin/researchers/%1/reject").arg(id), &body, context, std::move(done));
}

void ApiClient::deactivate(qint64 id, QObject *context, Callback<Account> done)
{
    sendForAccount("POST", QStringLiteral("admin/researchers/%1/deactivate").arg(id), nullptr, context,
                   std::move(done));
}

} // namespace openaps::researcher

namespace openaps::researcher {

namespace {

QUrlQuery window(const QDateTime &from, const QDateTime &to)
{
    QUrlQuery q;
    if (from.isValid())
        q.addQueryItem(QStringLiteral("from"), from.toUTC().toString(Qt::ISODate));
    if (to.isValid())
        q.addQueryItem(QStringLiteral("to"), to.toUTC().toString(Qt::ISODate));
    q.setQueryDelimiters(QLatin1Char('='), QLatin1Char('&'));
    return q;
}

} // namespace

void ApiClient::cohortView(const QString &view, const QDateTime &from, const QDateTime &to, QObject *context,
                           Callback<QByteArray> done)
{
    send("GET", QStringLiteral("cohort/") + QString::fromLatin1(QUrl::toPercentEncoding(view)), window(from, to),
         nullptr, context, [done = std::move(done)](Result<HttpResponse> r) {
             done(r ? Result<QByteArray>(std::move(r->body)) : Result<QByteArray>(r.error()));
         });
}

void ApiClient::participants(QObject *context, Callback<QList<Participant>> done)
{
    send("GET", QStringLiteral("participants"), {}, nullptr, context, [done = std::move(done)](Result<HttpResponse> r) {
        done(r ? parseParticipants(r->body) : Result<QList<Participant>>(r.error()));
    });
}

void ApiClient::participantSummaries(QObject *context, Callback<QList<ParticipantSummary>> done)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("format"), QStringLiteral("ndjson"));
    HttpRequest request = this->request(QStringLiteral("export/participant_summary"), query);
    request.request.setRawHeader("Accept", "application/x-ndjson");
    request.maxAttempts = 1; // the sink cannot take rows back
    request.maxResponseBytes = 1024 * 1024; // error answers only
    struct Lines
    {
        QByteArray pending;
        QList<ParticipantSummary> summaries;
        void take(const QByteArray &line)
        {
            // Most lines are monthly rows: only the whole-history ones are parsed.
            if (line.contains("\"all\""))
                if (auto s = parseSummaryLine(line))
                    summaries.append(std::move(*s));
        }
    };
    auto lines = std::make_shared<Lines>();
    request.sink = [lines](const QByteArray &chunk) {
        lines->pending += chunk;
        qsizetype start = 0;
        for (qsizetype nl; (nl = lines->pending.indexOf('\n', start)) >= 0; start = nl + 1)
            lines->take(lines->pending.mid(start, nl - start));
        lines->pending.remove(0, start);
        return true;
    };
    QPointer<QObject> guard(context);
    HttpCall::start(m_nam, std::move(request), this,
                    [this, guard, lines, done = std::move(done)](Result<HttpResponse> r) {
                        if (!guard)
                            return;
                        if (!r) {
                            const QString words = plainWords(r.error().code);
                            return done(Error { r.error().code, words.isEmpty() ? r.error().message : words });
                        }
                        if (r->status < 200 || r->status >= 300) {
                            const Error error = errorFromAnswer(*r);
                            noteError(error);
                            return done(error);
                        }
                        if (!lines->pending.trimmed().isEmpty())
                            lines->take(lines->pending);
                        done(std::move(lines->summaries));
                    });
}

void ApiClient::usage(const QDateTime &from, const QDateTime &to, QObject *context, Callback<QList<UsageRow>> done)
{
    send("GET", QStringLiteral("admin/usage"), window(from, to), nullptr, context,
         [done = std::move(done)](Result<HttpResponse> r) {
             done(r ? parseUsage(r->body) : Result<QList<UsageRow>>(r.error()));
         });
}

void ApiClient::downloadLog(const DownloadLogQuery &query, QObject *context, Callback<DownloadLogPage> done)
{
    QUrlQuery q = window(query.from, query.to);
    q.addQueryItem(QStringLiteral("limit"), QString::number(query.limit));
    q.addQueryItem(QStringLiteral("offset"), QString::number(query.offset));
    if (query.researcherId > 0)
        q.addQueryItem(QStringLiteral("researcher"), QString::number(query.researcherId));
    if (!query.dataset.isEmpty())
        q.addQueryItem(QStringLiteral("dataset"), query.dataset);
    send("GET", QStringLiteral("admin/downloads"), q, nullptr, context,
         [done = std::move(done)](Result<HttpResponse> r) {
             done(r ? parseDownloadLog(r->body) : Result<DownloadLogPage>(r.error()));
         });
}

} // namespace openaps::researcher
