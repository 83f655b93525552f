#include "legacy/copyreader.h"

#include "db/database.h"
#include "db/pgcopy.h"
#include "db/sqlhelpers.h"

#include <libpq-fe.h>

namespace openaps::legacy {

namespace {

int octal(char c)
{
    return c >= '0' && c <= '7' ? c - '0' : -1;
}

int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

// PostgreSQL's COPY text format: backslash escapes for the delimiter, line
// breaks and backslash itself, \N for NULL (handled by the caller).
QByteArray decodeCopyField(const char *data, qsizetype size)
{
    if (!memchr(data, '\\', size_t(size)))
        return QByteArray(data, size);
    QByteArray out;
    out.reserve(size);
    for (qsizetype i = 0; i < size; ++i) {
        const char c = data[i];
        if (c != '\\' || i + 1 == size) {
            out.append(c);
            continue;
        }
        const char e = data[++i];
        switch (e) {
        case 'b':
            out.append('\b');
            break;
        case 'f':
            out.append('\f');
            break;
        case 'n':
            out.append('\n');
            break;
        case 'r':
            out.append('\r');
            break;
        case 't':
            out.append('\t');
            break;
        case 'v':
            out.append('\v');
            break;
        case 'x': {
            int value = 0;
            int digits = 0;
            while (digits < 2 && i + 1 < size && hex(data[i + 1]) >= 0)
                value = value * 16 + hex(data[++i]), ++digits;
            out.append(char(value));
            break;
        }
        default:
            if (octal(e) >= 0) {
                int value = octal(e);
                for (int digits = 1; digits < 3 && i + 1 < size && octal(data[i + 1]) >= 0; ++digits)
                    value = value * 8 + octal(data[++i]);
                out.append(char(value));
            } else {
                out.append(e); // \\ and any other escaped character stand for themselves
            }
        }
    }
    return out;
}

CopyReader::~CopyReader()
{
    cancel();
}

Status CopyReader::start(const QSqlDatabase &db, const QString &query, const QVariantList &binds)
{
    for (int i = 0; i < binds.size(); ++i) {
        auto set = sql::exec(db, QStringLiteral("SELECT set_config(?, ?, false)"),
                             { QStringLiteral("legacy.p%1").arg(i + 1), binds[i].toString() },
                             "binding a value for COPY");
        if (!set)
            return set.error();
    }
    auto conn = pg::nativeHandle(db);
    if (!conn)
        return conn.error();
    m_conn = *conn;
    m_error.reset();
    pg::PgResult started = pg::exec(m_conn, QStringLiteral("COPY (%1) TO STDOUT").arg(query));
    if (PQresultStatus(started.get()) != PGRES_COPY_OUT)
        return makeError("legacy-read",
                         QStringLiteral("Reading the old database failed: %1").arg(started.safeMessage()));
    m_active = true;
    return {};
}

bool CopyReader::next(std::vector<QByteArray> &fields)
{
    if (!m_active)
        return false;
    char *row = nullptr;
    const int size = PQgetCopyData(m_conn, &row, 0);
    if (size < 0) {
        m_active = false;
        pg::PgResult result(PQgetResult(m_conn));
        if (!result.ok())
            m_error = makeError("legacy-read",
                                QStringLiteral("Reading the old database failed: %1").arg(result.safeMessage()));
        while (PGresult *rest = PQgetResult(m_conn))
            PQclear(rest);
        return false;
    }
    fields.clear();
    const char *p = row;
    const char *end = row + size;
    if (end > p && end[-1] == '\n')
        --end;
    while (true) {
        const char *tab = static_cast<const char *>(memchr(p, '\t', size_t(end - p)));
        const char *fieldEnd = tab ? tab : end;
        if (fieldEnd - p == 2 && p[0] == '\\' && p[1] == 'N')
            fields.emplace_back();
        else
            fields.push_back(decodeCopyField(p, fieldEnd - p));
        if (!tab)
            break;
        p = tab + 1;
    }
    PQfreemem(row);
    return true;
}

void CopyReader::cancel()
{
    if (!m_active)
        return;
    m_active = false;
    pg::cancelCopyOut(m_conn);
}

} // namespace openaps::legacy
