#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QSqlQuery>
#include <QVariantList>

#include <functional>

// Small helpers for plain SQL through QSqlQuery (values always bound, never
// spliced), each failure an Error naming what was being done.
namespace openaps::sql {

// Prepares and runs `sql` with positional `binds`; an Error naming `what`.
Result<QSqlQuery> exec(const QSqlDatabase &db, const QString &sql, const QVariantList &binds, const char *what);
// The same on the calling thread's connection of `database`.
Result<QSqlQuery> exec(const db::Database &database, const QString &sql, const QVariantList &binds, const char *what);
// Runs a statement that binds nothing (BEGIN, COMMIT, DDL) without preparing it.
Status run(const QSqlDatabase &db, const QString &sql, const char *what);
// Runs an already prepared statement.
Status run(QSqlQuery &query, const char *what);

// Runs `work` inside one transaction on the calling thread's connection
// (BEGIN IMMEDIATE on SQLite, so the write lock is taken up front), rolling
// back when it fails.
Status inTransaction(const db::Database &database, const std::function<Status(const QSqlDatabase &)> &work);

// A NULL of the right type for binding (QSQLITE/QPSQL want a typed null).
QVariant nullText();
QVariant nullReal();

} // namespace openaps::sql
