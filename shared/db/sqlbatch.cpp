#include "db/sqlbatch.h"

#include "db/database.h"
#include "db/pgcopy.h"
#include "db/sqlhelpers.h"

#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QLocale>
#include <QSqlDriver>

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>

namespace openaps::sql {

// One PostgreSQL result, shared by the copies of a BatchRows.
struct PgRows
{
    pg::PgResult result;
};

namespace {

// The type OIDs of PostgreSQL's catalog (pg_type.dat) the batch uses.
enum : Oid {
    boolOid = 16,
    int8Oid = 20,
    int2Oid = 21,
    int4Oid = 23,
    float4Oid = 700,
    float8Oid = 701,
    dateOid = 1082,
    timestamptzOid = 1184,
    numericOid = 1700,
};

// `sql` with its positional placeholders (?) numbered as PostgreSQL wants
// them ($1, $2, ...); a ? inside quotes is left alone.
QByteArray numbered(const QString &sql)
{
    QByteArray out;
    out.reserve(sql.size() + 16);
    const QByteArray text = sql.toUtf8();
    char quote = 0;
    int n = 0;
    for (const char c : text) {
        if (quote) {
            if (c == quote)
                quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '?') {
            out += '$' + QByteArray::number(++n);
            continue;
        }
        out += c;
    }
    return out;
}

// A bound value as PostgreSQL's text format and its type (0: the server
// infers it from the statement, as for text and dates given as text).
struct Parameter
{
    QByteArray text;
    bool null = false;
    Oid type = 0;
};

Parameter parameter(const QVariant &value)
{
    Parameter p;
    switch (value.metaType().id()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
        p.type = int8Oid;
        p.text = QByteArray::number(value.toLongLong());
        break;
    case QMetaType::Double:
        p.type = float8Oid;
        p.text = QByteArray::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
        break;
    case QMetaType::Bool:
        p.type = boolOid;
        p.text = value.toBool() ? "t" : "f";
        break;
    case QMetaType::QDateTime:
        p.type = timestamptzOid;
        p.text = value.toDateTime().toUTC().toString(Qt::ISODateWithMs).toUtf8();
        break;
    case QMetaType::QDate:
        p.type = dateOid;
        p.text = value.toDate().toString(Qt::ISODate).toUtf8();
        break;
    default:
        p.text = value.toString().toUtf8();
        break;
    }
    p.null = value.isNull();
    return p;
}

QVariant valueOf(const PGresult *result, int row, int column)
{
    if (PQgetisnull(result, row, column))
        return {};
    const char *text = PQgetvalue(result, row, column);
    const int length = PQgetlength(result, row, column);
    switch (PQftype(result, column)) {
    case boolOid:
        return text[0] == 't';
    case int2Oid:
    case int4Oid:
    case int8Oid: {
        qlonglong v = 0;
        std::from_chars(text, text + length, v);
        return v;
    }
    case float4Oid:
    case float8Oid:
    case numericOid: {
        double v = 0;
        std::from_chars(text, text + length, v);
        return v;
    }
    case dateOid:
        return QDate::fromString(QString::fromLatin1(text, length), Qt::ISODate);
    default:
        return QString::fromUtf8(text, length);
    }
}

Error pgError(const char *what, const QString &message)
{
    return makeError("database", QStringLiteral("Database error during %1: %2").arg(QLatin1String(what), message));
}

// The statements a connection has prepared (named, for the session): a
// statement runs again without being parsed again, and after a few runs
// without being planned again (PostgreSQL's plan cache). A child of the
// connection's driver, so it goes with it; a reconnection (another backend)
// starts it afresh. The key is the statement with its parameter types, as
// it was prepared.
class Prepared : public QObject
{
public:
    // Past this many, statements run unnamed: a batch's INSERTs differ by
    // their number of rows, and each prepared one holds server memory.
    static constexpr qsizetype limit = 200;

    explicit Prepared(QObject *driver) : QObject(driver) { setObjectName(QLatin1String(objectName)); }

    static Prepared *of(const QSqlDatabase &db, PGconn *conn)
    {
        QSqlDriver *driver = db.driver();
        // Found by name: the class has no meta-object of its own.
        auto *prepared = static_cast<Prepared *>(
                driver->findChild<QObject *>(QLatin1String(objectName), Qt::FindDirectChildrenOnly));
        if (!prepared)
            prepared = new Prepared(driver);
        if (prepared->m_backend != PQbackendPID(conn)) {
            prepared->m_backend = PQbackendPID(conn);
            prepared->m_names.clear();
            prepared->m_given = 0;
        }
        return prepared;
    }

    // The name `key` was prepared under; empty if it was not.
    QByteArray name(const QByteArray &key) const { return m_names.value(key); }
    // A name to prepare a statement under, never given before on this
    // backend (a preparation sent but not confirmed may still exist);
    // empty past the limit.
    QByteArray newName()
    {
        return m_names.size() < limit ? "openaps_batch_" + QByteArray::number(++m_given) : QByteArray();
    }
    void prepared(const QByteArray &key, const QByteArray &name) { m_names.insert(key, name); }
    // After a failed batch. A statement may have failed because what it was
    // prepared against has changed (another instance's migration: "cached
    // plan must not change result type"): the next batches prepare afresh,
    // under new names.
    void forget() { m_names.clear(); }

private:
    static constexpr char objectName[] = "openaps-sql-batch-prepared";
    int m_backend = 0;
    qint64 m_given = 0;
    QHash<QByteArray, QByteArray> m_names;
};

// Sends what libpq holds, reading meanwhile, so that neither side waits on
// the other's full buffer (the server may be answering the first
// statements while the last ones are still on their way).
bool flush(PGconn *conn)
{
    for (;;) {
        const int left = PQflush(conn);
        if (left <= 0)
            return left == 0;
        pollfd socket { PQsocket(conn), POLLIN | POLLOUT, 0 };
        if (::poll(&socket, 1, -1) < 0)
            return false;
        if ((socket.revents & POLLIN) && PQconsumeInput(conn) == 0)
            return false;
    }
}

} // namespace

bool BatchRows::next()
{
    if (m_query)
        return m_query->next();
    if (!m_pg || m_row + 1 >= PQntuples(m_pg->result.get()))
        return false;
    ++m_row;
    return true;
}

QVariant BatchRows::value(int column) const
{
    if (m_query)
        return m_query->value(column);
    return m_pg ? valueOf(m_pg->result.get(), m_row, column) : QVariant();
}

int Batch::add(const QString &sql, const QVariantList &binds, const char *what)
{
    m_statements.append({ sql, binds, what });
    return int(m_statements.size() - 1);
}

Status Batch::run()
{
    m_rows.clear();
    Status s;
    if (m_db.driverName() == QLatin1String("QPSQL")) {
        s = runPostgres();
    } else {
        for (const Statement &statement : std::as_const(m_statements)) {
            auto q = exec(m_db, statement.sql, statement.binds, statement.what);
            if (!q) {
                s = q.error();
                break;
            }
            BatchRows rows;
            rows.m_query = std::move(*q);
            m_rows.append(std::move(rows));
        }
    }
    m_statements.clear();
    return s;
}

Status Batch::runPostgres()
{
    auto conn = pg::nativeHandle(m_db);
    if (!conn)
        return conn.error();
    PGconn *c = *conn;
    if (PQenterPipelineMode(c) != 1)
        return pgError("starting a batch", QString::fromUtf8(PQerrorMessage(c)).trimmed());
    const int wasNonblocking = PQisnonblocking(c);
    PQsetnonblocking(c, 1);
    Prepared *prepared = Prepared::of(m_db, c);
    // Per statement sent: the name and key it is being prepared under now
    // (its first result is the preparation's), or an empty name.
    QList<std::pair<QByteArray, QByteArray>> preparing;
    qsizetype sent = 0;
    for (const Statement &statement : std::as_const(m_statements)) {
        QList<Parameter> parameters;
        parameters.reserve(statement.binds.size());
        for (const QVariant &v : statement.binds)
            parameters.append(parameter(v));
        QList<Oid> types;
        QList<const char *> values;
        for (const Parameter &p : std::as_const(parameters)) {
            types.append(p.type);
            values.append(p.null ? nullptr : p.text.constData());
        }
        const QByteArray sql = numbered(statement.sql);
        const QByteArray key = QByteArray(reinterpret_cast<const char *>(types.constData()),
                                          types.size() * qsizetype(sizeof(Oid)))
                + '\0' + sql;
        QByteArray name = prepared->name(key);
        // Several uses in one batch: prepared at the first.
        for (const auto &[pending, pendingKey] : std::as_const(preparing)) {
            if (name.isEmpty() && !pending.isEmpty() && pendingKey == key)
                name = pending;
        }
        QByteArray newName;
        if (name.isEmpty()) {
            newName = prepared->newName();
            if (!newName.isEmpty()) {
                if (PQsendPrepare(c, newName.constData(), sql.constData(), int(types.size()), types.constData()) != 1)
                    break;
                name = newName;
            }
        }
        const int ok = name.isEmpty() ? PQsendQueryParams(c, sql.constData(), int(parameters.size()), types.constData(),
                                                          values.constData(), nullptr, nullptr, 0)
                                      : PQsendQueryPrepared(c, name.constData(), int(parameters.size()),
                                                            values.constData(), nullptr, nullptr, 0);
        if (ok != 1)
            break;
        preparing.append({ newName, newName.isEmpty() ? QByteArray() : key });
        ++sent;
    }
    const bool flushed = PQpipelineSync(c) == 1 && flush(c);
    PQsetnonblocking(c, wasNonblocking);
    Status s;
    if (sent < m_statements.size() || !flushed)
        s = pgError(sent < m_statements.size() ? m_statements[sent].what : "sending a batch",
                    QString::fromUtf8(PQerrorMessage(c)).trimmed());
    // Each statement's result, then the NULL that ends it.
    for (qsizetype i = 0; i < sent && flushed; ++i) {
        if (const auto &[name, key] = preparing[i]; !name.isEmpty()) {
            // The preparation's result (and its NULL): the statement is
            // prepared only if that succeeded (not in a pipeline aborted
            // before it, nor in a failed transaction).
            const pg::PgResult result(PQgetResult(c));
            if (PGresult *extra = result.get() ? PQgetResult(c) : nullptr)
                PQclear(extra);
            if (PQresultStatus(result.get()) == PGRES_COMMAND_OK)
                prepared->prepared(key, name);
            else if (s)
                s = pgError(m_statements[i].what, result.safeMessage());
        }
        auto rows = std::make_shared<PgRows>(PgRows { pg::PgResult(PQgetResult(c)) });
        ExecStatusType status = PQresultStatus(rows->result.get());
        if (PGresult *extra = rows->result.get() ? PQgetResult(c) : nullptr) {
            PQclear(extra);
            status = PGRES_FATAL_ERROR; // more than one result: not one statement
        }
        if (s && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            s = pgError(m_statements[i].what, rows->result.safeMessage());
        BatchRows batchRows;
        batchRows.m_pg = std::move(rows);
        m_rows.append(std::move(batchRows));
    }
    // Up to the sync, whatever is left before it (nothing, unless something
    // failed); two NULLs in a row: nothing more will come.
    for (int nulls = 0; flushed && nulls < 2;) {
        PGresult *r = PQgetResult(c);
        nulls = r ? 0 : nulls + 1;
        const bool synced = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (synced)
            break;
    }
    if (PQexitPipelineMode(c) != 1 && s)
        s = pgError("ending a batch", QString::fromUtf8(PQerrorMessage(c)).trimmed());
    if (!s)
        prepared->forget();
    return s;
}

} // namespace openaps::sql
