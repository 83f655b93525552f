#pragma once

// Helpers for driving the real downloader window with QTest.

#include "mainwindow.h"
#include "researcher/apiclient.h"

#include <QAbstractButton>
#include <QDir>
#include <QFileDialog>
#include <QLineEdit>
#include <QMenu>
#include <QNetworkAccessManager>
#include <QSettings>
#include <QTest>

#include <memory>

namespace openaps::test {

template <typename T = QWidget> T *child(QObject *parent, const char *name)
{
    return parent ? parent->findChild<T *>(QString::fromLatin1(name)) : nullptr;
}

inline void type(QObject *parent, const char *name, const QString &text)
{
    auto *edit = child<QLineEdit>(parent, name);
    QVERIFY2(edit, name);
    edit->clear();
    QTest::keyClicks(edit, text);
}

inline void click(QObject *parent, const char *name)
{
    auto *button = child<QAbstractButton>(parent, name);
    QVERIFY2(button, name);
    QVERIFY2(button->isEnabled(), name);
    QTest::mouseClick(button, Qt::LeftButton);
}

// Saves as a researcher does: the context menu of `view` (a chart or a
// table with desktop::addExportMenu), its entry `action` ("Save as PNG…"),
// and `path` given to the file dialog it opens.
inline void saveThroughMenu(QWidget *view, const QString &action, const QString &path)
{
    QVERIFY(view && view->contextMenuPolicy() == Qt::CustomContextMenu);
    emit view->customContextMenuRequested(view->rect().center());
    QMenu *menu = nullptr;
    for (QMenu *m : view->findChildren<QMenu *>()) {
        if (m->isVisible())
            menu = m;
    }
    QVERIFY2(menu, qPrintable(view->objectName()));
    QAction *chosen = nullptr;
    for (QAction *a : menu->actions()) {
        if (a->text() == action)
            chosen = a;
    }
    QVERIFY2(chosen, qPrintable(action));
    chosen->trigger();
    menu->close();
    const auto openDialog = [view]() -> QFileDialog * {
        for (QFileDialog *d : view->findChildren<QFileDialog *>()) {
            if (d->isVisible())
                return d;
        }
        return nullptr;
    };
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = openDialog()));
    dialog->selectFile(path);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept is protected, the override runs
    QTRY_VERIFY(QFileInfo::exists(path));
}

// With OPENAPS_SCREENSHOT_DIR set (tests/desktop/screenshots.sh), saves
// `widget` as it is drawn into that folder as `name` (for the README).
inline void saveScreenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("OPENAPS_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(widget->grab().save(QDir(dir).filePath(name)));
}

// The application as main() wires it, with its settings in `settingsFile`;
// the window is shown with its sign-in dialog open.
struct Downloader
{
    explicit Downloader(const QString &settingsFile)
        : settings(std::make_unique<QSettings>(settingsFile, QSettings::IniFormat)),
          nam(std::make_unique<QNetworkAccessManager>()),
          api(std::make_unique<researcher::ApiClient>(nam.get())),
          window(std::make_unique<desktop::MainWindow>(desktop::AppContext { api.get(), settings.get() }))
    {
        window->show();
        window->showSignIn();
    }
    ~Downloader()
    {
        window.reset(); // before the client it uses
        api.reset();
    }
    Downloader(const Downloader &) = delete;
    Downloader &operator=(const Downloader &) = delete;

    std::unique_ptr<QSettings> settings;
    std::unique_ptr<QNetworkAccessManager> nam;
    std::unique_ptr<researcher::ApiClient> api;
    std::unique_ptr<desktop::MainWindow> window;
};

// Fills the sign-in dialog of `window` and presses "Sign in".
inline void signIn(desktop::MainWindow &window, const QUrl &server, const QString &email, const QString &password)
{
    QTRY_VERIFY(window.signInDialog() && window.signInDialog()->isVisible());
    type(window.signInDialog(), "serverUrl", server.toString());
    type(window.signInDialog(), "email", email);
    type(window.signInDialog(), "password", password);
    click(window.signInDialog(), "signIn");
}

} // namespace openaps::test
