#pragma once

// Helpers for driving the real downloader window with QTest.

#include "mainwindow.h"

#include <QAbstractButton>
#include <QLineEdit>
#include <QTest>

namespace openaps::test {

template <typename T = QWidget>
T *child(QObject *parent, const char *name)
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
