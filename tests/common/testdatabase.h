#pragma once

#include "db/database.h"

#include <QTemporaryDir>

#include <memory>

namespace openaps::test {

// Adds a "backend" column with the rows "sqlite" and, when
// OPENAPS_TEST_POSTGRES_URL names a PostgreSQL server (an admin URL, e.g.
// postgresql://openaps_test:pw@127.0.0.1:5432/postgres), "postgres".
// Call from initTestCase_data(). With OPENAPS_TEST_REQUIRE_POSTGRES=1 a
// missing server is a failure, not a skip.
void addBackendRows();

// In a test function: QFETCH_GLOBAL(QString, backend); TestDatabase db(backend);

// A throw-away database: a temporary SQLite file, or a fresh PostgreSQL
// database created on the test server and dropped again in the destructor.
class TestDatabase
{
public:
    explicit TestDatabase(const QString &backend);
    ~TestDatabase();
    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    bool isValid() const { return m_valid; }
    QString url() const { return m_url; }
    db::Database database() const;
    // The admin URL of the PostgreSQL test server (empty for SQLite).
    static QString postgresAdminUrl();

private:
    QString m_backend;
    QString m_url;
    QString m_pgName;
    QTemporaryDir m_dir;
    bool m_valid = false;
};

} // namespace openaps::test
