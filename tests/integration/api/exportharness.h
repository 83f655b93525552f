#pragma once

// The export API on loopback for the integration tests: a throw-away
// database (SQLite or PostgreSQL) with a few rows in every research table,
// the WebServer with ExportApi installed behind a fake authenticator, and a
// small HTTP client on a real QNetworkAccessManager.

#include "api/cohort/cohortapi.h"
#include "api/export/exportapi.h"
#include "api/release/releaseapi.h"
#include "db/database.h"
#include "db/readreplica.h"
#include "http/webserver.h"
#include "testdatabase.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QVariantMap>

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <thread>

namespace openaps::test {

struct ApiReply
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QList<QNetworkReply::RawHeaderPair> headers;

    QByteArray header(const QByteArray &name) const;
    QJsonObject json() const;
};

// Bearer tokens the fake authenticator knows.
namespace tokens {
inline const QByteArray openaps = "token-openaps"; // researcher 11, scope openaps
inline const QByteArray nsf = "token-nsf"; // researcher 12, scope nsf
inline const QByteArray all = "token-all"; // researcher 13, scope all, admin
}

class ExportHarness
{
public:
    // Makes the authenticator for the harness's database; by default the
    // fake one that knows the tokens above.
    using AuthFactory = std::function<api::ExportApi::Authenticate(const db::Database &)>;
    explicit ExportHarness(const QString &backend, const AuthFactory &makeAuth = {});
    // The API over a database made and migrated elsewhere (the ETL's);
    // with `replica`, the heavy reads go there (db/readreplica.h).
    explicit ExportHarness(const db::Database &database, std::shared_ptr<db::ReadReplica> replica = {});
    ~ExportHarness();

    bool isValid() const { return m_valid; }
    db::Database database() const { return *m_database; }
    api::ExportApi &api() { return *m_api; }
    // The cohort views (GET /api/v1/cohort/...) beside the export, with k,
    // behind the same authenticator.
    api::CohortApi &installCohortApi(int minParticipants);
    // The releases (POST /api/v1/releases ...) beside the export, behind the same authenticator.
    api::ReleaseApi &installReleaseApi(const api::ReleaseSettings &settings, Clock clock = systemClock());
    QNetworkAccessManager &nam() { return m_nam; }

    // Members 101 (consent openaps: source_entity 0), 102 (nsf: 1) and 103
    // (both: 2), three rows each in every research table at times t0, t1,
    // t2 below, a survey answer each, and one from member 999 who has no
    // research rows. Member 101's first entry holds the awkward values.
    bool seed();
    static constexpr const char *t0 = "2024-01-01T00:00:00.000Z";
    static constexpr const char *t1 = "2024-01-01T00:05:00.000Z";
    static constexpr const char *t2 = "2024-01-02T00:00:00.000Z";

    // `count` more entries of member 101 with a raw_json of about
    // `jsonBytes` each, for streaming tests.
    bool seedBulk(int count, int jsonBytes);

    bool insert(const QString &table, const QVariantMap &values);
    QUrl url(const QString &pathAndQuery) const;
    QNetworkRequest request(const QString &pathAndQuery, const QByteArray &token) const;
    ApiReply get(const QString &pathAndQuery, const QByteArray &token = tokens::all);
    // Any method, with a JSON body (if not empty) and extra headers.
    ApiReply send(const QByteArray &verb, const QString &pathAndQuery, const QByteArray &body = {},
                  const QList<std::pair<QByteArray, QByteArray>> &headers = {}, const QByteArray &token = tokens::all);
    // Starts a download read 16 KB at a time and waits for its first bytes
    // (nullptr if none came).
    QNetworkReply *startSlowDownload(const QString &pathAndQuery, const QByteArray &token = tokens::all);
    // Whether some session of this PostgreSQL database waits for a lock.
    bool someoneWaitsForALock() const;
    // Rows of download_audit, oldest first, as maps of column → value.
    QList<QVariantMap> auditRows() const;

private:
    void start(const AuthFactory &makeAuth);

    std::unique_ptr<TestDatabase> m_db;
    std::optional<db::Database> m_database;
    std::shared_ptr<db::ReadReplica> m_replica;
    QNetworkAccessManager m_nam;
    std::unique_ptr<http::WebServer> m_web;
    std::unique_ptr<api::ExportApi> m_api;
    api::ExportApi::Authenticate m_authenticate;
    std::unique_ptr<api::CohortApi> m_cohort;
    std::unique_ptr<api::ReleaseApi> m_releases;
    bool m_valid = false;
};

// PostgreSQL: another session holds `table` locked (ACCESS EXCLUSIVE: no
// one reads or writes it) until release() or the destructor, or 60 s.
class TableLock
{
public:
    TableLock(const db::Database &database, const QString &table);
    ~TableLock() { release(); }
    TableLock(const TableLock &) = delete;
    TableLock &operator=(const TableLock &) = delete;

    bool isLocked() { return m_locked.get(); }
    // True while the lock is held (false once 60 s ran out).
    bool stillHeld() const { return !m_timedOut; }
    void release();

private:
    std::promise<void> m_release;
    std::shared_future<bool> m_locked;
    std::atomic<bool> m_timedOut { false };
    std::thread m_thread;
};

} // namespace openaps::test
