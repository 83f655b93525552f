#include "db/pgcopy.h"

#include <QSqlDriver>
#include <QVariant>

#include <libpq-fe.h>

namespace openaps::pg {

Result<PGconn *> nativeHandle(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    const char *type = handle.typeName();
    if (!handle.isValid() || !type || (qstrcmp(type, "PGconn*") != 0 && qstrcmp(type, "pg_conn*") != 0))
        return makeError("database", QStringLiteral("The PostgreSQL connection does not expose libpq."));
    PGconn *conn = *static_cast<PGconn *const *>(handle.constData());
    if (!conn || PQstatus(conn) != CONNECTION_OK)
        return makeError("database", QStringLiteral("The PostgreSQL connection is not open."));
    return conn;
}

PgResult::~PgResult()
{
    if (m_result)
        PQclear(m_result);
}

PgResult &PgResult::operator=(PgResult &&other) noexcept
{
    if (this != &other) {
        if (m_result)
            PQclear(m_result);
        m_result = other.m_result;
        other.m_result = nullptr;
    }
    return *this;
}

bool PgResult::ok() const
{
    if (!m_result)
        return false;
    const ExecStatusType status = PQresultStatus(m_result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN;
}

QString PgResult::sqlState() const
{
    const char *state = m_result ? PQresultErrorField(m_result, PG_DIAG_SQLSTATE) : nullptr;
    return state ? QString::fromLatin1(state) : QString();
}

QString PgResult::safeMessage() const
{
    const QString state = sqlState();
    if (state.startsWith(QLatin1String("22")) || state.startsWith(QLatin1String("23")))
        return QStringLiteral("SQLSTATE %1").arg(state);
    const char *primary = m_result ? PQresultErrorField(m_result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    if (!primary)
        return state.isEmpty() ? QStringLiteral("the connection to PostgreSQL failed")
                               : QStringLiteral("SQLSTATE %1").arg(state);
    return QString::fromUtf8(primary) + QStringLiteral(" (SQLSTATE %1)").arg(state);
}

qint64 PgResult::integer(int row, int column) const
{
    if (!m_result || row >= PQntuples(m_result) || PQgetisnull(m_result, row, column))
        return 0;
    return QByteArray(PQgetvalue(m_result, row, column)).toLongLong();
}

PgResult exec(PGconn *conn, const char *sql)
{
    return PgResult(PQexec(conn, sql));
}

PgResult exec(PGconn *conn, const QString &sql)
{
    return exec(conn, sql.toUtf8().constData());
}

Status run(PGconn *conn, const QString &sql, const char *what)
{
    const PgResult result = exec(conn, sql);
    if (!result.ok())
        return makeError(
                "database",
                QStringLiteral("Database error during %1: %2").arg(QString::fromLatin1(what), result.safeMessage()));
    return {};
}

PgResult CopyStream::start(const QString &sql)
{
    PgResult result = exec(m_conn, sql);
    m_active = result.get() && PQresultStatus(result.get()) == PGRES_COPY_IN;
    return result;
}

bool CopyStream::put(const char *data, int size)
{
    return PQputCopyData(m_conn, data, size) == 1;
}

PgResult CopyStream::end()
{
    m_active = false;
    // Fails harmlessly when the server already ended the COPY with an error;
    // the error is then the first result.
    PQputCopyEnd(m_conn, nullptr);
    PgResult result(PQgetResult(m_conn));
    while (PGresult *extra = PQgetResult(m_conn))
        PQclear(extra);
    return result;
}

void cancelCopyOut(PGconn *conn)
{
    if (PGcancel *cancel = PQgetCancel(conn)) {
        char message[256];
        PQcancel(cancel, message, sizeof message);
        PQfreeCancel(cancel);
    }
    char *row = nullptr;
    while (PQgetCopyData(conn, &row, 0) > 0)
        PQfreemem(row);
    while (PGresult *result = PQgetResult(conn))
        PQclear(result);
}

PgResult copyIn(PGconn *conn, const QString &sql, const QByteArray &data)
{
    CopyStream copy(conn);
    PgResult started = copy.start(sql);
    if (!copy.active())
        return started;
    constexpr qsizetype chunk = 1 << 20;
    for (qsizetype at = 0; at < data.size(); at += chunk) {
        if (!copy.put(data.constData() + at, int(std::min(chunk, data.size() - at))))
            break;
    }
    return copy.end();
}

} // namespace openaps::pg
