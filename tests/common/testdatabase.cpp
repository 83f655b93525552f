#include "testdatabase.h"

#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

namespace openaps::test {

namespace {

// Runs one statement on the PostgreSQL test server's maintenance database.
bool adminExec(const QString &sql)
{
    auto url = db::DatabaseUrl::parse(TestDatabase::postgresAdminUrl());
    if (!url)
        return false;
    db::Database admin(*url);
    bool ok = false;
    {
        auto conn = admin.connection();
        if (conn) {
            QSqlQuery q(*conn);
            ok = q.exec(sql);
            if (!ok)
                qWarning("admin statement failed: %s", qPrintable(q.lastError().text()));
        } else {
            qWarning("%s", qPrintable(conn.error().message));
        }
    }
    admin.closeConnection();
    return ok;
}

} // namespace

QString TestDatabase::postgresAdminUrl()
{
    return qEnvironmentVariable("OPENAPS_TEST_POSTGRES_URL");
}

void addBackendRows()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("sqlite") << QStringLiteral("sqlite");
    if (!TestDatabase::postgresAdminUrl().isEmpty())
        QTest::newRow("postgres") << QStringLiteral("postgres");
    else if (qEnvironmentVariableIntValue("OPENAPS_TEST_REQUIRE_POSTGRES"))
        QTest::newRow("postgres-missing") << QStringLiteral("postgres");
    else
        qWarning("OPENAPS_TEST_POSTGRES_URL is not set: PostgreSQL rows are skipped");
}

TestDatabase::TestDatabase(const QString &backend) : m_backend(backend)
{
    if (backend == QLatin1String("sqlite")) {
        m_url = QLatin1String("sqlite://") + m_dir.filePath(QStringLiteral("test.db"));
        m_valid = m_dir.isValid();
        return;
    }
    if (postgresAdminUrl().isEmpty())
        return;
    m_pgName = QStringLiteral("openaps_t_%1").arg(QRandomGenerator::global()->generate64(), 0, 16);
    if (!adminExec(QStringLiteral("CREATE DATABASE %1").arg(m_pgName)))
        return;
    QUrl url(postgresAdminUrl());
    url.setPath(QLatin1Char('/') + m_pgName);
    m_url = url.toString();
    m_valid = true;
}

TestDatabase::~TestDatabase()
{
    if (m_pgName.isEmpty() || !m_valid)
        return;
    // Drop the connections this process opened to it first.
    const QStringList names = QSqlDatabase::connectionNames();
    for (const QString &name : names) {
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            if (db.databaseName() != m_pgName)
                continue;
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
    adminExec(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_pgName));
}

db::Database TestDatabase::database() const
{
    return db::Database(*db::DatabaseUrl::parse(m_url));
}

} // namespace openaps::test
