#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QHash>
#include <QMutex>
#include <QSqlQuery>

#include <memory>

namespace openaps::site {

// Prepared statements kept per connection, so the queries every page view
// runs are parsed once (preparing costs as much as running them on SQLite).
// The owner must be destroyed before the connection is closed.
class StatementCache
{
public:
    explicit StatementCache(db::Database database) : m_database(std::move(database)) { }
    StatementCache(const StatementCache &) = delete;
    StatementCache &operator=(const StatementCache &) = delete;

    // The calling thread's prepared query for `sql`, values unbound. Call
    // finish() when done so no read stays open on the connection.
    Result<QSqlQuery *> prepared(const QString &sql);

private:
    db::Database m_database;
    QMutex m_mutex;
    // Key: connection name + '\n' + sql. Held by pointer so entries stay put
    // when the hash grows.
    QHash<QString, std::shared_ptr<QSqlQuery>> m_queries;
};

} // namespace openaps::site
