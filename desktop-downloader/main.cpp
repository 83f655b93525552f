#include "appcontext.h"
#include "mainwindow.h"
#include "researcher/apiclient.h"

#include <QApplication>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTimer>

// Wires the collaborators together; everything else lives in openaps-downloader-lib.
int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("OpenAPS Data Commons"));
    QApplication::setApplicationName(QStringLiteral("openaps-downloader"));
    QApplication::setApplicationVersion(QStringLiteral(PROJECT_VERSION));

    QNetworkAccessManager nam;
    QSettings settings;
    openaps::researcher::ApiClient api(&nam);
    openaps::desktop::MainWindow window({ &api, &settings });
    window.show();
    QTimer::singleShot(0, &window, [&window] { window.showSignIn(); });
    return QApplication::exec();
}
