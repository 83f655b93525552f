#include "benchsupport.h"

#include "db/pgcopy.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTextStream>
#include <QUrl>

#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace openaps::bench {

std::optional<Setup> commandLine(const QCoreApplication &app, QCommandLineParser &parser, const char *program)
{
    QLoggingCategory::setFilterRules(QStringLiteral("openaps.*.info=false"));
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("server"), QStringLiteral("openaps-server binary"), QStringLiteral("path") });
    parser.addOption({ QStringLiteral("work"), QStringLiteral("scratch directory"), QStringLiteral("dir") });
    parser.process(app);
    Setup setup { qEnvironmentVariable("OPENAPS_TEST_POSTGRES_URL"), parser.value(QStringLiteral("server")),
                  parser.value(QStringLiteral("work")) };
    if (setup.adminUrl.isEmpty() || setup.server.isEmpty() || setup.work.isEmpty()) {
        QTextStream(stdout) << "usage: OPENAPS_TEST_POSTGRES_URL=... " << program << " --server PATH --work DIR"
                            << Qt::endl;
        return std::nullopt;
    }
    return setup;
}

// Runs `program` and measures it: wall time and peak RSS.
Child run(const QString &program, const QStringList &args, const QString &databaseUrl, const QString &logPath,
          const QList<QByteArray> &env)
{
    QList<QByteArray> argv8 { program.toLocal8Bit() };
    for (const QString &a : args)
        argv8 << a.toLocal8Bit();
    std::vector<char *> argv;
    for (QByteArray &a : argv8)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    QList<QByteArray> env8 { "OPENAPS_DATABASE_URL=" + databaseUrl.toUtf8(), "QT_LOGGING_RULES=openaps.*.info=false",
                             "PATH=/usr/bin:/bin", "HOME=/tmp" };
    env8 += env;
    std::vector<char *> envp;
    for (QByteArray &e : env8)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, logPath.toLocal8Bit().constData(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    QElapsedTimer timer;
    timer.start();
    pid_t pid = 0;
    Child child;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return child;
    }
    posix_spawn_file_actions_destroy(&actions);
    // Peak RSS from /proc/<pid>/status (VmHWM of the exec'd program), read
    // while it runs: wait4's ru_maxrss would also count the spawning
    // process's memory, which the child shares until exec.
    const QString statusPath = QStringLiteral("/proc/%1/status").arg(pid);
    qint64 peakKb = 0;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        QFile procStatus(statusPath);
        if (procStatus.open(QIODevice::ReadOnly)) {
            for (const QByteArray &line : procStatus.readAll().split('\n')) {
                if (line.startsWith("VmHWM:"))
                    peakKb = std::max(peakKb, line.mid(6).trimmed().split(' ').first().toLongLong());
            }
        }
        usleep(10000);
    }
    child.seconds = timer.nsecsElapsed() / 1e9;
    child.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    child.peakMb = peakKb / 1024.0;
    QFile log(logPath);
    if (log.open(QIODevice::ReadOnly))
        child.output = log.readAll();
    return child;
}

bool adminExec(const QString &adminUrl, const QString &sql)
{
    db::Database admin(*db::DatabaseUrl::parse(adminUrl));
    bool ok = false;
    {
        auto conn = admin.connection();
        ok = conn && QSqlQuery(*conn).exec(sql);
    }
    admin.closeConnection();
    return ok;
}

QString databaseUrl(const QString &adminUrl, const QString &name)
{
    QUrl url(adminUrl);
    url.setPath(QLatin1Char('/') + name);
    return url.toString();
}

qint64 tableRows(const db::Database &database, const char *table)
{
    auto conn = database.connection();
    QSqlQuery q(*conn);
    return q.exec(QStringLiteral("SELECT COUNT(*) FROM %1").arg(QLatin1String(table))) && q.next()
            ? q.value(0).toLongLong()
            : -1;
}

double copyFile(const db::Database &database, const QString &table, const QString &columns, const QString &path)
{
    auto conn = database.connection();
    if (!conn)
        return -1;
    auto pgConn = pg::nativeHandle(*conn);
    if (!pgConn)
        return -1;
    QFile in(path);
    if (!in.open(QIODevice::ReadOnly))
        return -1;
    QElapsedTimer timer;
    timer.start();
    pg::exec(*pgConn, "BEGIN");
    pg::CopyStream copy(*pgConn);
    copy.start(QStringLiteral("COPY %1 (%2) FROM STDIN").arg(table, columns));
    QByteArray chunk;
    while (!(chunk = in.read(1 << 20)).isEmpty())
        copy.put(chunk.constData(), int(chunk.size()));
    const auto result = copy.end();
    if (!result.ok()) {
        QTextStream(stdout) << "COPY into " << table << " failed: " << result.safeMessage() << Qt::endl;
        return -1;
    }
    const bool committed = pg::exec(*pgConn, "COMMIT").ok();
    return committed ? timer.nsecsElapsed() / 1e9 : -1;
}

} // namespace openaps::bench
