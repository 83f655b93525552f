#include <QApplication>
#include <QLabel>

// The desktop downloader is built on the researcher API (a later issue);
// until then the window only names the application.
int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("openaps-downloader"));
    QLabel label(QStringLiteral("OpenAPS Data Commons downloader"));
    label.show();
    return QApplication::exec();
}
