#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QSqlDatabase>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

// Thin helpers over libpq for what Qt's QPSQL driver cannot do: COPY FROM
// STDIN. The connection is QPSQL's own (QSqlDriver::handle()), so it shares
// the session, transaction and temporary tables with QSqlQuery.
namespace openaps::pg {

// The libpq connection behind an open QPSQL connection.
Result<PGconn *> nativeHandle(const QSqlDatabase &db);

// An owned PGresult.
class PgResult
{
public:
    explicit PgResult(PGresult *result = nullptr) : m_result(result) { }
    ~PgResult();
    PgResult(PgResult &&other) noexcept : m_result(other.m_result) { other.m_result = nullptr; }
    PgResult &operator=(PgResult &&other) noexcept;
    PgResult(const PgResult &) = delete;
    PgResult &operator=(const PgResult &) = delete;

    PGresult *get() const { return m_result; }
    bool ok() const; // command or tuples OK
    QString sqlState() const;
    // The primary message, except for data and constraint errors (classes 22
    // and 23), whose messages may quote the offending value: those get the
    // SQLSTATE only. Safe to log.
    QString safeMessage() const;
    qint64 integer(int row, int column) const;

private:
    PGresult *m_result;
};

PgResult exec(PGconn *conn, const char *sql);
PgResult exec(PGconn *conn, const QString &sql);
// Runs `sql`; an Error naming `what` if it fails.
Status run(PGconn *conn, const QString &sql, const char *what);

// COPY `sql` (a "COPY ... FROM STDIN" statement) with `data` in one go.
PgResult copyIn(PGconn *conn, const QString &sql, const QByteArray &data);

// Stops a running COPY ... TO STDOUT on the server side and drains what is
// left of it, so the connection can be used again (a reader that stops
// early must not keep PostgreSQL busy with rows nobody reads).
void cancelCopyOut(PGconn *conn);

// Streams a COPY: start(), put() any number of times, end().
class CopyStream
{
public:
    explicit CopyStream(PGconn *conn) : m_conn(conn) { }
    PgResult start(const QString &sql); // ok() is false unless COPY_IN began
    bool put(const char *data, int size); // false: connection failure
    PgResult end(); // the COPY's result
    bool active() const { return m_active; }

private:
    PGconn *m_conn;
    bool m_active = false;
};

} // namespace openaps::pg
