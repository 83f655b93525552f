#pragma once

#include "appcontext.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace openaps::desktop {

// Server address, email and password. Remembers the address and the email
// (QSettings), never the password; the token stays inside the ApiClient.
// Accepted once the server let the researcher in.
class SignInDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignInDialog)

public:
    SignInDialog(AppContext context, QWidget *parent = nullptr);

    // A reason shown above the form ("Your sign-in has expired ...").
    void setMessage(const QString &text, bool isError = true);
    QString serverUrlText() const;

signals:
    void applyRequested();
    void resetRequested();

private:
    void onSignIn();
    void setBusy(bool busy);

    AppContext m_context;
    QLineEdit *m_server;
    QLineEdit *m_email;
    QLineEdit *m_password;
    QPushButton *m_signIn;
    QLabel *m_message;
};

// Reads a server address as typed ("localhost:8080", "https://x.org/");
// empty URL with `error` set when it cannot be one or is plain http:// to
// another computer (researcher::parseServerUrl).
QUrl parseServerUrl(const QString &text, QString *error);

} // namespace openaps::desktop
