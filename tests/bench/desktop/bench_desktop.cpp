// Desktop benchmark (tests/bench/desktop.sh): loading a large downloaded
// entries CSV into the local view's chart/metrics model
// (metrics::analyseEntriesFile) against just reading the same file line by
// line. One mode per process so that each reports its own peak RSS:
//   openaps-bench-desktop generate FILE ROWS   (FILE *.ndjson: the same rows as NDJSON)
//   openaps-bench-desktop baseline FILE
//   openaps-bench-desktop load FILE            (the CSV fast path and the metrics)
//   openaps-bench-desktop local FILE           (the local view's reader, any format)
// Each prints "<mode> rows=N seconds=S peak_rss_mb=M".

#include "metrics/entriesanalysis.h"
#include "metrics/localdata.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTimeZone>

#include <cmath>
#include <cstdio>

namespace {

double peakRssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return -1;
}

// Rows as the API's entries export writes them: every ETL column, raw_json
// quoted (CSV) or as a nested object (NDJSON).
int generate(const QString &path, qint64 rows)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return 1;
    const bool ndjson = path.endsWith(QLatin1String(".ndjson"));
    if (!ndjson)
        file.write("user_id,id,sgv,direction,device,type,rssi,rawbg,trend,glucose,mbg,delta,filtered,unfiltered,"
                   "noise,scale,slope,intercept,system_time,source_entity,raw_json,date,utc_offset\n");
    const qint64 perParticipant = 105120; // a year of 5-minute readings
    const qint64 start = 1704067200000; // 2024-01-01
    QByteArray buffer;
    for (qint64 i = 0; i < rows; ++i) {
        const qint64 participant = 10000000 + i / perParticipant;
        const qint64 ms = start + (i % perParticipant) * 300000;
        const int sgv = int(140 + 80 * std::sin(double(i) / 40.0) + (i % 11));
        const QByteArray date =
                QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs).toLatin1();
        const QByteArray id = QByteArray::number(0x5f00000000LL + i, 16);
        if (ndjson)
            buffer += "{\"user_id\":" + QByteArray::number(participant) + ",\"id\":\"" + id
                    + "\",\"sgv\":" + QByteArray::number(sgv)
                    + ",\"direction\":\"Flat\",\"device\":\"xDrip-DexcomG6\",\"type\":\"sgv\",\"rssi\":null,"
                      "\"rawbg\":null,\"trend\":4,\"glucose\":null,\"mbg\":null,\"delta\":1.5,\"filtered\":null,"
                      "\"unfiltered\":null,\"noise\":1,\"scale\":null,\"slope\":null,\"intercept\":null,"
                      "\"system_time\":\""
                    + date + "\",\"source_entity\":0,\"raw_json\":{\"_id\":\"" + id
                    + "\",\"sgv\":" + QByteArray::number(sgv) + ",\"date\":" + QByteArray::number(ms)
                    + ",\"dateString\":\"" + date + "\",\"direction\":\"Flat\",\"type\":\"sgv\"},\"date\":\"" + date
                    + "\",\"utc_offset\":" + (i % 3 == 0 ? "-300" : "60") + "}\n";
        else
            buffer += QByteArray::number(participant) + ',' + id + ',' + QByteArray::number(sgv)
                    + ",Flat,xDrip-DexcomG6,sgv,,,4,,,1.5,,,1,,,," + date + ",0,\"{\"\"_id\"\":\"\"" + id
                    + "\"\",\"\"sgv\"\":" + QByteArray::number(sgv) + ",\"\"date\"\":" + QByteArray::number(ms)
                    + ",\"\"dateString\"\":\"\"" + date
                    + "\"\",\"\"direction\"\":\"\"Flat\"\",\"\"type\"\":\"\"sgv\"\"}\"," + date + ','
                    + (i % 3 == 0 ? "-300" : "60") + '\n';
        if (buffer.size() > (1 << 20)) {
            file.write(buffer);
            buffer.clear();
        }
    }
    file.write(buffer);
    std::printf("generate rows=%lld bytes=%lld\n", rows, qint64(file.size()));
    return 0;
}

} // namespace

// Result::value() throws only on an unchecked error, which would be a bug here.
int main(int argc, char *argv[]) // NOLINT(bugprone-exception-escape)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: %s generate FILE ROWS | baseline FILE | load FILE\n", argv[0]);
        return 2;
    }
    const QString &mode = args[1];
    const QString &path = args[2];
    if (mode == QLatin1String("generate"))
        return generate(path, args.value(3, QStringLiteral("1000000")).toLongLong());

    QElapsedTimer timer;
    timer.start();
    qint64 rows = 0;
    if (mode == QLatin1String("baseline")) {
        // The floor: reading every line of the file, nothing else.
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return 1;
        char line[64 * 1024];
        while (file.readLine(line, sizeof line) > 0)
            ++rows;
        rows -= path.endsWith(QLatin1String(".ndjson")) ? 0 : 1; // header
    } else if (mode == QLatin1String("load")) {
        auto data = openaps::metrics::loadEntriesCsvFile(path);
        if (!data) {
            std::fprintf(stderr, "%s\n", qPrintable(data.error().message));
            return 1;
        }
        const double parsed = timer.nsecsElapsed() / 1e9;
        const auto analysis = openaps::metrics::analyse(std::move(*data));
        std::fprintf(stderr, "parse %.3f s, metrics %.3f s\n", parsed, timer.nsecsElapsed() / 1e9 - parsed);
        rows = analysis.rows;
        qint64 readings = 0;
        for (const auto &p : analysis.participants)
            readings += p.summary.readings;
        std::fprintf(stderr, "participants=%lld readings=%lld\n", qint64(analysis.participants.size()), readings);
    } else if (mode == QLatin1String("local")) {
        const auto data = openaps::metrics::loadLocalFiles({ path });
        if (!data) {
            std::fprintf(stderr, "%s\n", qPrintable(data.error().message));
            return 1;
        }
        rows = data->rows;
    } else {
        return 2;
    }
    std::printf("%s rows=%lld seconds=%.3f peak_rss_mb=%.1f\n", qPrintable(mode), rows, timer.nsecsElapsed() / 1e9,
                peakRssMb());
    return 0;
}
