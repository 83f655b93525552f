#include "site/statementcache.h"

#include <QSqlError>

namespace openaps::site {

Result<QSqlQuery *> StatementCache::prepared(const QString &sql)
{
    auto db = m_database.connection();
    if (!db)
        return db.error();
    const QString key = db->connectionName() + QLatin1Char('\n') + sql;
    QMutexLocker lock(&m_mutex);
    auto it = m_queries.find(key);
    // A connection of the same name may have replaced a closed one (a new
    // thread with a reused id): its driver differs, so prepare again.
    if (it != m_queries.end() && it.value()->driver() != db->driver()) {
        m_queries.erase(it);
        it = m_queries.end();
    }
    if (it == m_queries.end()) {
        auto query = std::make_shared<QSqlQuery>(*db);
        query->setForwardOnly(true);
        if (!query->prepare(sql))
            return db::sqlError("preparing a query", query->lastError());
        it = m_queries.insert(key, query);
    }
    // Each thread has its own connection and so its own entries.
    return it.value().get();
}

} // namespace openaps::site
