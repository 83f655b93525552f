// The derived-datasets benchmark (tests/bench/run.sh summary): PARTICIPANTS
// participants x DAYS days of 5-minute CGM readings plus treatments (meal
// boluses and carbs, a temp basal every 30 minutes) and hourly device
// status, COPYed into a fresh PostgreSQL database; then, each in its own
// measured process, the analytics and derived datasets of every participant
// computed from scratch (as the ETL does after a load: etl::
// refreshParticipantAnalytics), and again after one new day per participant
// (incremental: only the new day's month, the whole-history and rolling
// periods). The LAST line is
//   summary participants=N full_s=S incremental_s=S peak_rss_mb=M
// Not a test: timings belong here, not in CTest.

#include "../common/benchsupport.h"
#include "db/migrations.h"
#include "db/sqlhelpers.h"
#include "etl/analytics.h"
#include "etl/derivedtables.h"
#include "records/nstime.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QTextStream>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

using namespace openaps;

namespace {

QTextStream out(stdout);

constexpr qint64 dayMs = 24 * 3600 * 1000;
constexpr qint64 fiveMinutes = 5 * 60 * 1000;
// 2024-01-01T00:00:00Z
constexpr qint64 startMs = 1704067200000;

qint64 userIdOf(int participant)
{
    return 1000000000000000 + participant;
}

// COPY text of days [firstDay, firstDay + days) of one participant.
struct Rows
{
    QByteArray entries, treatments, deviceStatus;
};

Rows rowsFor(int participant, int firstDay, int days)
{
    Rows r;
    const QByteArray user = QByteArray::number(userIdOf(participant));
    const int offset = (participant % 5 - 2) * 60; // UTC-2 .. UTC+2
    const QByteArray offsetText = QByteArray::number(offset);
    quint32 seed = quint32(participant) * 2654435761u + quint32(firstDay);
    const auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    for (int d = firstDay; d < firstDay + days; ++d) {
        const qint64 day = startMs + qint64(d) * dayMs;
        double glucose = 120;
        for (int i = 0; i < 288; ++i) {
            const qint64 t = day + i * fiveMinutes;
            glucose = std::clamp(glucose + double(int(next() % 21) - 10), 45.0, 380.0);
            if (next() % 50 == 0)
                continue; // a missed reading
            r.entries += user + "\te" + QByteArray::number(t) + '\t' + QByteArray::number(int(glucose))
                    + "\txdrip\tsgv\t" + records::formatUtc(t) + '\t' + offsetText + "\t0\n";
        }
        for (int i = 0; i < 48; ++i) {
            const qint64 t = day + i * 6 * fiveMinutes;
            r.treatments += user + "\tb" + QByteArray::number(t) + "\tTemp Basal\t" + records::formatUtc(t)
                    + "\t\\N\t\\N\t" + QByteArray::number(0.5 + (next() % 20) / 10.0) + "\t30\t" + offsetText + "\t0\n";
        }
        for (int meal = 0; meal < 3; ++meal) {
            const qint64 t = day + (7 + meal * 5) * 3600000;
            r.treatments += user + "\tm" + QByteArray::number(t) + "\tMeal Bolus\t" + records::formatUtc(t) + '\t'
                    + QByteArray::number(2 + next() % 6) + '\t' + QByteArray::number(20 + next() % 60) + "\t\\N\t\\N\t"
                    + offsetText + "\t0\n";
        }
        for (int h = 0; h < 24; ++h) {
            const qint64 t = day + h * 3600000;
            r.deviceStatus += user + "\ts" + QByteArray::number(t) + "\topenaps\t" + records::formatUtc(t) + '\t'
                    + QByteArray::number(1 + (next() % 30) / 10.0) + '\t' + offsetText + "\t0\n";
        }
    }
    return r;
}

bool copy(const db::Database &database, const QString &work, const QString &table, const QString &columns,
          const QByteArray &rows)
{
    const QString path = work + QStringLiteral("/rows.copy");
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(rows) != rows.size())
        return false;
    file.close();
    return bench::copyFile(database, table, columns, path) >= 0;
}

bool load(const db::Database &database, const QString &work, int participants, int firstDay, int days)
{
    for (int p = 0; p < participants; ++p) {
        const Rows r = rowsFor(p, firstDay, days);
        if (!copy(database, work, QStringLiteral("entries"),
                  QStringLiteral("user_id, id, sgv, device, type, \"date\", utc_offset, source_entity"), r.entries)
            || !copy(database, work, QStringLiteral("treatments"),
                     QStringLiteral("user_id, id, event_type, created_at, insulin, carbs, absolute, duration, "
                                    "utc_offset, source_entity"),
                     r.treatments)
            || !copy(database, work, QStringLiteral("device_status"),
                     QStringLiteral("user_id, id, device, created_at, loop_iob, utc_offset, source_entity"),
                     r.deviceStatus))
            return false;
        // As the ETL does for each file it loads.
        const qint64 from = startMs + qint64(firstDay) * dayMs;
        if (!etl::markDerivedPending(database, userIdOf(p), from, from + qint64(days) * dayMs - 1))
            return false;
    }
    return true;
}

// CPU seconds (user + system) this process has used.
double clientCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds the PostgreSQL backend serving this connection has used, from
// /proc/<pid>/stat (utime and stime, fields 14 and 15): the server on this
// machine; -1 when it cannot be read (a remote server).
double serverCpuSeconds(const db::Database &database)
{
    auto q = sql::exec(database, QStringLiteral("SELECT pg_backend_pid()"), {}, "finding the backend");
    if (!q || !q->next())
        return -1;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(q->value(0).toLongLong()));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    // The fields after the command name in parentheses, from field 3 on.
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return -1;
    return double(fields[11].toLongLong() + fields[12].toLongLong()) / double(sysconf(_SC_CLK_TCK));
}

// `derivedOnly`: the derived datasets without the analytics refresh before
// them, to tell the two costs apart.
int refresh(const db::Database &database, int participants, bool derivedOnly)
{
    QElapsedTimer timer;
    timer.start();
    for (int p = 0; p < participants; ++p) {
        const qint64 userId = userIdOf(p);
        const Status s = derivedOnly ? sql::inTransaction(database,
                                                          [&database, userId](const QSqlDatabase &db) {
                                                              return etl::writeDerivedDatasets(database, db, userId);
                                                          })
                                     : etl::refreshParticipantAnalytics(database, userId);
        if (!s) {
            out << "participant " << p << ": " << s.error().message << Qt::endl;
            return 1;
        }
    }
    out << (derivedOnly ? "derived datasets of " : "analytics and derived datasets of ") << participants
        << " participants in " << timer.elapsed() / 1000.0 << " s; CPU: this process " << clientCpuSeconds()
        << " s, its PostgreSQL backend " << serverCpuSeconds(database) << " s" << Qt::endl;
    return 0;
}

} // namespace

// Modes: seed URL WORK PARTICIPANTS DAYS | add-day URL WORK PARTICIPANTS DAY |
// refresh URL PARTICIPANTS (analytics and derived datasets) | derived URL PARTICIPANTS (derived only)
int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("openaps.*.info=false"));
    const QStringList args = app.arguments();
    if (args.size() < 4) {
        out << "usage: openaps-bench-summary seed|add-day|refresh URL ..." << Qt::endl;
        return 2;
    }
    auto url = db::DatabaseUrl::parse(args[2]);
    if (!url) {
        out << url.error().message << Qt::endl;
        return 2;
    }
    const db::Database database(*url);
    const QString &mode = args[1];
    if (mode == QLatin1String("refresh") || mode == QLatin1String("derived"))
        return refresh(database, args[3].toInt(), mode == QLatin1String("derived"));
    if (args.size() < 6)
        return 2;
    if (mode == QLatin1String("seed")) {
        if (auto s = db::migrate(database); !s) {
            out << s.error().message << Qt::endl;
            return 1;
        }
        return load(database, args[3], args[4].toInt(), 0, args[5].toInt()) ? 0 : 1;
    }
    if (mode == QLatin1String("add-day"))
        return load(database, args[3], args[4].toInt(), args[5].toInt(), 1) ? 0 : 1;
    return 2;
}
