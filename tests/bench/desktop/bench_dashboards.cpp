// Dashboards benchmark (tests/bench/desktop.sh): the Dashboards tab for a
// cohort of N participants (default 1,000), from refresh() to every chart
// built and the visible ones painted, over real HTTP against the contract
// stand-in answering what the server answers for such a cohort
// (tests/desktop/cohortanswers.h). Prints each run, then
//   dashboards participants=N runs=R dashboards_ms=<median> first_ms=<first run>

#include "appcontext.h"
#include "cohortanswers.h"
#include "contractserver.h"
#include "dashboardspanel.h"
#include "researcher/apiclient.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace openaps;

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
    desktop::DashboardsPanel panel(desktop::AppContext { &api, &settings });
    panel.resize(1400, 900);
    panel.show();
    QObject::connect(&panel, &desktop::DashboardsPanel::refreshed, &loop, &QEventLoop::quit);
    QList<double> times;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer timer;
        timer.start();
        panel.refresh();
        loop.exec();
        (void)panel.grab(); // paints what a researcher sees
        times << double(timer.nsecsElapsed()) / 1e6;
        std::printf("run %d: %.1f ms\n", i + 1, times.last());
    }
    const double first = times.first();
    std::sort(times.begin(), times.end());
    std::printf("dashboards participants=%d runs=%d dashboards_ms=%.0f first_ms=%.0f\n", participants, runs,
                times[runs / 2], first);
    return 0;
}
