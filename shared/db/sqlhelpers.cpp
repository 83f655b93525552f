#include "db/sqlhelpers.h"

#include <QSqlError>

namespace openaps::sql {

Result<QSqlQuery> exec(const QSqlDatabase &db, const QString &sql, const QVariantList &binds, const char *what)
{
    QSqlQuery q(db);
    if (!q.prepare(sql))
        return db::sqlError(what, q.lastError());
    for (const QVariant &b : binds)
        q.addBindValue(b);
    if (!q.exec())
        return db::sqlError(what, q.lastError());
    return q;
}

Result<QSqlQuery> exec(const db::Database &database, const QString &sql, const QVariantList &binds, const char *what)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    return exec(*connection, sql, binds, what);
}

Status run(const QSqlDatabase &db, const QString &sql, const char *what)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return db::sqlError(what, q.lastError());
    return {};
}

Status run(QSqlQuery &query, const char *what)
{
    if (!query.exec())
        return db::sqlError(what, query.lastError());
    return {};
}

Status inTransaction(const db::Database &database, const std::function<Status(const QSqlDatabase &)> &work)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    const QSqlDatabase db = *connection;
    QSqlQuery begin(db);
    if (!begin.exec(database.isPostgres() ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE")))
        return db::sqlError("starting a transaction", begin.lastError());
    Status result = work(db);
    QSqlQuery end(db);
    if (!result) {
        end.exec(QStringLiteral("ROLLBACK"));
        return result;
    }
    if (!end.exec(QStringLiteral("COMMIT"))) {
        const Error e = db::sqlError("committing", end.lastError());
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return e;
    }
    return {};
}

QVariant nullText()
{
    return QVariant(QMetaType::fromType<QString>());
}

QVariant nullReal()
{
    return QVariant(QMetaType::fromType<double>());
}

} // namespace openaps::sql
