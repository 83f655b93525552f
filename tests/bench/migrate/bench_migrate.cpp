// The migration benchmark (tests/bench/run.sh migrate): an old Data Commons
// database (tests/fixtures/legacy/schema.sql) filled with N old entries
// (default 1,000,000) of 100 members, stored the way the old ETL loaded them
// (runs of 2,000 rows per member, its own keys in raw_json), migrated by the
// real binary (`openaps-server migrate-legacy`) into PostgreSQL; then the
// rows it stored COPYed into identical tables in the same run. Prints rows/s
// of both, their ratio and the migration's peak RSS; the LAST line is
//   migrate rows_per_s=N copy_rows_per_s=N ratio=R peak_rss_mb=N
// Not a test: timings belong here, not in CTest.

#include "../common/benchsupport.h"
#include "db/migrations.h"
#include "db/pgcopy.h"
#include "records/researchtables.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>

#include <libpq-fe.h>

using namespace openaps;
using namespace openaps::bench;

namespace {

QTextStream out(stdout);

const QByteArray benchSecretKey = QByteArrayLiteral("bench-migrate-secret-key-0123456789abcdef");

bool exec(const db::Database &database, const QString &sql)
{
    auto conn = database.connection();
    QSqlQuery q(*conn);
    if (!q.exec(sql)) {
        out << "failed: " << q.lastError().text() << Qt::endl;
        return false;
    }
    return true;
}

// The old schema and N entries of 100 members: runs of 2,000 readings (one
// every 5 minutes) per member, one profile each, register rows with tokens.
bool fillOldDatabase(const db::Database &old, const QString &schemaPath, qint64 entries)
{
    QFile schema(schemaPath);
    if (!schema.open(QIODevice::ReadOnly) || !exec(old, QString::fromUtf8(schema.readAll())))
        return false;
    return exec(old,
                QStringLiteral(
                        "INSERT INTO register.auth_user (id, password, is_superuser, username, first_name, last_name, "
                        "email, is_staff, is_active, date_joined) SELECT m, '', false, (60000000 + m)::text || "
                        "'_openhumans', '', '', '', false, true, now() FROM generate_series(0, 99) m"))
            && exec(old,
                    QStringLiteral("INSERT INTO register.openhumans_openhumansmember SELECT (60000000 + m)::text, "
                                   "'access-' || m, 'refresh-' || m, now() + interval '10 hours', false, m "
                                   "FROM generate_series(0, 99) m"))
            && exec(old,
                    QStringLiteral("INSERT INTO openaps.profile (user_id, id, raw_json, created_at) SELECT "
                                   "60000000 + m, 'prof' || m, jsonb_build_object('_id', 'prof' || m, "
                                   "'defaultProfile', 'Default', 'startDate', '2019-01-01T00:00:00.000Z', 'store', "
                                   "jsonb_build_object('Default', jsonb_build_object('timezone', (ARRAY["
                                   "'Europe/Berlin', 'America/New_York', 'Australia/Sydney'])[1 + m % 3], 'units', "
                                   "'mg/dl')), 'user_id', 60000000 + m, 'source_entity', 0), '2019-01-01' "
                                   "FROM generate_series(0, 99) m"))
            && exec(old,
                    QStringLiteral(
                            "INSERT INTO openaps.entries (user_id, id, sgv, type, device, direction, raw_json, date, "
                            "date_string) SELECT member, id, sgv, 'sgv', 'xDrip-DexcomG6', 'Flat', "
                            "jsonb_build_object('_id', id, 'sgv', sgv, 'type', 'sgv', 'direction', 'Flat', 'device', "
                            "'xDrip-DexcomG6', 'date', ms, 'dateString', iso, 'sysTime', iso, 'filtered', 150000 + "
                            "sgv, 'unfiltered', 151000 + sgv, 'rssi', 100, 'noise', 1, 'utcOffset', 0, 'user_id', "
                            "member, 'source_entity', 0, 'sharing_consent', 'openaps'), to_timestamp(ms / 1000) AT "
                            "TIME ZONE 'UTC', iso FROM (SELECT i, 60000000 + (i / 2000) % 100 AS member, "
                            "substr(md5(i::text), 1, 24) AS id, 40 + (i * 7) % 360 AS sgv, ms, to_char(to_timestamp("
                            "ms / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\".000Z\"') AS iso FROM (SELECT "
                            "i, 1546300800000 + ((i / 200000) * 2000 + i % 2000) * 300000 AS ms FROM "
                            "generate_series(0::bigint, %1 - 1) i) t) u")
                            .arg(entries))
            && exec(old, QStringLiteral("ANALYZE"));
}

// `COPY table (columns) TO STDOUT` into `path`.
bool copyOut(const db::Database &database, const QString &table, const QString &columns, const QString &path)
{
    auto conn = database.connection();
    auto pgConn = pg::nativeHandle(*conn);
    QFile file(path);
    if (!pgConn || !file.open(QIODevice::WriteOnly))
        return false;
    pg::PgResult started = pg::exec(*pgConn, QStringLiteral("COPY %1 (%2) TO STDOUT").arg(table, columns));
    if (PQresultStatus(started.get()) != PGRES_COPY_OUT)
        return false;
    char *row = nullptr;
    int size = 0;
    while ((size = PQgetCopyData(*pgConn, &row, 0)) > 0) {
        file.write(row, size);
        PQfreemem(row);
    }
    pg::PgResult done(PQgetResult(*pgConn));
    return done.ok();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("schema"), QStringLiteral("the old schema (tests/fixtures/legacy/schema.sql)"),
                       QStringLiteral("path") });
    parser.addOption({ QStringLiteral("entries"), QStringLiteral("old entries"), QStringLiteral("n"),
                       QStringLiteral("1000000") });
    const auto setup = commandLine(app, parser, "openaps-bench-migrate --schema SQL");
    if (!setup)
        return 2;
    const QString adminUrl = setup->adminUrl;
    const QString server = setup->server;
    const QString work = setup->work;
    const qint64 entries = parser.value(QStringLiteral("entries")).toLongLong();
    QDir().mkpath(work);

    const QString suffix = QString::number(QCoreApplication::applicationPid());
    const QString oldDb = QStringLiteral("bench_migrate_old_") + suffix;
    const QString runDb = QStringLiteral("bench_migrate_run_") + suffix;
    const QString copyDb = QStringLiteral("bench_migrate_copy_") + suffix;
    auto cleanup = [&] {
        for (const QString &name : { oldDb, runDb, copyDb })
            adminExec(adminUrl, QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(name));
    };
    for (const QString &name : { oldDb, runDb, copyDb }) {
        if (!adminExec(adminUrl, QStringLiteral("CREATE DATABASE ") + name)) {
            out << "cannot create database " << name << Qt::endl;
            return 1;
        }
    }
    for (const QString &name : { runDb, copyDb }) {
        db::Database database(*db::DatabaseUrl::parse(databaseUrl(adminUrl, name)));
        const bool migrated = db::migrate(database).ok();
        database.closeConnection();
        if (!migrated) {
            out << "cannot migrate " << name << Qt::endl;
            cleanup();
            return 1;
        }
    }

    QElapsedTimer timer;
    timer.start();
    db::Database old(*db::DatabaseUrl::parse(databaseUrl(adminUrl, oldDb)));
    if (!fillOldDatabase(old, parser.value(QStringLiteral("schema")), entries)) {
        cleanup();
        return 1;
    }
    const qint64 oldRows = tableRows(old, "openaps.entries") + tableRows(old, "openaps.profile");
    old.closeConnection();
    out << "old database: " << oldRows << " rows (entries and profiles of 100 members) in " << timer.elapsed() / 1000
        << " s" << Qt::endl;

    // The real binary; the analytics refresh is left out, as COPY has no counterpart.
    const Child migration = run(server,
                                { QStringLiteral("migrate-legacy"), QStringLiteral("--no-analytics"),
                                  QStringLiteral("--from"), databaseUrl(adminUrl, oldDb) },
                                databaseUrl(adminUrl, runDb), work + QStringLiteral("/migrate.log"),
                                { "OPENAPS_SECRET_KEY=" + benchSecretKey });

    // The rows it stored, COPYed into identical tables.
    db::Database migrated(*db::DatabaseUrl::parse(databaseUrl(adminUrl, runDb)));
    db::Database copied(*db::DatabaseUrl::parse(databaseUrl(adminUrl, copyDb)));
    double copySeconds = 0;
    qint64 copyRows = 0;
    for (const records::TableSpec *spec : { &records::profileTable(), &records::entriesTable() }) {
        const QString table = QLatin1String(spec->name);
        const QString path = work + QLatin1Char('/') + table + QStringLiteral(".copy");
        if (!copyOut(migrated, table, spec->columnList(), path)) {
            out << "cannot read " << table << " back" << Qt::endl;
            copySeconds = -1;
            break;
        }
        const double taken = copyFile(copied, table, spec->columnList(), path);
        if (taken < 0) {
            copySeconds = -1;
            break;
        }
        copySeconds += taken;
        copyRows += tableRows(copied, spec->name);
    }
    const qint64 migratedRows = tableRows(migrated, "entries") + tableRows(migrated, "profile");
    migrated.closeConnection();
    copied.closeConnection();
    cleanup();

    if (migration.exitCode != 0 || copySeconds <= 0 || migratedRows != oldRows || copyRows != migratedRows) {
        out << "benchmark failed (exit code " << migration.exitCode << ", rows old " << oldRows << " migrated "
            << migratedRows << " copied " << copyRows << ")\n"
            << migration.output.right(3000) << Qt::endl;
        return 1;
    }
    out << migration.output.right(1500);
    const double rate = oldRows / migration.seconds;
    const double copyRate = copyRows / copySeconds;
    out << "migrate-legacy: " << oldRows << " old rows in " << QString::number(migration.seconds, 'f', 2) << " s ("
        << qint64(rate) << " rows/s), peak RSS " << QString::number(migration.peakMb, 'f', 1) << " MB" << Qt::endl;
    out << "COPY of the same rows: " << copyRows << " rows in " << QString::number(copySeconds, 'f', 2) << " s ("
        << qint64(copyRate) << " rows/s)" << Qt::endl;
    out << "migrate rows_per_s=" << qint64(rate) << " copy_rows_per_s=" << qint64(copyRate)
        << " ratio=" << QString::number(rate / copyRate, 'f', 2) << " peak_rss_mb=" << qRound(migration.peakMb)
        << Qt::endl;
    return 0;
}
