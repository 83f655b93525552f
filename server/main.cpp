#include "app/commandline.h"

#include <QCoreApplication>

#include <sys/stat.h>

int main(int argc, char *argv[])
{
    // Everything the server writes (the data directory, the SQLite file,
    // ETL temp files, demo keys) holds health data or secrets: private to
    // its user whatever umask the service manager or shell handed down.
    ::umask(077);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("openaps-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OPENAPS_VERSION));
    return openaps::app::runCommandLine(app.arguments());
}
