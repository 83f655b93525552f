#include "etl/bulkwriter.h"

#include "etl/postgreswriter.h"
#include "etl/sqlitewriter.h"

namespace openaps::etl {

Result<std::unique_ptr<BulkWriter>> BulkWriter::create(const db::Database &database, const records::TableSpec &table,
                                                       const privacy::WriteGuard &guard)
{
    auto connection = database.connection();
    if (!connection)
        return connection.error();
    if (database.isPostgres()) {
        auto conn = pg::nativeHandle(*connection);
        if (!conn)
            return conn.error();
        auto writer = std::make_unique<PostgresWriter>(*conn, table);
        writer->setGuard(*connection, guard);
        if (auto s = writer->prepare(); !s)
            return s.error();
        return std::unique_ptr<BulkWriter>(std::move(writer));
    }
    auto writer = std::make_unique<SqliteWriter>(*connection, table);
    writer->setGuard(*connection, guard);
    if (auto s = writer->prepare(); !s)
        return s.error();
    return std::unique_ptr<BulkWriter>(std::move(writer));
}

} // namespace openaps::etl
