#pragma once

// The old Data Commons database for the migration tests: a fresh PostgreSQL
// database built from tests/fixtures/legacy/ (the schema as the old system's
// description gives it, then messy rows), and the real binary run on it.

#include "../etl/etltestsupport.h"
#include "testdatabase.h"

#include <QFile>
#include <QProcess>
#include <QSqlQuery>

#include <memory>

namespace openaps::test::legacy {

inline const QByteArray secretKey = QByteArrayLiteral("legacy-migration-test-secret-key-0123456789");

inline QString legacyFixture(const char *name)
{
    return qEnvironmentVariable("OPENAPS_TEST_SOURCE_DIR") + QLatin1String("/tests/fixtures/legacy/")
            + QLatin1String(name);
}

// Runs a whole SQL file (several statements, no binds) on `database`.
inline bool runSqlFile(const db::Database &database, const QString &path)
{
    QFile file(path);
    auto conn = database.connection();
    if (!conn || !file.open(QIODevice::ReadOnly))
        return false;
    QSqlQuery q(*conn);
    if (!q.exec(QString::fromUtf8(file.readAll()))) {
        qWarning("%s: %s", qPrintable(path), qPrintable(q.lastError().text()));
        return false;
    }
    return true;
}

inline bool runSql(const db::Database &database, const QString &sql)
{
    auto conn = database.connection();
    if (!conn)
        return false;
    QSqlQuery q(*conn);
    if (!q.exec(sql)) {
        qWarning("%s", qPrintable(q.lastError().text()));
        return false;
    }
    return true;
}

// The old database, built from the fixtures (schema, then the members' rows
// and the portal's accounts); always PostgreSQL.
inline std::unique_ptr<TestDatabase> oldDatabase(bool withData = true)
{
    auto source = std::make_unique<TestDatabase>(QStringLiteral("postgres"));
    if (!source->isValid())
        return nullptr;
    if (!runSqlFile(source->database(), legacyFixture("schema.sql")))
        return nullptr;
    if (withData
        && (!runSqlFile(source->database(), legacyFixture("data.sql"))
            || !runSqlFile(source->database(), legacyFixture("accounts.sql"))))
        return nullptr;
    return source;
}

struct RunResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

inline QProcess *startMigration(const QString &targetUrl, const QString &sourceUrl, const QStringList &extra,
                                QObject *parent)
{
    auto *process = new QProcess(parent);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("OPENAPS_DATABASE_URL"), targetUrl);
    env.insert(QStringLiteral("OPENAPS_SECRET_KEY"), QString::fromLatin1(secretKey));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("openaps.*.info=false"));
    process->setProcessEnvironment(env);
    process->start(QStringLiteral(OPENAPS_SERVER_BINARY),
                   QStringList { QStringLiteral("migrate-legacy"), QStringLiteral("--from"), sourceUrl } + extra);
    return process;
}

inline RunResult migrate(const QString &targetUrl, const QString &sourceUrl, const QStringList &extra = {})
{
    QObject owner;
    QProcess *process = startMigration(targetUrl, sourceUrl, extra, &owner);
    RunResult result;
    if (!process->waitForFinished(600000))
        return result;
    result.exitCode = process->exitCode();
    result.out = QString::fromUtf8(process->readAllStandardOutput());
    result.err = QString::fromUtf8(process->readAllStandardError());
    return result;
}

// Every table a migration writes, as text, to compare two states.
inline QStringList everything(const db::Database &database)
{
    using openaps::test::etl::snapshot;
    QStringList all;
    const QStringList seqTables { QStringLiteral("entries"),       QStringLiteral("treatments"),
                                  QStringLiteral("device_status"), QStringLiteral("device_status_metrics"),
                                  QStringLiteral("profile"),       QStringLiteral("member_demographics") };
    for (const QString &table : seqTables)
        all << table << snapshot(database, table);
    all << snapshot(database, QStringLiteral("participants"), QStringLiteral("id"));
    all << snapshot(database, QStringLiteral("researchers"), QStringLiteral("id"));
    all << snapshot(database, QStringLiteral("legacy_migration"), QStringLiteral("source_table"));
    all << snapshot(database, QStringLiteral("legacy_migration_counts"),
                    QStringLiteral("source_table, outcome, reason"));
    all << snapshot(database, QStringLiteral("schema_migrations"), QStringLiteral("version"));
    return all;
}

} // namespace openaps::test::legacy
