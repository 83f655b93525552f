#include "exportharness.h"

#include "db/migrations.h"

#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStringList>

namespace openaps::test {

using api::AccessScope;
using api::Researcher;

QByteArray ApiReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QJsonObject ApiReply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

namespace {

Result<Researcher> fakeAuthenticate(const QString &token)
{
    const QByteArray auth = "Bearer " + token.toLatin1();
    const auto researcher = [](qint64 id, AccessScope scope, bool admin) {
        Researcher r;
        r.id = id;
        r.scope = scope;
        r.isAdmin = admin;
        r.name = QStringLiteral("Researcher %1").arg(id);
        return r;
    };
    if (auth == "Bearer " + tokens::openaps)
        return researcher(11, AccessScope::OpenAps, false);
    if (auth == "Bearer " + tokens::nsf)
        return researcher(12, AccessScope::Nsf, false);
    if (auth == "Bearer " + tokens::all)
        return researcher(13, AccessScope::All, true);
    return makeError("bad-token", QStringLiteral("Your sign-in has expired. Please sign in again."));
}

} // namespace

ExportHarness::ExportHarness(const QString &backend, const AuthFactory &makeAuth)
    : m_db(std::make_unique<TestDatabase>(backend))
{
    if (!m_db->isValid())
        return;
    m_database = m_db->database();
    if (!db::migrate(*m_database))
        return;
    start(makeAuth);
}

ExportHarness::ExportHarness(const db::Database &database, std::shared_ptr<db::ReadReplica> replica)
    : m_database(database),
      m_replica(std::move(replica))
{
    start({});
}

void ExportHarness::start(const AuthFactory &makeAuth)
{
    m_web = std::make_unique<http::WebServer>(*m_database);
    m_authenticate = makeAuth ? makeAuth(*m_database) : fakeAuthenticate;
    m_api = std::make_unique<api::ExportApi>(*m_database, m_authenticate);
    if (m_replica) {
        m_web->setReadReplica(m_replica);
        m_api->setReadReplica(m_replica);
    }
    m_api->install(*m_web);
    m_valid = m_web->listen(QHostAddress::LocalHost, 0).ok();
}

api::CohortApi &ExportHarness::installCohortApi(int minParticipants)
{
    m_cohort = std::make_unique<api::CohortApi>(*m_database, m_authenticate, minParticipants);
    m_cohort->setReadReplica(m_replica);
    m_cohort->install(*m_web);
    return *m_cohort;
}

api::ReleaseApi &ExportHarness::installReleaseApi(const api::ReleaseSettings &settings, Clock clock)
{
    m_releases = std::make_unique<api::ReleaseApi>(*m_database, m_authenticate, settings, std::move(clock));
    m_releases->setReadReplica(m_replica);
    m_releases->install(*m_web);
    return *m_releases;
}

ExportHarness::~ExportHarness()
{
    m_releases.reset();
    m_cohort.reset();
    m_api.reset();
    m_web.reset();
    if (m_database)
        m_database->closeConnection();
}

bool ExportHarness::insert(const QString &table, const QVariantMap &values)
{
    auto conn = m_database->connection();
    if (!conn)
        return false;
    QStringList columns, marks;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        columns << QLatin1Char('"') + it.key() + QLatin1Char('"');
        marks << QStringLiteral("?");
    }
    QSqlQuery q(*conn);
    q.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                      .arg(table, columns.join(QLatin1Char(',')), marks.join(QLatin1Char(','))));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec()) {
        qWarning("insert into %s failed: %s", qPrintable(table), qPrintable(q.lastError().text()));
        return false;
    }
    return true;
}

bool ExportHarness::seed()
{
    const QVariant null;
    const char *times[] = { t0, t1, t2 };
    bool ok = true;
    for (int member : { 101, 102, 103 }) {
        const int source = member - 101;
        for (int k = 0; k < 3; ++k) {
            const QString id = QStringLiteral("%1-%2").arg(member).arg(k);
            const QString time = QLatin1String(times[k]);
            QVariantMap entry { { QStringLiteral("user_id"), member },
                                { QStringLiteral("id"), QString(QLatin1Char('e') + id) },
                                { QStringLiteral("sgv"), 100.0 + k },
                                { QStringLiteral("type"), QStringLiteral("sgv") },
                                { QStringLiteral("source_entity"), source },
                                { QStringLiteral("raw_json"), QStringLiteral("{\"sgv\": %1}").arg(100 + k) },
                                { QStringLiteral("date"), time },
                                { QStringLiteral("utc_offset"), -300 } };
            if (member == 101 && k == 0) {
                entry[QStringLiteral("sgv")] = 120.0;
                entry[QStringLiteral("device")] = QStringLiteral("xDrip, \"quoted\"\nline2 ünï ✓");
                entry[QStringLiteral("delta")] = -1.5;
                entry[QStringLiteral("unfiltered")] = 0.0001;
                entry[QStringLiteral("slope")] = 1e20;
                entry[QStringLiteral("system_time")] = QString(QLatin1String(""));
                entry[QStringLiteral("raw_json")] = QStringLiteral("{\"sgv\": 120, \"device\": \"xDrip\"}");
            }
            ok = ok && insert(QStringLiteral("entries"), entry);
            ok = ok
                    && insert(QStringLiteral("treatments"),
                              { { QStringLiteral("user_id"), member },
                                { QStringLiteral("id"), QString(QLatin1Char('t') + id) },
                                { QStringLiteral("event_type"), QStringLiteral("Meal Bolus") },
                                { QStringLiteral("timestamp"), time },
                                { QStringLiteral("insulin"), 1.25 },
                                { QStringLiteral("carbs"), k == 1 ? null : QVariant(30.0) },
                                { QStringLiteral("notes"), QStringLiteral("pizza, \"large\"") },
                                { QStringLiteral("source_entity"), source },
                                { QStringLiteral("raw_json"), QStringLiteral("{\"insulin\": 1.25}") },
                                { QStringLiteral("created_at"), time },
                                { QStringLiteral("utc_offset"), 60 } });
            ok = ok
                    && insert(QStringLiteral("device_status"),
                              { { QStringLiteral("user_id"), member },
                                { QStringLiteral("id"), QString(QLatin1Char('d') + id) },
                                { QStringLiteral("device"), QStringLiteral("openaps://rig") },
                                { QStringLiteral("pump_bolusing"), true },
                                { QStringLiteral("pump_suspended"), false },
                                { QStringLiteral("loop_iob"), 0.5 },
                                { QStringLiteral("source_entity"), source },
                                { QStringLiteral("raw_json"), QStringLiteral("{\"device\": \"openaps://rig\"}") },
                                { QStringLiteral("created_at"), time },
                                { QStringLiteral("utc_offset"), 0 } });
            ok = ok
                    && insert(QStringLiteral("device_status_metrics"),
                              { { QStringLiteral("user_id"), member },
                                { QStringLiteral("device_status_id"), QString(QLatin1Char('d') + id) },
                                { QStringLiteral("iob_iob"), 0.5 },
                                { QStringLiteral("iob_timestamp"), time },
                                { QStringLiteral("suggested_bg"), 110.0 },
                                { QStringLiteral("source_entity"), source },
                                { QStringLiteral("created_at"), time },
                                { QStringLiteral("utc_offset"), 0 } });
            ok = ok
                    && insert(QStringLiteral("profile"),
                              { { QStringLiteral("user_id"), member },
                                { QStringLiteral("id"), QString(QLatin1Char('p') + id) },
                                { QStringLiteral("default_profile"), QStringLiteral("Default") },
                                { QStringLiteral("mills"), qint64(1704067200000) },
                                { QStringLiteral("units"), QStringLiteral("mg/dl") },
                                { QStringLiteral("timezone"), QStringLiteral("Europe/Berlin") },
                                { QStringLiteral("start_date"), time },
                                { QStringLiteral("source_entity"), source },
                                { QStringLiteral("raw_json"), QStringLiteral("{\"units\": \"mg/dl\"}") },
                                { QStringLiteral("created_at"), time },
                                { QStringLiteral("utc_offset"), 60 } });
        }
    }
    for (int member : { 101, 102, 103, 999 }) {
        ok = ok
                && insert(QStringLiteral("member_demographics"),
                          { { QStringLiteral("user_id"), member },
                            { QStringLiteral("ts"), QString::fromLatin1(t0) },
                            { QStringLiteral("birth_year"), 1980 },
                            { QStringLiteral("gender"), QStringLiteral("Female") },
                            { QStringLiteral("insulin_units_per_day"), 42.5 },
                            { QStringLiteral("survey"), QStringLiteral("openaps") },
                            { QStringLiteral("inserted_ts"), QString::fromLatin1(t1) } });
    }
    return ok;
}

bool ExportHarness::seedBulk(int count, int jsonBytes)
{
    auto conn = m_database->connection();
    if (!conn || !conn->transaction())
        return false;
    QSqlQuery q(*conn);
    q.prepare(QStringLiteral("INSERT INTO entries (user_id, id, sgv, source_entity, raw_json, \"date\") "
                             "VALUES (?, ?, ?, ?, ?, ?)"));
    const QString padding(jsonBytes, QLatin1Char('x'));
    for (int i = 0; i < count; ++i) {
        q.addBindValue(101);
        q.addBindValue(QStringLiteral("bulk-%1").arg(i));
        q.addBindValue(90.0 + i % 100);
        q.addBindValue(0);
        q.addBindValue(QStringLiteral("{\"pad\": \"%1\"}").arg(padding));
        q.addBindValue(QStringLiteral("2024-02-01T00:00:00.000Z"));
        if (!q.exec()) {
            qWarning("bulk insert failed: %s", qPrintable(q.lastError().text()));
            conn->rollback();
            return false;
        }
    }
    return conn->commit();
}

QUrl ExportHarness::url(const QString &pathAndQuery) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_web->port()).arg(pathAndQuery));
}

QNetworkRequest ExportHarness::request(const QString &pathAndQuery, const QByteArray &token) const
{
    QNetworkRequest request(url(pathAndQuery));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token);
    return request;
}

ApiReply ExportHarness::get(const QString &pathAndQuery, const QByteArray &token)
{
    return send("GET", pathAndQuery, {}, {}, token);
}

ApiReply ExportHarness::send(const QByteArray &verb, const QString &pathAndQuery, const QByteArray &body,
                             const QList<std::pair<QByteArray, QByteArray>> &headers, const QByteArray &token)
{
    QNetworkRequest r = request(pathAndQuery, token);
    if (!body.isEmpty())
        r.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    for (const auto &[name, value] : headers)
        r.setRawHeader(name, value);
    QNetworkReply *reply = m_nam.sendCustomRequest(r, verb, body);
    QSignalSpy done(reply, &QNetworkReply::finished);
    ApiReply out;
    if (!done.wait(20000)) {
        reply->abort();
        out.error = QNetworkReply::TimeoutError;
    } else {
        out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        out.body = reply->readAll();
        out.error = reply->error();
        out.headers = reply->rawHeaderPairs();
    }
    reply->deleteLater();
    return out;
}

QNetworkReply *ExportHarness::startSlowDownload(const QString &pathAndQuery, const QByteArray &token)
{
    QNetworkReply *reply = m_nam.get(request(pathAndQuery, token));
    reply->setReadBufferSize(16 * 1024);
    QSignalSpy ready(reply, &QNetworkReply::readyRead);
    if (!ready.wait(20000)) {
        delete reply;
        return nullptr;
    }
    return reply;
}

bool ExportHarness::someoneWaitsForALock() const
{
    QSqlQuery q(*m_database->connection());
    return q.exec(QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND datname = current_database()"))
            && q.next() && q.value(0).toInt() > 0;
}

TableLock::TableLock(const db::Database &database, const QString &table)
{
    std::promise<bool> locked;
    m_locked = locked.get_future().share();
    const QSqlDatabase mine = *database.connection();
    const QString name = QStringLiteral("locker-") + table;
    m_thread = std::thread(
            [this, mine, name, table, locked = std::move(locked), released = m_release.get_future()]() mutable {
                {
                    QSqlDatabase db = QSqlDatabase::cloneDatabase(mine, name);
                    bool ok = db.open();
                    QSqlQuery q(db);
                    ok = ok && q.exec(QStringLiteral("BEGIN"))
                            && q.exec(QStringLiteral("LOCK TABLE %1 IN ACCESS EXCLUSIVE MODE").arg(table));
                    locked.set_value(ok);
                    if (released.wait_for(std::chrono::seconds(60)) == std::future_status::timeout)
                        m_timedOut = true;
                    q.exec(QStringLiteral("COMMIT"));
                    db.close();
                }
                QSqlDatabase::removeDatabase(name);
            });
}

void TableLock::release()
{
    if (!m_thread.joinable())
        return;
    m_release.set_value();
    m_thread.join();
}

QList<QVariantMap> ExportHarness::auditRows() const
{
    m_api->waitForAuditWrites(); // written on a worker once a download ended
    QList<QVariantMap> rows;
    auto conn = m_database->connection();
    if (!conn)
        return rows;
    QSqlQuery q(*conn);
    if (!q.exec(QStringLiteral("SELECT * FROM download_audit ORDER BY id")))
        return rows;
    while (q.next()) {
        QVariantMap row;
        const QSqlRecord record = q.record();
        for (int i = 0; i < record.count(); ++i)
            row.insert(record.fieldName(i), q.value(i));
        rows.append(row);
    }
    return rows;
}

} // namespace openaps::test
