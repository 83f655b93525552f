#pragma once

#include "db/database.h"

#include <QStringList>

namespace openaps::db {

struct Migration
{
    int version = 0;
    QString name;
    QString sql;
};

struct MigrationReport
{
    int fromVersion = 0;
    int toVersion = 0;
    QStringList applied; // "0002_ingest_state" ...
};

// The migrations compiled into the binary (sql/<dialect>/NNNN_name.sql), in order.
QList<Migration> bundledMigrations(Backend backend);

// Applies every bundled migration not yet recorded in schema_migrations, each
// in its own transaction. Safe to run from several processes at once
// (PostgreSQL advisory lock, SQLite write lock). Re-running is a no-op that
// runs no DDL, so a role without CREATE privileges can call it at start-up.
Result<MigrationReport> migrate(const Database &database);
// The same with a given list, in version order (tests use it).
Result<MigrationReport> migrate(const Database &database, const QList<Migration> &migrations);

// Applies sql/postgres/roles.sql: the least-privilege group roles and their
// grants (see the top of that file). PostgreSQL only; run after migrate() by
// a user that owns the database and has CREATEROLE. Idempotent.
Status applyRoles(const Database &database);
QString rolesScript();

// The highest applied version, 0 for an empty database.
Result<int> schemaVersion(const Database &database);

// Splits a script into statements at top-level semicolons, respecting quotes,
// dollar-quoted bodies and comments (QSQLITE runs one statement per exec).
QStringList splitStatements(const QString &script);

} // namespace openaps::db
