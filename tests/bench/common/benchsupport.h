#pragma once

// Pieces the database benchmarks share (etl, migrate): the measured child
// process, throw-away PostgreSQL databases, and timed COPY.

#include "db/database.h"

#include <QByteArray>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace openaps::bench {

// What every database benchmark is given: the PostgreSQL server
// (OPENAPS_TEST_POSTGRES_URL), the openaps-server binary (--server) and a
// scratch directory (--work).
struct Setup
{
    QString adminUrl;
    QString server;
    QString work;
};

// Quiets the server's info logs, adds --help, --server and --work to
// `parser` (the caller adds its own options first) and reads the command
// line; without all three, prints the usage line of `program` and gives nothing.
std::optional<Setup> commandLine(const QCoreApplication &app, QCommandLineParser &parser, const char *program);

struct Child
{
    int exitCode = -1;
    double seconds = 0;
    double peakMb = 0;
    QByteArray output;
};

// Runs `program` with OPENAPS_DATABASE_URL=`databaseUrl` plus `env`
// ("NAME=value"), stdout and stderr into `logPath`; measures wall time and
// peak RSS (VmHWM of the program itself, read while it runs).
Child run(const QString &program, const QStringList &args, const QString &databaseUrl, const QString &logPath,
          const QList<QByteArray> &env = {});

// Runs `sql` (no binds) on the database of `adminUrl`.
bool adminExec(const QString &adminUrl, const QString &sql);
// `adminUrl` with the database name replaced.
QString databaseUrl(const QString &adminUrl, const QString &name);
qint64 tableRows(const db::Database &database, const char *table);

// COPY `table` (`columns`) FROM the COPY text in `path`, in one transaction;
// seconds taken, or -1 (the reason printed).
double copyFile(const db::Database &database, const QString &table, const QString &columns, const QString &path);

} // namespace openaps::bench
