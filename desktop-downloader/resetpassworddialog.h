#pragma once

#include "appcontext.h"

#include <QDialog>
#include <QUrl>

class QLabel;
class QLineEdit;
class QPushButton;

namespace openaps::desktop {

// "Forgot password": ask for a code by email, then set a new password with it.
class ResetPasswordDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResetPasswordDialog)

public:
    ResetPasswordDialog(AppContext context, const QUrl &server, const QString &email, QWidget *parent = nullptr);

private:
    void onSendCode();
    void onReset();
    void say(const QString &text, bool isError);

    AppContext m_context;
    QLineEdit *m_email;
    QLineEdit *m_code;
    QLineEdit *m_password;
    QPushButton *m_reset;
    QLabel *m_message;
};

} // namespace openaps::desktop
