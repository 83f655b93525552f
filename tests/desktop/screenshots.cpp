// The README's screenshots of the local view (tests/desktop/screenshots.sh):
// the real main window at 1400×900, offscreen, with three weeks of one
// synthetic participant's entries, treatments, device status and profile.
//   openaps-desktop-screenshots OUTDIR
// writes local-view.png (whole range, mg/dL) and local-view-day.png (one day
// with insulin and carbs markers, mmol/L).

#include "localfiles.h"
#include "localviewpanel.h"
#include "mainwindow.h"
#include "researcher/apiclient.h"
#include "units.h"

#include <QApplication>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <cmath>
#include <cstdio>

using namespace openaps;

namespace {

const QString participant = QStringLiteral("4711000000000001");
constexpr qint64 start = 1709272800000; // 2024-03-01T06:00Z, 01:00 local (UTC-5)
constexpr int days = 21;
constexpr int meals[] = { 7 * 60 + 30, 12 * 60 + 30, 19 * 60 }; // local minutes

// A day of a looping participant: meals raise glucose, boluses bring it back.
double glucoseAt(int i)
{
    const int minute = (i * 5 + 60) % 1440; // local
    double v = 115 + 15 * std::sin(i / 37.0) + 8 * std::sin(i / 5.3);
    for (const int meal : meals) {
        const double after = (minute - meal) / 60.0;
        if (after > 0 && after < 4)
            v += 95 * after * std::exp(1 - after * 1.4) * (1 + 0.3 * std::sin(i / 97.0));
    }
    if (i % 1300 > 1290)
        v = 58 + (i % 7);
    return std::round(std::clamp(v, 40.0, 400.0));
}

QStringList writeFiles(const QDir &dir)
{
    QByteArray entries = "user_id,id,sgv,date,utc_offset\n";
    QByteArray treatments = "user_id,id,event_type,timestamp,insulin,carbs,created_at,utc_offset\n";
    QByteArray status;
    for (int i = 0; i < days * 288; ++i) {
        const qint64 ms = start + i * 300000LL;
        if (i % 2016 < 2000) // a sensor change a week
            entries += QStringLiteral("%1,e%2,%3,%4,-300\n")
                               .arg(participant)
                               .arg(i)
                               .arg(glucoseAt(i))
                               .arg(test::isoUtc(ms))
                               .toUtf8();
        const int minute = (i * 5 + 60) % 1440;
        double iob = 0.3;
        for (const int meal : meals) {
            if (minute == meal)
                treatments += QStringLiteral("%1,t%2,Meal Bolus,%3,%4,%5,%3,-300\n")
                                      .arg(participant)
                                      .arg(i)
                                      .arg(test::isoUtc(ms))
                                      .arg(4 + i % 3)
                                      .arg(40 + (i % 5) * 10)
                                      .toUtf8();
            const double after = (minute - meal) / 60.0;
            if (after >= 0 && after < 4)
                iob += 5 * (1 - after / 4);
        }
        const double cob = [&] {
            for (const int meal : meals) {
                const double after = (minute - meal) / 60.0;
                if (after >= 0 && after < 3)
                    return 45 * (1 - after / 3);
            }
            return 0.0;
        }();
        status += QStringLiteral("{\"user_id\":%1,\"device_status_id\":\"d%2\",\"iob_iob\":%3,\"enacted_cob\":%4,"
                                 "\"enacted_eventual_bg\":%5,\"enacted_rate\":%6,\"enacted_duration\":30,"
                                 "\"created_at\":\"%7\",\"utc_offset\":-300}\n")
                          .arg(participant)
                          .arg(i)
                          .arg(iob, 0, 'f', 2)
                          .arg(cob, 0, 'f', 0)
                          .arg(glucoseAt(i) + 10)
                          .arg(glucoseAt(i) > 160 ? 1.6 : 0.4)
                          .arg(test::isoUtc(ms))
                          .toUtf8();
    }
    return { test::writeFile(dir, QStringLiteral("entries.csv.gz"), entries),
             test::writeFile(dir, QStringLiteral("treatments.csv"), treatments),
             test::writeFile(dir, QStringLiteral("device_status_metrics.ndjson.gz"), status),
             test::writeFile(dir, QStringLiteral("profile.ndjson"), test::profileNdjson(participant, start)) };
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    const QDir out(QString::fromLocal8Bit(argv[1]));
    QTemporaryDir work;
    QSettings settings(work.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    QNetworkAccessManager nam;
    researcher::ApiClient api(&nam);
    desktop::MainWindow window({ &api, &settings });
    window.resize(1400, 900);
    window.show();
    auto *local = window.localView();
    window.tabs()->setCurrentWidget(local);
    QObject::connect(local, &desktop::LocalViewPanel::loaded, &app, [&] {
        local->showWholeRange();
        bool ok = window.grab().save(out.filePath(QStringLiteral("local-view.png")));
        window.units()->setUnit(desktop::GlucoseUnit::MmolL);
        local->showDay(QDate(2024, 3, 12));
        ok = window.grab().save(out.filePath(QStringLiteral("local-view-day.png"))) && ok;
        QApplication::exit(ok ? 0 : 1);
    });
    local->loadFiles(writeFiles(QDir(work.path())));
    return QApplication::exec();
}
