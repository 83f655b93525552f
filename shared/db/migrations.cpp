#include "db/migrations.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace openaps::db {

Q_LOGGING_CATEGORY(lcMigrations, "openaps.shared.db.migrations", QtInfoMsg)

namespace {

// Arbitrary constant: serialises concurrent `migrate` runs on PostgreSQL.
constexpr qint64 migrationLockKey = 7143061523;

Status exec(QSqlDatabase &db, const QString &sql, const char *what)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return sqlError(what, q.lastError());
    return {};
}

} // namespace

QList<Migration> bundledMigrations(Backend backend)
{
    const QString dir = backend == Backend::Sqlite ? QStringLiteral(":/sql/sqlite")
                                                   : QStringLiteral(":/sql/postgres");
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
    std::sort(list.begin(), list.end(),
              [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return list;
}

Result<int> schemaVersion(const Database &database)
{
    auto db = database.connection();
    if (!db)
        return db.error();
    if (!db->tables().contains(QStringLiteral("schema_migrations")))
        return 0;
    QSqlQuery q(*db);
    if (!q.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) || !q.next())
        return sqlError("reading the schema version", q.lastError());
    return q.value(0).toInt();
}

Result<MigrationReport> migrate(const Database &database)
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
    const QList<Migration> migrations = bundledMigrations(database.backend());
    for (const Migration &m : migrations) {
        // One transaction per migration; the lock makes a second process wait
        // and then see the version as applied.
        if (auto s = exec(db, pg ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE"), "BEGIN"); !s)
            return s.error();
        auto rollback = [&db] { QSqlQuery(db).exec(QStringLiteral("ROLLBACK")); };
        if (pg) {
            if (auto s = exec(db, QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(migrationLockKey), "locking");
                !s) {
                rollback();
                return s.error();
            }
        }
        if (auto s = exec(db, createTable, "creating schema_migrations"); !s) {
            rollback();
            return s.error();
        }
        QSqlQuery check(db);
        check.prepare(QStringLiteral("SELECT 1 FROM schema_migrations WHERE version = ?"));
        check.addBindValue(m.version);
        if (!check.exec()) {
            rollback();
            return sqlError("checking migrations", check.lastError());
        }
        if (check.next()) {
            check.finish();
            if (auto s = exec(db, QStringLiteral("COMMIT"), "COMMIT"); !s)
                return s.error();
            continue;
        }
        check.finish();
        const QStringList statements = splitStatements(m.sql);
        for (const QString &statement : statements) {
            QSqlQuery q(db);
            if (!q.exec(statement)) {
                const Error e = makeError("migration", QStringLiteral("Migration %1 failed: %2")
                                                               .arg(m.name, q.lastError().text().simplified()));
                rollback();
                return e;
            }
        }
        QSqlQuery record(db);
        record.prepare(QStringLiteral("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"));
        record.addBindValue(m.version);
        record.addBindValue(m.name);
        if (!record.exec()) {
            rollback();
            return sqlError("recording a migration", record.lastError());
        }
        if (auto s = exec(db, QStringLiteral("COMMIT"), "COMMIT"); !s)
            return s.error();
        qCInfo(lcMigrations, "applied migration %s", qPrintable(m.name));
        report.applied.append(m.name);
    }
    auto version = schemaVersion(database);
    if (!version)
        return version.error();
    report.toVersion = *version;
    return report;
}

QStringList splitStatements(const QString &script)
{
    QStringList statements;
    QString current;
    const int n = script.size();
    int i = 0;
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
            const int end = script.indexOf(QLatin1String("*/"), i + 2);
            i = end < 0 ? n : end + 2;
            continue;
        }
        if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            int j = i + 1;
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
                const int end = script.indexOf(t, i + t.size());
                const int stop = end < 0 ? n : end + t.size();
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
