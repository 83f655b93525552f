#include "etl/pgcopy.h"

#include "etl/nstime.h"

#include <QSqlDriver>
#include <QVariant>

#include <charconv>
#include <libpq-fe.h>

namespace openaps::etl::pg {

Result<PGconn *> nativeHandle(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    const char *type = handle.typeName();
    if (!handle.isValid() || !type
        || (qstrcmp(type, "PGconn*") != 0 && qstrcmp(type, "pg_conn*") != 0))
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
        return makeError("database", QStringLiteral("Database error during %1: %2")
                                             .arg(QString::fromLatin1(what), result.safeMessage()));
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

namespace {

void appendEscaped(QByteArray &out, const QByteArray &text)
{
    const char *p = text.constData();
    const char *end = p + text.size();
    const char *run = p;
    for (; p < end; ++p) {
        char replacement = 0;
        switch (*p) {
        case '\\':
            replacement = '\\';
            break;
        case '\n':
            replacement = 'n';
            break;
        case '\r':
            replacement = 'r';
            break;
        case '\t':
            replacement = 't';
            break;
        default:
            continue;
        }
        out.append(run, p - run);
        out.append('\\');
        out.append(replacement);
        run = p + 1;
    }
    out.append(run, end - run);
}

template <typename Number>
void appendNumber(QByteArray &out, Number value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

} // namespace

void appendCopyRow(QByteArray &out, const Row &row, const TableSpec &table)
{
    for (size_t i = 0; i < row.size(); ++i) {
        if (i > 0)
            out.append('\t');
        const Field &f = row[i];
        switch (f.kind) {
        case Field::Null:
            out.append("\\N", 2);
            break;
        case Field::Real:
            appendNumber(out, f.real);
            break;
        case Field::Integer:
            if (table.columns[i].type == ColumnType::Bool)
                out.append(f.integer ? 't' : 'f');
            else
                appendNumber(out, f.integer);
            break;
        case Field::Bool:
            out.append(f.boolean ? 't' : 'f');
            break;
        case Field::Time:
            out.append(formatUtc(f.ms));
            break;
        case Field::Text:
        case Field::Json:
            appendEscaped(out, f.bytes);
            break;
        }
    }
    out.append('\n');
}

} // namespace openaps::etl::pg
