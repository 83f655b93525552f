#pragma once

#include "core/result.h"

#include <QList>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

#include <memory>
#include <optional>

namespace openaps::sql {

// The rows one statement of a Batch returned, read like a QSqlQuery.
// PostgreSQL values come as qlonglong (integers), double (float and
// numeric), bool, QDate (date) or QString (anything else, times included).
class BatchRows
{
public:
    bool next();
    QVariant value(int column) const;

private:
    friend class Batch;
    std::optional<QSqlQuery> m_query; // SQLite
    std::shared_ptr<struct PgRows> m_pg; // PostgreSQL
    int m_row = -1;
};

// Statements sent to the database together, values bound as exec() binds
// them (never spliced). On PostgreSQL the whole batch is one round trip
// (libpq's pipeline mode: each statement parsed, bound and run in order;
// the first that fails aborts those after it), where QSqlQuery's prepare,
// execute and deallocate are three per statement, and round trips were
// most of the time of an incremental refresh. Each statement (with its
// parameter types) is prepared on the connection the first time it runs
// there and only run after that: no parsing again, and PostgreSQL's plan
// cache stops planning it again after a few runs (up to 200 statements a
// connection; parsing and planning were a third of the server's time of an
// incremental refresh). On SQLite, in process, the
// statements simply run one after another, and a statement's rows are read
// from SQLite as they are read here: a batch writes nothing after reading
// the same table. Meant for inside a transaction (outside one, PostgreSQL
// runs a batch as one transaction, SQLite each statement as its own).
class Batch
{
public:
    explicit Batch(const QSqlDatabase &db) : m_db(db) { }

    // Adds a statement with positional `binds`; rows(index) after run().
    int add(const QString &sql, const QVariantList &binds, const char *what);
    qsizetype size() const { return m_statements.size(); }
    // Runs what was added and clears it; an Error naming the first
    // statement that failed.
    Status run();
    // The rows of the statement `index` of the last run.
    BatchRows rows(int index) const { return m_rows.value(index); }

private:
    struct Statement
    {
        QString sql;
        QVariantList binds;
        const char *what;
    };
    Status runPostgres();

    QSqlDatabase m_db;
    QList<Statement> m_statements;
    QList<BatchRows> m_rows;
};

} // namespace openaps::sql
