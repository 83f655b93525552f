#include "app/commandline.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("openaps-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OPENAPS_VERSION));
    return openaps::app::runCommandLine(app.arguments());
}
