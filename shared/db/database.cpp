#include "db/database.h"

#include <QAtomicInt>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QThreadStorage>
#include <QUrl>
#include <QUrlQuery>

#include <libpq-fe.h>
#include <poll.h>

namespace openaps::db {

Q_LOGGING_CATEGORY(lcDb, "openaps.shared.db", QtInfoMsg)

namespace {

QAtomicInt g_nextDatabaseId;

QString friendlyConnectError(const DatabaseUrl &url, const QSqlError &error)
{
    const QString text = error.text().simplified();
    if (url.backend == Backend::Sqlite)
        return QStringLiteral("Cannot open the SQLite database %1 (%2).").arg(url.path, text);
    const QString where = QStringLiteral("PostgreSQL at %1:%2").arg(url.host).arg(url.port);
    // libpq's own words, matched loosely: they vary a little between versions.
    if (text.contains(QLatin1String("password authentication failed"))
        || text.contains(QLatin1String("no password supplied")))
        return where + QStringLiteral(" rejected the user name or password.");
    if (text.contains(QLatin1String("database \"")) && text.contains(QLatin1String("does not exist")))
        return where + QStringLiteral(" has no database named '%1'.").arg(url.name);
    if (text.contains(QLatin1String("role \"")) && text.contains(QLatin1String("does not exist")))
        return where + QStringLiteral(" has no user named '%1'.").arg(url.user);
    if (text.contains(QLatin1String("Connection refused")))
        return QStringLiteral("Cannot reach %1: the connection was refused (is the server running "
                              "and accepting TCP/IP connections?).")
                .arg(where);
    if (text.contains(QLatin1String("timeout expired")))
        return QStringLiteral("Cannot reach %1: it did not answer within the connect timeout.").arg(where);
    if (text.contains(QLatin1String("could not translate host name")))
        return QStringLiteral("Cannot reach %1: the host name is unknown.").arg(where);
    QString detail = text;
    detail.remove(QLatin1String("QPSQL: Unable to connect"));
    return QStringLiteral("Cannot connect to %1 (%2).").arg(where, detail.trimmed());
}

// Qt Sql connections belong to the thread that opened them and must be
// removed there. This per-thread list removes them when the thread ends, so
// a later thread that gets the same thread id never finds a stale
// connection (which Qt would refuse to hand out). It is a QThreadStorage, not
// a thread_local: Qt destroys it while the QThread finishes, before wait()
// returns (and the main thread's when the application object goes), whereas
// a thread_local's destructor runs after wait() has returned and could still
// be removing a connection while the process exits and Qt Sql's registry is
// being destroyed (a crash at shutdown seen under load).
class ThreadConnections
{
public:
    ~ThreadConnections()
    {
        for (const QString &name : std::as_const(m_names)) {
            {
                QSqlDatabase db = QSqlDatabase::database(name, false);
                db.close();
            }
            QSqlDatabase::removeDatabase(name);
        }
    }
    void add(const QString &name)
    {
        if (!m_names.contains(name))
            m_names.append(name);
    }
    void remove(const QString &name) { m_names.removeAll(name); }

private:
    QStringList m_names;
};

QThreadStorage<ThreadConnections> t_connections;

// libpq prints server notices ("relation ... already exists, skipping") to
// stderr by default; route them through the log at debug level instead.
void onPostgresNotice(void *, const char *message)
{
    qCDebug(lcDb, "PostgreSQL: %s", qPrintable(QString::fromUtf8(message).trimmed()));
}

// libpq's connection behind a QPSQL handle (type name "PGconn*" or "pg_conn*").
PGconn *postgresHandle(const QSqlDatabase &db)
{
    const QVariant handle = db.driver()->handle();
    const char *type = handle.typeName();
    if (!type || (qstrcmp(type, "PGconn*") != 0 && qstrcmp(type, "pg_conn*") != 0))
        return nullptr;
    return *static_cast<PGconn *const *>(handle.data());
}

// QPSQL keeps a connection "open" after the server ended it (a restart, a
// failover, an idle-session timeout): libpq only notices when it next reads,
// so the next query would fail. A server that ends a session sends its last
// message and closes the socket; reading what has already arrived, without
// waiting, tells whether that happened. Only idle connections are looked at:
// a caller inside a transaction must see its failure, not a new session.
bool postgresSessionEnded(const QSqlDatabase &db)
{
    PGconn *conn = postgresHandle(db);
    if (!conn)
        return false;
    if (PQstatus(conn) == CONNECTION_BAD)
        return true;
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        return false;
    // The goodbye message and the end of the stream may take two reads.
    for (int reads = 0; reads < 3 && PQstatus(conn) == CONNECTION_OK; ++reads) {
        pollfd socket { PQsocket(conn), POLLIN, 0 };
        if (::poll(&socket, 1, 0) <= 0 || PQconsumeInput(conn) == 0)
            break;
    }
    return PQstatus(conn) == CONNECTION_BAD;
}

} // namespace

Result<DatabaseUrl> DatabaseUrl::parse(const QString &text)
{
    DatabaseUrl url;
    if (text.startsWith(QLatin1String("sqlite://"))) {
        url.backend = Backend::Sqlite;
        url.path = text.mid(9);
        if (url.path.isEmpty())
            return makeError("config", QStringLiteral("The SQLite URL names no file: use sqlite:///path/file.db."));
        if (url.path != QLatin1String(":memory:"))
            url.path = QFileInfo(url.path).absoluteFilePath();
        return url;
    }
    const QUrl parsed(text, QUrl::StrictMode);
    if (!parsed.isValid()
        || (parsed.scheme() != QLatin1String("postgresql") && parsed.scheme() != QLatin1String("postgres")))
        return makeError("config",
                         QStringLiteral("The database URL must start with sqlite:// or "
                                        "postgresql:// (got scheme '%1').")
                                 .arg(text.section(QLatin1Char(':'), 0, 0)));
    url.backend = Backend::Postgres;
    url.host = parsed.host().isEmpty() ? QStringLiteral("localhost") : parsed.host();
    url.port = parsed.port(5432);
    url.user = parsed.userName();
    url.password = parsed.password();
    url.name = parsed.path().mid(1);
    if (url.name.isEmpty())
        return makeError("config",
                         QStringLiteral("The PostgreSQL URL names no database: use "
                                        "postgresql://user:pass@host:port/dbname."));
    QStringList options { QStringLiteral("connect_timeout=5") };
    const auto items = QUrlQuery(parsed).queryItems(QUrl::FullyDecoded);
    for (const auto &item : items)
        options.append(item.first + QLatin1Char('=') + item.second);
    url.options = options.join(QLatin1Char(';'));
    return url;
}

QString DatabaseUrl::display() const
{
    if (backend == Backend::Sqlite)
        return QLatin1String("sqlite://") + path;
    return QStringLiteral("postgresql://%1%2@%3:%4/%5")
            .arg(user, password.isEmpty() ? QString() : QStringLiteral(":****"), host)
            .arg(port)
            .arg(name);
}

Database::Database(DatabaseUrl url)
    : m_url(std::move(url)),
      m_id(QString::number(g_nextDatabaseId.fetchAndAddRelaxed(1)))
{ }

QString Database::connectionName() const
{
    return QStringLiteral("openaps-%1-%2").arg(m_id).arg(quintptr(QThread::currentThreadId()));
}

Result<QSqlDatabase> Database::connection() const
{
    const QString name = connectionName();
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        const bool ended = db.isOpen() && postgresSessionEnded(db);
        if (db.isOpen() && !ended)
            return db;
        if (ended)
            qCInfo(lcDb, "the PostgreSQL server ended the connection; connecting again");
        // Opened before and closed, failed or ended by the server: start again
        // from scratch (QPSQL never reconnects by itself).
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }
    QSqlDatabase db;
    if (m_url.backend == Backend::Sqlite) {
        if (m_url.path != QLatin1String(":memory:"))
            QDir().mkpath(QFileInfo(m_url.path).absolutePath());
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(m_url.path);
        // Several processes (server, CLI) may share the file: wait for locks.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    } else {
        db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        db.setHostName(m_url.host);
        db.setPort(m_url.port);
        db.setUserName(m_url.user);
        db.setPassword(m_url.password);
        db.setDatabaseName(m_url.name);
        db.setConnectOptions(m_url.options);
    }
    t_connections.localData().add(name);
    if (!db.isValid()) {
        db = QSqlDatabase();
        closeConnection();
        return makeError("database", QStringLiteral("The Qt %1 driver is not installed.").arg(m_url.backendName()));
    }
    if (!db.open()) {
        const QString message = friendlyConnectError(m_url, db.lastError());
        db = QSqlDatabase();
        closeConnection();
        return makeError("database", message);
    }
    if (m_url.backend == Backend::Sqlite) {
        QSqlQuery pragma(db);
        pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        pragma.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        pragma.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
    } else {
        if (PGconn *conn = postgresHandle(db))
            PQsetNoticeProcessor(conn, onPostgresNotice, nullptr);
        QSqlQuery(db).exec(QStringLiteral("SET TIME ZONE 'UTC'"));
    }
    return db;
}

void Database::closeConnection() const
{
    const QString name = connectionName();
    t_connections.localData().remove(name);
    if (!QSqlDatabase::contains(name))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

Status Database::ping() const
{
    auto db = connection();
    if (!db)
        return db.error();
    QSqlQuery q(*db);
    if (!q.exec(QStringLiteral("SELECT 1")))
        return sqlError("ping", q.lastError());
    return {};
}

QString sqlErrorText(const QSqlError &error)
{
    // The server's words; the driver's ("QPSQL: Unable to create query") add nothing.
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    return text.simplified();
}

Error sqlError(const char *what, const QSqlError &error)
{
    return makeError(
            "database",
            QStringLiteral("Database error during %1: %2").arg(QString::fromLatin1(what), sqlErrorText(error)));
}

} // namespace openaps::db
