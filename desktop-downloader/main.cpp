#include "appcontext.h"
#include "mainwindow.h"
#include "reportcommand.h"
#include "researcher/apiclient.h"
#include "selfcheck.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTextStream>
#include <QTimer>

#include <cstdio>

// Wires the collaborators together; everything else lives in openaps-downloader-lib.
int main(int argc, char *argv[])
{
    // Reports run in scripts: no display needed unless a platform is chosen.
    const bool report = openaps::desktop::isReportCommand(argc, argv);
    if (report && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("OpenAPS Data Commons"));
    QApplication::setApplicationName(QStringLiteral("openaps-downloader"));
    QApplication::setApplicationVersion(QStringLiteral(PROJECT_VERSION));
    if (report) {
        QTextStream out(stdout);
        QTextStream err(stderr);
        QStringList arguments = QApplication::arguments();
        arguments.removeAt(1); // "report"
        return openaps::desktop::runReportCommand(arguments, out, err);
    }

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Researchers' downloader for the OpenAPS Data Commons"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption selfCheckOption(
            QStringLiteral("self-check"),
            QStringLiteral("Build the main window, check that it works here, print the checks and exit"));
    parser.addOption(selfCheckOption);
    parser.process(app);

    QNetworkAccessManager nam;
    QSettings settings;
    openaps::researcher::ApiClient api(&nam);
    openaps::desktop::MainWindow window({ &api, &settings });
    if (parser.isSet(selfCheckOption)) {
        QTimer::singleShot(0, &window, [&window] {
            QTextStream out(stdout);
            QApplication::exit(openaps::desktop::selfCheck(window, out));
        });
    } else {
        window.show();
        QTimer::singleShot(0, &window, [&window] { window.showSignIn(); });
    }
    return QApplication::exec();
}
