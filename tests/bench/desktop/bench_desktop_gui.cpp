// Desktop benchmark, the window's part (tests/bench/desktop.sh), offscreen:
//   openaps-bench-desktop-gui localview FILE   a 1400×900 local view: open FILE,
//       load it on the worker thread, draw every chart and table (grab)
//   openaps-bench-desktop-gui report FILE DIR  the AGP report PDF of FILE's first
//       participant, from the file on disk to the PDF written (as `report` does)
// Each prints "<mode> rows=N seconds=S cpu_seconds=C peak_rss_mb=M" (CPU time of
// all threads: on a busy machine the wall clock says more about the load).

#include "agpreport.h"
#include "localviewpanel.h"
#include "metrics/localdata.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QPixmap>

#include <cstdio>
#include <ctime>

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

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = QApplication::arguments();
    if (args.size() < 3) {
        std::fprintf(stderr, "usage: %s localview FILE | report FILE DIR\n", argv[0]);
        return 2;
    }
    const QString &mode = args[1];
    QElapsedTimer timer;
    std::clock_t cpuStart = 0;
    qint64 rows = 0;
    if (mode == QLatin1String("localview")) {
        openaps::desktop::LocalViewPanel panel;
        panel.resize(1400, 900);
        panel.show();
        QApplication::processEvents();
        timer.start();
        cpuStart = std::clock();
        QObject::connect(&panel, &openaps::desktop::LocalViewPanel::loaded, &app, [] { QApplication::quit(); });
        panel.loadFile(args[2]);
        QApplication::exec();
        const QPixmap drawn = panel.grab(); // every chart and table painted once
        if (!panel.analysis() || drawn.isNull()) {
            std::fprintf(stderr, "the local view did not load %s\n", qPrintable(args[2]));
            return 1;
        }
        rows = panel.analysis()->rows;
    } else if (mode == QLatin1String("report") && args.size() > 3) {
        timer.start();
        cpuStart = std::clock();
        auto data = openaps::metrics::loadLocalFiles({ args[2] });
        if (!data || data->entries.participants.isEmpty()) {
            std::fprintf(stderr, "%s\n", data ? "no readings" : qPrintable(data.error().message));
            return 1;
        }
        const auto &p = data->entries.participants.first();
        const QString pdf = QDir(args[3]).filePath(openaps::desktop::agpReportFileName(p.participant));
        if (const auto written = openaps::desktop::writeAgpReport(p, openaps::desktop::GlucoseUnit::MgDl, pdf);
            !written) {
            std::fprintf(stderr, "%s\n", qPrintable(written.error().message));
            return 1;
        }
        rows = p.readings.size();
    } else {
        return 2;
    }
    std::printf("%s rows=%lld seconds=%.3f cpu_seconds=%.3f peak_rss_mb=%.1f\n", qPrintable(mode), rows,
                double(timer.nsecsElapsed()) / 1e9, double(std::clock() - cpuStart) / CLOCKS_PER_SEC, peakRssMb());
    return 0;
}
