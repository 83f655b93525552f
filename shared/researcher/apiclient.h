#pragma once

#include "core/httpcall.h"
#include "core/result.h"
#include "researcher/apitypes.h"
#include "researcher/listings.h"
#include "researcher/releasetypes.h"

#include <QObject>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace openaps::researcher {

class DownloadJob;

// The researcher API (v1) as the desktop downloader uses it. One call per
// method; each answers once through its callback, on the thread of the
// network manager, unless `context` was destroyed first. Errors carry plain
// words (apierrors.h). The bearer token lives in this object's memory only.
// Any answer 401 `bad-token` forgets the token and emits signInRequired().
class ApiClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiClient)

public:
    template <typename T> using Callback = std::function<void(Result<T>)>;
    using StatusCallback = std::function<void(Status)>;

    explicit ApiClient(QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~ApiClient() override;

    void setServerUrl(const QUrl &url);
    QUrl serverUrl() const { return m_server; }
    // The full URL of an API path ("login" → <server>/api/v1/login).
    QUrl endpoint(const QString &path, const QUrlQuery &query = {}) const;

    bool isSignedIn() const { return !m_session.token.isEmpty(); }
    const Account &account() const { return m_session.researcher; }

    // Accounts
    void terms(QObject *context, Callback<TermsOfUse> done);
    void apply(const Application &application, QObject *context, StatusCallback done);
    void verify(const QString &email, const QString &code, QObject *context, StatusCallback done);
    void resendCode(const QString &email, QObject *context, StatusCallback done);
    void login(const QString &email, const QString &password, QObject *context, Callback<Account> done);
    void me(QObject *context, Callback<Account> done);
    void logout(QObject *context, StatusCallback done);
    void forgotPassword(const QString &email, QObject *context, StatusCallback done);
    void resetPassword(const QString &email, const QString &code, const QString &password, QObject *context,
                       StatusCallback done);

    // Data
    void datasets(QObject *context, Callback<QList<Dataset>> done);
    void count(const ExportFilter &filter, QObject *context, Callback<qint64> done);
    // A download into `folder`; start() it. The job belongs to `parent`.
    DownloadJob *download(const ExportFilter &filter, const QString &folder, QObject *parent);
    // `GET /cohort/{view}?from=&to=` (invalid times: no window): the answer's
    // JSON as it came, for parseCohortView on a worker thread.
    void cohortView(const QString &view, const QDateTime &from, const QDateTime &to, QObject *context,
                    Callback<QByteArray> done);
    // `GET /participants`: everyone in the scope with glucose data.
    void participants(QObject *context, Callback<QList<Participant>> done);
    // The whole-history rows of participant_summary (its NDJSON export, read
    // line by line as it arrives: the monthly rows are never kept).
    void participantSummaries(QObject *context, Callback<QList<ParticipantSummary>> done);

    // Releases (README "Releases"); a ReleaseJob drives the whole way.
    void createRelease(const ReleaseRequest &request, QObject *context, Callback<ReleaseInfo> done);
    void release(qint64 id, QObject *context, Callback<ReleaseInfo> done);
    void releases(QObject *context, Callback<QList<ReleaseInfo>> done); // newest first
    // Cancels a queued or running release, or removes a ready one's file on the server.
    void cancelRelease(qint64 id, QObject *context, Callback<ReleaseInfo> done);

    // Admin
    void listResearchers(const QString &status, QObject *context, Callback<QList<Account>> done);
    void approve(qint64 id, const QString &scope, QObject *context, Callback<Account> done);
    // The reason is emailed to the applicant.
    void reject(qint64 id, const QString &reason, QObject *context, Callback<Account> done);
    void deactivate(qint64 id, QObject *context, Callback<Account> done);
    // `GET /admin/usage?from=&to=` (invalid times: open ends).
    void usage(const QDateTime &from, const QDateTime &to, QObject *context, Callback<QList<UsageRow>> done);
    // `GET /admin/downloads`: one page of the download log, newest first.
    void downloadLog(const DownloadLogQuery &query, QObject *context, Callback<DownloadLogPage> done);

    // For the download job: a request to an API path with the bearer token,
    // the manager to send it with, and where a bad-token answer is reported.
    HttpRequest request(const QString &path, const QUrlQuery &query = {}) const;
    QNetworkAccessManager *network() const { return m_nam; }
    void noteError(const Error &error);

signals:
    void signInRequired(const QString &message);
    void signedInChanged(bool signedIn);

private:
    using RawCallback = std::function<void(Result<HttpResponse>)>;
    void send(const QByteArray &verb, const QString &path, const QUrlQuery &query, const QJsonObject *body,
              QObject *context, RawCallback done);
    void sendForStatus(const QByteArray &verb, const QString &path, const QJsonObject &body, QObject *context,
                       StatusCallback done);
    void sendForAccount(const QByteArray &verb, const QString &path, const QJsonObject *body, QObject *context,
                        Callback<Account> done);
    void forget();

    QNetworkAccessManager *m_nam;
    QUrl m_server;
    Session m_session;
};

} // namespace openaps::researcher
