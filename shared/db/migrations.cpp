#include "db/migrations.h"

#include "db/sqlhelpers.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <functional>

namespace openaps::db {

Q_LOGGING_CATEGORY(lcMigrations, "openaps.shared.db.migrations", QtInfoMsg)

namespace {

// Arbitrary constant: serialises concurrent `migrate` runs on PostgreSQL.
constexpr qint64 migrationLockKey = 7143061523;

} // namespace

QList<Migration> bundledMigrations(Backend backend)
{
    const QString dir = backend == Backend::Sqlite ? QStringLiteral(":/sql/sqlite") : QStringLiteral(":/sql/postgres");
    static const QRegularExpression fileName(QStringLiteral(R"(^(\d{4})_([a-z0-9_]+)\.sql$)"));
    QList<Migration> list;
    const QStringList files = QDir(dir).entryList({ QStringLiteral("*.sql") }, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto match = fileName.match(file);
        if (!match.hasMatch())
            continue; // e.g. roles.sql, applied separately
        QFile f(dir + QLatin1Char('/') + file);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        list.append({ match.captured(1).toInt(), file.chopped(4), QString::fromUtf8(f.readAll()) });
    }
    std::sort(list.begin(), list.end(), [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return list;
}

Result<int> schemaVersion(const Database &database)
{
    auto db = database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    if (!db->tables().contains(QStringLiteral("schema_migrations"))) {
        // tables() reports no failure: an empty list may also be a lost
        // connection, which must not read as "nothing migrated yet".
        if (!q.exec(QStringLiteral("SELECT 1")))
            return sqlError("reading the schema version", q.lastError());
        return 0;
    }
    if (!q.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) || !q.next())
        return sqlError("reading the schema version", q.lastError());
    return q.value(0).toInt();
}

namespace {

// The versions recorded in schema_migrations (empty before the first migration).
Result<QSet<int>> appliedVersions(QSqlDatabase &db)
{
    QSet<int> versions;
    if (!db.tables().contains(QStringLiteral("schema_migrations")))
        return versions;
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT version FROM schema_migrations")))
        return sqlError("reading applied migrations", q.lastError());
    while (q.next())
        versions.insert(q.value(0).toInt());
    return versions;
}

QString failureHint(const QSqlError &error)
{
    const QString text = error.text();
    if (text.contains(QLatin1String("permission denied")) || text.contains(QLatin1String("must be owner")))
        return QStringLiteral(" (the database user lacks a privilege: run `openaps-server migrate` as "
                              "the database owner or a member of openaps_owner; --roles also needs "
                              "CREATEROLE)");
    return {};
}

// Runs `statements` in one transaction holding the migration lock. `check`
// runs first inside the transaction (false: nothing to do); `finish` runs
// after the statements, before COMMIT.
Status runLocked(QSqlDatabase &db, bool pg, const QString &what, const QStringList &statements,
                 const std::function<Result<bool>()> &check = {}, const std::function<Status()> &finish = {})
{
    if (auto s = sql::run(db, pg ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE"), "BEGIN"); !s)
        return s.error();
    const auto fail = [&db](Error e) {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return e;
    };
    if (pg) {
        if (auto s = sql::run(db, QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(migrationLockKey), "locking");
            !s)
            return fail(s.error());
    }
    if (check) {
        const auto go = check();
        if (!go)
            return fail(go.error());
        if (!*go)
            return sql::run(db, QStringLiteral("COMMIT"), "COMMIT");
    }
    for (const QString &statement : statements) {
        QSqlQuery q(db);
        if (!q.exec(statement))
            return fail(makeError("migration",
                                  QStringLiteral("%1 failed: %2%3")
                                          .arg(what, sqlErrorText(q.lastError()), failureHint(q.lastError()))));
    }
    if (finish) {
        if (auto s = finish(); !s)
            return fail(s.error());
    }
    return sql::run(db, QStringLiteral("COMMIT"), "COMMIT");
}

} // namespace

Result<MigrationReport> migrate(const Database &database)
{
    return migrate(database, bundledMigrations(database.backend()));
}

Result<MigrationReport> migrate(const Database &database, const QList<Migration> &migrations)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const bool pg = database.isPostgres();

    const QString createTable = pg
            ? QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                             "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            : QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                             "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
                             "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))");

    MigrationReport report;
    auto before = schemaVersion(database);
    if (!before)
        return before.error();
    report.fromVersion = *before;

    // Up to date: touch nothing, so a server running as a least-privilege
    // role (no CREATE on the schema) starts without DDL.
    auto applied = appliedVersions(db);
    if (!applied)
        return applied.error();
    if (std::all_of(migrations.cbegin(), migrations.cend(),
                    [&](const Migration &m) { return applied->contains(m.version); })) {
        report.toVersion = report.fromVersion;
        return report;
    }

    for (const Migration &m : migrations) {
        // One transaction per migration; the lock makes a second process wait
        // and then see the version as applied.
        bool ran = false;
        const auto check = [&]() -> Result<bool> {
            if (auto s = sql::run(db, createTable, "creating schema_migrations"); !s)
                return s.error();
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT 1 FROM schema_migrations WHERE version = ?"));
            q.addBindValue(m.version);
            if (!q.exec())
                return sqlError("checking migrations", q.lastError());
            ran = !q.next();
            return ran;
        };
        // Recorded in the same transaction as the schema change itself.
        const auto record = [&]() -> Status {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"));
            q.addBindValue(m.version);
            q.addBindValue(m.name);
            if (!q.exec())
                return sqlError("recording a migration", q.lastError());
            return {};
        };
        if (auto s = runLocked(db, pg, QStringLiteral("Migration ") + m.name, splitStatements(m.sql), check, record);
            !s)
            return s.error();
        if (ran) {
            qCInfo(lcMigrations, "applied migration %s", qPrintable(m.name));
            report.applied.append(m.name);
        }
    }
    auto version = schemaVersion(database);
    if (!version)
        return version.error();
    report.toVersion = *version;
    return report;
}

QString rolesScript()
{
    QFile f(QStringLiteral(":/sql/postgres/roles.sql"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

Status applyRoles(const Database &database)
{
    if (!database.isPostgres())
        return makeError("roles", QStringLiteral("Roles exist only on PostgreSQL; SQLite has none."));
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = *connection;
    const QStringList statements = splitStatements(rolesScript());
    if (statements.isEmpty())
        return makeError("roles", QStringLiteral("roles.sql is missing from this build."));
    if (auto s = runLocked(db, true, QStringLiteral("Applying sql/postgres/roles.sql"), statements); !s)
        return makeError("roles", s.error().message);
    return {};
}

QStringList splitStatements(const QString &script)
{
    QStringList statements;
    QString current;
    const qsizetype n = script.size();
    qsizetype i = 0;
    auto flush = [&] {
        const QString s = current.trimmed();
        if (!s.isEmpty())
            statements.append(s);
        current.clear();
    };
    while (i < n) {
        const QChar c = script.at(i);
        const QChar next = i + 1 < n ? script.at(i + 1) : QChar();
        if (c == QLatin1Char('-') && next == QLatin1Char('-')) {
            while (i < n && script.at(i) != QLatin1Char('\n'))
                ++i;
            continue;
        }
        if (c == QLatin1Char('/') && next == QLatin1Char('*')) {
            const qsizetype end = script.indexOf(QLatin1String("*/"), i + 2);
            i = end < 0 ? n : end + 2;
            continue;
        }
        if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            qsizetype j = i + 1;
            while (j < n) {
                if (script.at(j) == c) {
                    if (j + 1 < n && script.at(j + 1) == c) {
                        j += 2; // doubled quote inside the literal
                        continue;
                    }
                    break;
                }
                ++j;
            }
            current += script.mid(i, j - i + 1);
            i = j + 1;
            continue;
        }
        if (c == QLatin1Char('$')) {
            static const QRegularExpression tag(QStringLiteral(R"(\$[A-Za-z_]*\$)"));
            const auto m = tag.match(script, i, QRegularExpression::NormalMatch,
                                     QRegularExpression::AnchorAtOffsetMatchOption);
            if (m.hasMatch()) {
                const QString t = m.captured(0);
                const qsizetype end = script.indexOf(t, i + t.size());
                const qsizetype stop = end < 0 ? n : end + t.size();
                current += script.mid(i, stop - i);
                i = stop;
                continue;
            }
        }
        if (c == QLatin1Char(';')) {
            flush();
            ++i;
            continue;
        }
        current += c;
        ++i;
    }
    flush();
    return statements;
}

} // namespace openaps::db
