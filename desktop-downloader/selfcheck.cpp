#include "selfcheck.h"

#include "localviewpanel.h"
#include "mainwindow.h"

#include <QGuiApplication>
#include <QPixmap>
#include <QSslSocket>
#include <QTextStream>

namespace openaps::desktop {

namespace {

// A widget painted into a pixmap of its own size went through the style, the
// fonts and (for the charts) Qt Charts' scene: what a missing plugin or
// library breaks first.
bool paints(QWidget *widget)
{
    const QPixmap pixmap = widget->grab();
    return !pixmap.isNull() && pixmap.size() == widget->size();
}

} // namespace

int selfCheck(MainWindow &window, QTextStream &out)
{
    int failed = 0;
    const auto check = [&](bool ok, const QString &what) {
        out << (ok ? "ok    " : "FAIL  ") << what << '\n';
        failed += ok ? 0 : 1;
    };
    check(!QGuiApplication::platformName().isEmpty(),
          QStringLiteral("platform plugin: %1").arg(QGuiApplication::platformName()));
    check(QSslSocket::supportsSsl(), QStringLiteral("TLS: %1").arg(QSslSocket::sslLibraryVersionString()));
    window.show();
    check(window.isVisible() && paints(&window), QStringLiteral("main window paints"));
    check(paints(window.localView()), QStringLiteral("local view with its charts paints"));
    window.showSignIn();
    check(window.signInDialog() && window.signInDialog()->isVisible(), QStringLiteral("sign-in dialog opens"));
    out << (failed == 0 ? "self-check passed\n" : "self-check FAILED\n");
    out.flush();
    return failed == 0 ? 0 : 1;
}

} // namespace openaps::desktop
