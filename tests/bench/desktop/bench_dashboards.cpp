// Dashboards benchmark (tests/bench/desktop.sh): the Dashboards tab for a
// cohort of N participants (default 1,000), from refresh() to every chart
// built and the visible ones painted, over real HTTP against the contract
// stand-in answering what the server answers for such a cohort
// (tests/desktop/cohortanswers.h); then the Participants tab listing the
// same N with their summaries. Each run also records the GUI thread's
// longest turn of the event loop in CPU time (goal < 50 ms: the window
// keeps answering while they load). Prints each run, then
//   dashboards participants=N runs=R dashboards_ms=<median> first_ms=<first run>
//              dashboards_stall_ms=<longest turn, all runs> participants_ms=<median>
//              participants_stall_ms=<longest turn, all runs>

#include "appcontext.h"
#include "cohortanswers.h"
#include "contractserver.h"
#include "dashboardspanel.h"
#include "participantspanel.h"
#include "researcher/apiclient.h"
#include "stallwatch.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace openaps;

namespace {

struct Timings
{
    double medianMs = 0, firstMs = 0, stallMs = 0;
};

// RUNS refreshes of PANEL (1400×900, shown), each from refresh() to DONE and
// what a researcher sees painted.
template <typename Panel> Timings timeRefreshes(Panel &panel, void (Panel::*done)(), int runs)
{
    panel.resize(1400, 900);
    panel.show();
    QEventLoop loop;
    QObject::connect(&panel, done, &loop, &QEventLoop::quit);
    QList<double> times;
    Timings t;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        test::StallWatch watch;
        panel.refresh();
        loop.exec();
        (void)panel.grab(); // paints what a researcher sees
        watch.stop();
        times << double(timer.nsecsElapsed()) / 1e6;
        t.stallMs = std::max(t.stallMs, watch.maxCpuMs());
        std::printf("%s run %d: %.1f ms, longest turn %.1f ms CPU\n", panel.metaObject()->className(), i + 1,
                    times.last(), watch.maxCpuMs());
    }
    t.firstMs = times.first();
    std::sort(times.begin(), times.end());
    t.medianMs = times[runs / 2];
    panel.hide();
    return t;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int participants = argc > 1 ? QByteArray(argv[1]).toInt() : 1000;
    const int runs = 5;

    test::ContractServer server;
    if (!server.listen())
        return 1;
    const QString email = QStringLiteral("bench@example.org"), password = QStringLiteral("bench password 123");
    server.addAccount({ 1, QStringLiteral("Bench"), email, QStringLiteral("Lab"), QStringLiteral("Bench"), password,
                        QStringLiteral("approved"), QStringLiteral("all"), false });
    server.setCohortViews(test::cohortAnswers(participants));
    server.setParticipants(test::participantList(participants), test::participantSummaryNdjson(participants));

    QNetworkAccessManager nam;
    researcher::ApiClient api(&nam);
    api.setServerUrl(server.url());
    QEventLoop loop;
    bool signedIn = false;
    api.login(email, password, nullptr, [&](const Result<researcher::Account> &r) {
        signedIn = bool(r);
        loop.quit();
    });
    loop.exec();
    if (!signedIn)
        return 1;

    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
    const desktop::AppContext context { &api, &settings };
    desktop::DashboardsPanel dashboards(context);
    desktop::ParticipantsPanel list(context);
    const Timings charts = timeRefreshes(dashboards, &desktop::DashboardsPanel::refreshed, runs);
    const Timings rows = timeRefreshes(list, &desktop::ParticipantsPanel::refreshed, runs);
    std::printf("dashboards participants=%d runs=%d dashboards_ms=%.0f first_ms=%.0f dashboards_stall_ms=%.1f "
                "participants_ms=%.0f participants_stall_ms=%.1f\n",
                participants, runs, charts.medianMs, charts.firstMs, charts.stallMs, rows.medianMs, rows.stallMs);
    return 0;
}
