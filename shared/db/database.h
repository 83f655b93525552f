#pragma once

#include "core/result.h"

#include <QSqlDatabase>
#include <QString>

namespace openaps::db {

enum class Backend { Sqlite, Postgres };

// A parsed OPENAPS_DATABASE_URL: sqlite:///abs/path.db or
// postgresql://user:pass@host:port/dbname.
struct DatabaseUrl
{
    Backend backend = Backend::Sqlite;
    QString path; // SQLite file
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString name; // PostgreSQL database name
    QString options; // QPSQL connect options, e.g. connect_timeout=5

    static Result<DatabaseUrl> parse(const QString &url);
    QString backendName() const
    {
        return backend == Backend::Sqlite ? QStringLiteral("sqlite") : QStringLiteral("postgresql");
    }
    // The URL with the password masked, for messages.
    QString display() const;
};

// Hands out one connection per thread (Qt Sql connections must not cross
// threads). Cheap to copy; copies share the same connection names.
class Database
{
public:
    explicit Database(DatabaseUrl url);

    const DatabaseUrl &url() const { return m_url; }
    Backend backend() const { return m_url.backend; }
    bool isPostgres() const { return m_url.backend == Backend::Postgres; }

    // The calling thread's connection, opened on first use.
    Result<QSqlDatabase> connection() const;
    // Closes and forgets the calling thread's connection.
    void closeConnection() const;

    // Opens a connection and checks it answers, with a clear message otherwise.
    Status ping() const;

private:
    QString connectionName() const;

    DatabaseUrl m_url;
    QString m_id;
};

// Turns a failed query's error into an Error naming `what`.
Error sqlError(const char *what, const QSqlError &error);
// The server's message of a failed query, on one line.
QString sqlErrorText(const QSqlError &error);

} // namespace openaps::db
