#include "privacy/pseudonymize.h"

#include "db/sqlhelpers.h"
#include "privacy/tombstones.h"

#include <QSqlRecord>

namespace openaps::privacy {

namespace {

Result<QStringList> userIdTables(const db::Database &database)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    QStringList tables;
    const QStringList names = connection->tables(QSql::Tables);
    for (const QString &name : names) {
        if (name.startsWith(QLatin1String("sqlite_")) || name.startsWith(QLatin1String("pg_temp")))
            continue; // SQLite's own; other sessions' temporary tables (ETL staging)
        if (connection->record(name).contains(QStringLiteral("user_id")))
            tables.append(name);
    }
    tables.sort();
    return tables;
}

} // namespace

Result<bool> hasMemberIds(const db::Database &database)
{
    auto tables = userIdTables(database);
    if (!tables)
        return tables.error();
    for (const QString &table : std::as_const(*tables)) {
        auto q = sql::exec(database, QStringLiteral("SELECT 1 FROM %1 WHERE user_id < ? LIMIT 1").arg(table),
                           { ParticipantKeys::firstPseudonym }, "looking for member ids");
        if (!q)
            return q.error();
        if (q->next())
            return true;
    }
    return false;
}

Result<qint64> convertMemberIds(const db::Database &database, const ParticipantKeys &keys)
{
    auto tables = userIdTables(database);
    if (!tables)
        return tables.error();
    qint64 changed = 0;
    for (const QString &table : std::as_const(*tables)) {
        const Status s = sql::inTransaction(database, [&](const QSqlDatabase &db) -> Status {
            auto stones = allTombstones(db);
            if (!stones)
                return stones.error();
            auto members = sql::exec(db, QStringLiteral("SELECT DISTINCT user_id FROM %1 WHERE user_id < ?").arg(table),
                                     { ParticipantKeys::firstPseudonym }, "finding member ids");
            if (!members)
                return members.error();
            QList<qint64> ids;
            while (members->next())
                ids.append(members->value(0).toLongLong());
            members->finish();
            for (const qint64 id : std::as_const(ids)) {
                const QString member = QString::number(id);
                auto q = stones->contains(keys.tombstone(member))
                        ? sql::exec(db, QStringLiteral("DELETE FROM %1 WHERE user_id = ?").arg(table), { id },
                                    "removing rows of an erased member")
                        : sql::exec(db, QStringLiteral("UPDATE %1 SET user_id = ? WHERE user_id = ?").arg(table),
                                    { keys.pseudonym(member), id }, "replacing member ids by pseudonyms");
                if (!q)
                    return q.error();
                changed += q->numRowsAffected();
            }
            return {};
        });
        if (!s)
            return s.error();
    }
    return changed;
}

} // namespace openaps::privacy
