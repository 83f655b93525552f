#include "app/commandline.h"
#include "demo.h"

#include <QCoreApplication>

#include <sys/stat.h>

// openaps-demo: the whole system on this machine with loopback stand-ins for
// Nightscout, Open Humans and SMTP. Its own executable, so the production
// openaps-server carries none of the stand-ins.
int main(int argc, char *argv[])
{
    // The demo's data directory holds its secret key and SQLite file.
    ::umask(077);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("openaps-demo"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OPENAPS_VERSION));
    return openaps::app::runSingleCommand(
            app.arguments(), openaps::demo::demoCommand,
            QStringLiteral("Usage: openaps-demo [--config FILE] [--data-dir DIR] [--port PORT] [--participants N]\n\n"
                           "The whole system on this machine with loopback stand-ins for Nightscout,\n"
                           "Open Humans and SMTP (defaults: --data-dir /tmp/openaps-demo, --port 8080,\n"
                           "--participants 3). Settings come from OPENAPS_* environment variables.\n"));
}
