#include "crypto/secrets.h"
#include "db/migrations.h"
#include "testdatabase.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

using namespace openaps;
using namespace Qt::StringLiterals;

// sql/postgres/roles.sql, proven by logging in as a LOGIN user that is a
// member of each group role and trying what its job needs and what it must
// not do. PostgreSQL only.
class TestRoles final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void cleanupTestCase();

    void privileges_data();
    void privileges();
    void viewerNeverSeesSecrets();
    void ingestNeverReadsResearch();
    void apiNeverChangesResearch();
    void ownerOwnsAndOnlyOwnerCreates();
    void leastPrivilegeStartUp_data();
    void leastPrivilegeStartUp();
    void unlistedTableFailsLoudly();
    void reapplyIsIdempotent();

private:
    // Prepares the shared database once (migrated, roles applied, seeded,
    // one LOGIN user per role); false on the SQLite row.
    bool fixture();
    db::Database loginAs(const QString &role) const;
    Result<bool> adminQuery(const QString &sql) const;
    // The first column of every row `sql` returns, on the admin connection.
    Result<QStringList> names(const QString &sql) const;
    // SELECT of relation names in schema public (alias c) that meet `condition`.
    static QString publicRelations(const QString &condition);
    // SQL condition on c.relname: a research or derived analytics table.
    static QString isResearch();

    std::unique_ptr<test::TestDatabase> m_tdb;
    std::optional<db::Database> m_admin;
    QString m_userPrefix;
    QMap<QString, QString> m_passwords; // role → password of its LOGIN user
    QString m_setupError;
};

namespace {

const QStringList groupRoles { u"owner"_s, u"web"_s, u"ingest"_s, u"etl"_s, u"api"_s, u"viewer"_s };

// Research and derived tables: the data researchers get.
const QStringList researchTables { u"entries"_s,       u"treatments"_s,
                                   u"device_status"_s, u"device_status_metrics"_s,
                                   u"profile"_s,       u"member_demographics"_s };

} // namespace

#define REQUIRE_FIXTURE()                                                                                              \
    do {                                                                                                               \
        QFETCH_GLOBAL(QString, backend);                                                                               \
        if (backend != QLatin1String("postgres"))                                                                      \
            QSKIP("roles exist only on PostgreSQL");                                                                   \
        QVERIFY2(fixture(), qPrintable(m_setupError));                                                                 \
    } while (false)

bool TestRoles::fixture()
{
    if (m_admin)
        return true;
    if (!m_setupError.isEmpty())
        return false;
    m_setupError = u"setting up the roles fixture failed"_s;
    m_tdb = std::make_unique<test::TestDatabase>(u"postgres"_s);
    if (!m_tdb->isValid())
        return false;
    db::Database admin = m_tdb->database();
    if (auto m = db::migrate(admin); !m) {
        m_setupError = m.error().message;
        return false;
    }
    if (auto r = db::applyRoles(admin); !r) {
        m_setupError = r.error().message;
        return false;
    }
    m_admin = admin;
    m_userPrefix = u"openaps_t"_s + crypto::keyedHash(crypto::randomBytes(16), "user", 6) + u"_"_s;
    for (const QString &role : groupRoles) {
        const QString password = crypto::randomToken(18);
        const auto created = adminQuery(
                u"CREATE ROLE %1 LOGIN PASSWORD '%2' IN ROLE openaps_%3"_s.arg(m_userPrefix + role, password, role));
        if (!created) {
            m_setupError = created.error().message;
            return false;
        }
        m_passwords.insert(role, password);
    }
    const QStringList seed {
        u"INSERT INTO participants (member_id, access_token_enc, refresh_token_enc) "
        "VALUES ('12345678', 'v1:access', 'v1:refresh')"_s,
        u"INSERT INTO entries (user_id, id, sgv, type, source_entity, \"date\", utc_offset) "
        "VALUES (12345678, 'e1', 120, 'sgv', 0, now(), 60)"_s,
        u"INSERT INTO treatments (user_id, id, event_type, created_at) VALUES (12345678, 't1', 'Bolus', now())"_s,
        u"INSERT INTO member_demographics (user_id, ts, survey) VALUES (12345678, now(), 'openaps')"_s,
    };
    for (const QString &sql : seed) {
        if (auto r = adminQuery(sql); !r) {
            m_setupError = r.error().message;
            return false;
        }
    }
    m_setupError.clear();
    return true;
}

db::Database TestRoles::loginAs(const QString &role) const
{
    QUrl url(m_tdb->url());
    url.setUserName(m_userPrefix + role);
    url.setPassword(m_passwords.value(role));
    return db::Database(*db::DatabaseUrl::parse(url.toString()));
}

Result<bool> TestRoles::adminQuery(const QString &sql) const
{
    auto conn = m_tdb->database().connection();
    if (m_admin)
        conn = m_admin->connection();
    if (!conn)
        return conn.error();
    QSqlQuery q(*conn);
    if (!q.exec(sql))
        return db::sqlError("admin query", q.lastError());
    return q.next() ? q.value(0).toBool() : true;
}

void TestRoles::cleanupTestCase()
{
    if (!m_admin)
        return;
    for (const QString &role : groupRoles)
        loginAs(role).closeConnection();
    m_admin->closeConnection();
    m_tdb.reset(); // drops the database
    auto admin = db::DatabaseUrl::parse(test::TestDatabase::postgresAdminUrl());
    const db::Database server(*admin);
    if (auto conn = server.connection()) {
        for (const QString &role : groupRoles)
            QSqlQuery(*conn).exec(u"DROP ROLE IF EXISTS "_s + m_userPrefix + role);
    }
    server.closeConnection();
}

void TestRoles::privileges_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("sql");
    QTest::addColumn<bool>("allowed");
    const auto row = [](const char *role, const char *what, const char *sql, bool allowed) {
        QTest::addRow("%s %s %s", role, allowed ? "may" : "may not", what)
                << QString::fromLatin1(role) << QString::fromUtf8(sql) << allowed;
    };
    const char *readTokens = "SELECT access_token_enc, refresh_token_enc FROM participants";
    const char *insertEntry = "INSERT INTO entries (user_id, id, sgv) VALUES (1, 'x', 100)";
    const char *updateEntries = "UPDATE entries SET sgv = 1";
    const char *deleteEntries = "DELETE FROM entries WHERE user_id = 12345678";

    // viewer (BI tools): research data only, read only, never tokens.
    for (const char *t : { "entries", "treatments", "device_status", "device_status_metrics", "profile",
                           "member_demographics", "source_entities" })
        row("viewer", qPrintable(u"read "_s + QString::fromLatin1(t)),
            qPrintable(u"SELECT * FROM "_s + QString::fromLatin1(t)), true);
    row("viewer", "read member ids", "SELECT member_id FROM participants", false);
    row("viewer", "read tokens", readTokens, false);
    row("viewer", "read tombstones", "SELECT * FROM participant_tombstones", false);
    row("viewer", "read the access token", "SELECT access_token_enc FROM participants", false);
    row("viewer", "read every participant column", "SELECT * FROM participants", false);
    row("viewer", "insert research rows", insertEntry, false);
    row("viewer", "update research rows", updateEntries, false);
    row("viewer", "delete research rows", deleteEntries, false);
    row("viewer", "truncate research tables", "TRUNCATE entries", false);
    row("viewer", "change participants", "UPDATE participants SET deauthorized_at = now()", false);
    row("viewer", "create tables", "CREATE TABLE viewer_t (x INT)", false);
    row("viewer", "drop tables", "DROP TABLE entries", false);

    // researcher API: reads research data, changes none of it, no tokens.
    row("api", "read entries", "SELECT * FROM entries", true);
    row("api", "read demographics", "SELECT * FROM member_demographics", true);
    row("api", "read schema version", "SELECT max(version) FROM schema_migrations", true);
    row("api", "read tokens", readTokens, false);
    row("api", "read member ids", "SELECT member_id FROM participants", false);
    row("api", "read tombstones", "SELECT * FROM participant_tombstones", false);
    row("api", "insert research rows", insertEntry, false);
    row("api", "update research rows", updateEntries, false);
    row("api", "delete research rows", deleteEntries, false);
    row("api", "truncate research tables", "TRUNCATE treatments", false);
    row("api", "update demographics", "UPDATE member_demographics SET survey = 'x'", false);
    row("api", "change participants", "UPDATE participants SET member_id = 'x'", false);
    // the download audit (0041): the API appends and lists, never rewrites; the viewer never reads it
    row("api", "audit a download",
        "INSERT INTO download_audit (researcher_id, dataset, filters, format, started_at, outcome) "
        "VALUES (1, 'entries', '{}', 'csv', now(), 'complete')",
        true);
    row("api", "list downloads", "SELECT * FROM download_audit", true);
    row("api", "rewrite downloads", "UPDATE download_audit SET outcome = 'complete'", false);
    row("api", "delete downloads", "DELETE FROM download_audit", false);
    row("viewer", "read downloads", "SELECT * FROM download_audit", false);

    // ingest: participants' tokens (refresh rotates them), nothing of research.
    row("ingest", "read tokens", readTokens, true);
    row("ingest", "store refreshed tokens",
        "UPDATE participants SET access_token_enc = 'v1:new', refresh_token_enc = 'v1:new2', "
        "token_expires_at = now()",
        true);
    row("ingest", "read entries", "SELECT * FROM entries", false);
    row("ingest", "read treatments", "SELECT * FROM treatments", false);
    row("ingest", "read demographics", "SELECT * FROM member_demographics", false);
    row("ingest", "insert research rows", insertEntry, false);
    // With the master token, ingest and ETL add the project's other members.
    row("ingest", "add project members", "INSERT INTO participants (member_id) VALUES ('999')", true);
    row("ingest", "delete participants", "DELETE FROM participants", false);

    // ETL: loads research tables, reads tokens to list files, nothing else.
    row("etl", "insert research rows", insertEntry, true);
    row("etl", "update research rows", updateEntries, true);
    row("etl", "delete research rows", deleteEntries, true);
    row("etl", "truncate research tables", "TRUNCATE entries", true);
    row("etl", "load demographics", "INSERT INTO member_demographics (user_id, ts) VALUES (1, now())", true);
    row("etl", "stage in a temporary table", "CREATE TEMP TABLE staging (x INT)", true);
    row("etl", "read tokens", readTokens, true);
    row("etl", "store refreshed tokens", "UPDATE participants SET access_token_enc = 'v1:x'", true);
    row("etl", "delete participants", "DELETE FROM participants", false);
    row("etl", "change source entities", "UPDATE source_entities SET name = 'x'", false);
    row("etl", "create tables", "CREATE TABLE etl_t (x INT)", false);
    row("etl", "drop tables", "DROP TABLE entries", false);

    // web (participant site): participants, and erasure of their data.
    row("web", "register participants", "INSERT INTO participants (member_id) VALUES ('87654321')", true);
    row("web", "store tokens", "UPDATE participants SET access_token_enc = 'v1:y'", true);
    row("web", "erase participants", "DELETE FROM participants", true);
    row("web", "erase research rows", deleteEntries, true);
    row("web", "erase demographics", "DELETE FROM member_demographics WHERE user_id = 12345678", true);
    row("web", "insert research rows", insertEntry, false);
    row("web", "update research rows", updateEntries, false);
    row("web", "truncate research tables", "TRUNCATE entries", false);
    row("web", "create tables", "CREATE TABLE web_t (x INT)", false);

    // the research data's generation (0110): the writers of research data bump
    // it (ETL loads, erasure on the site), the API reads it for its cohort cache
    const char *bump = "UPDATE research_generation SET generation = generation + 1";
    row("etl", "bump the research generation", bump, true);
    row("web", "bump the research generation", bump, true);
    row("api", "read the research generation", "SELECT generation FROM research_generation", true);
    row("api", "bump the research generation", bump, false);
    row("ingest", "bump the research generation", bump, false);
    row("viewer", "read the research generation", "SELECT generation FROM research_generation", false);

    // owner (members run migrations).
    row("owner", "alter tables", "ALTER TABLE entries ADD COLUMN extra TEXT", true);
    row("owner", "create tables", "CREATE TABLE owner_t (x INT)", true);
    row("owner", "drop tables", "DROP TABLE profile", true);
}

void TestRoles::privileges()
{
    REQUIRE_FIXTURE();
    QFETCH(QString, role);
    QFETCH(QString, sql);
    QFETCH(bool, allowed);
    const db::Database database = loginAs(role);
    auto conn = database.connection();
    QVERIFY2(conn.ok(), conn.ok() ? "" : qPrintable(conn.error().message));
    // Every attempt is rolled back, so rows do not depend on each other.
    QSqlQuery q(*conn);
    QVERIFY(q.exec(u"BEGIN"_s));
    const bool ok = q.exec(sql);
    const QString error = q.lastError().text();
    QVERIFY(QSqlQuery(*conn).exec(u"ROLLBACK"_s));
    if (allowed) {
        QVERIFY2(ok, qPrintable(error));
    } else {
        QVERIFY2(!ok, "the statement was allowed");
        QVERIFY2(error.contains(u"permission denied"_s) || error.contains(u"must be owner"_s), qPrintable(error));
    }
}

// Each check below asks the catalog for the names that break a rule, so it
// also covers tables that later migrations add.
#define VERIFY_NONE(what, sql)                                                                                         \
    do {                                                                                                               \
        const auto found = names(sql);                                                                                 \
        QVERIFY2(found.ok(), found.ok() ? "" : qPrintable(found.error().message));                                     \
        QVERIFY2(found->isEmpty(), qPrintable(QStringLiteral(what) + u": "_s + found->join(u", "_s)));                 \
    } while (false)

void TestRoles::viewerNeverSeesSecrets()
{
    REQUIRE_FIXTURE();
    VERIFY_NONE("viewer may read",
                // By oid and attnum: a name-based check could be evaluated for
                // catalog tables before the schema filter, and fail.
                u"SELECT c.relname || '.' || a.attname FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p') "
                "AND a.attnum > 0 AND NOT a.attisdropped "
                "AND a.attname ~* '(token|password|secret|hash|email|session|csrf|state|host|code)' "
                "AND has_column_privilege('openaps_viewer', c.oid, a.attnum, 'SELECT')"_s);
    VERIFY_NONE("viewer may touch",
                publicRelations(u"c.relkind IN ('r', 'v', 'm', 'p') AND ("
                                "has_table_privilege('openaps_viewer', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE') "
                                "OR (c.relname ~ '(site_|session|audit|researcher|api_|auth|lease|etl_|ingest_)' "
                                "AND has_table_privilege('openaps_viewer', c.oid, 'SELECT')))"_s));
}

void TestRoles::ingestNeverReadsResearch()
{
    REQUIRE_FIXTURE();
    VERIFY_NONE("ingest may read",
                publicRelations(isResearch() + u" AND has_table_privilege('openaps_ingest', c.oid, 'SELECT')"_s));
}

void TestRoles::apiNeverChangesResearch()
{
    REQUIRE_FIXTURE();
    VERIFY_NONE("the API may change",
                publicRelations(
                        u"(c.relname = 'participants' OR "_s + isResearch()
                        + u") AND has_table_privilege('openaps_api', c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')"_s));
}

void TestRoles::ownerOwnsAndOnlyOwnerCreates()
{
    REQUIRE_FIXTURE();
    VERIFY_NONE(
            "not owned by openaps_owner",
            publicRelations(
                    u"c.relkind IN ('r', 'v', 'm', 'p', 'S') AND pg_get_userbyid(c.relowner) <> 'openaps_owner'"_s));
    VERIFY_NONE(
            "may create tables",
            u"SELECT rolname FROM pg_roles WHERE rolname IN ('openaps_web', 'openaps_ingest', "
            "'openaps_etl', 'openaps_api', 'openaps_viewer') AND has_schema_privilege(rolname, 'public', 'CREATE')"_s);
}

Result<QStringList> TestRoles::names(const QString &sql) const
{
    auto conn = m_admin->connection();
    if (!conn)
        return conn.error();
    QSqlQuery q(*conn);
    if (!q.exec(sql))
        return db::sqlError("a catalog query", q.lastError());
    QStringList found;
    while (q.next())
        found.append(q.value(0).toString());
    return found;
}

QString TestRoles::publicRelations(const QString &condition)
{
    return u"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = 'public' AND "_s
            + condition;
}

QString TestRoles::isResearch()
{
    return u"(c.relname LIKE 'analytics\\_%' OR c.relname IN ('"_s + researchTables.join(u"', '"_s) + u"'))"_s;
}

void TestRoles::leastPrivilegeStartUp_data()
{
    QTest::addColumn<QString>("role");
    for (const char *role : { "web", "ingest", "etl", "api" })
        QTest::addRow("%s", role) << QString::fromLatin1(role);
}

void TestRoles::leastPrivilegeStartUp()
{
    REQUIRE_FIXTURE();
    QFETCH(QString, role);
    // Every server process migrates at start-up; up to date, that needs no DDL.
    const db::Database database = loginAs(role);
    const auto report = db::migrate(database);
    QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
    QVERIFY(report->applied.isEmpty());
    QCOMPARE(report->toVersion, db::bundledMigrations(db::Backend::Postgres).last().version);
}

void TestRoles::unlistedTableFailsLoudly()
{
    REQUIRE_FIXTURE();
    QVERIFY(adminQuery(u"CREATE TABLE forgotten_table (x INT)"_s).ok());
    const Status applied = db::applyRoles(*m_admin);
    QVERIFY(adminQuery(u"DROP TABLE forgotten_table"_s).ok());
    QVERIFY(!applied.ok());
    QCOMPARE(applied.error().code, u"roles"_s);
    QVERIFY2(applied.error().message.contains(u"has no row for the table(s) forgotten_table"_s),
             qPrintable(applied.error().message));
    // The failed run was rolled back: the grants are still in force.
    QVERIFY(*adminQuery(u"SELECT has_table_privilege('openaps_viewer', 'public.entries', 'SELECT')"_s));
}

void TestRoles::reapplyIsIdempotent()
{
    REQUIRE_FIXTURE();
    const QString snapshot = u"SELECT string_agg(grantee || ':' || table_name || ':' || privilege_type, ',' "
                             "ORDER BY grantee, table_name, privilege_type) FROM information_schema.role_table_grants "
                             "WHERE grantee LIKE 'openaps\\_%'"_s;
    auto conn = m_admin->connection();
    QSqlQuery q(*conn);
    QVERIFY(q.exec(snapshot) && q.next());
    const QString before = q.value(0).toString();
    q.finish();
    QVERIFY(!before.isEmpty());
    QVERIFY(db::applyRoles(*m_admin).ok());
    QVERIFY(db::applyRoles(*m_admin).ok());
    QVERIFY(q.exec(snapshot) && q.next());
    QCOMPARE(q.value(0).toString(), before);
}

QTEST_GUILESS_MAIN(TestRoles)
#include "tst_roles.moc"
