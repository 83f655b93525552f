#include "resetpassworddialog.h"

#include "researcher/apiclient.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace openaps::desktop {

ResetPasswordDialog::ResetPasswordDialog(AppContext context, const QUrl &server, const QString &email, QWidget *parent)
    : QDialog(parent),
      m_context(context),
      m_email(new QLineEdit(email)),
      m_code(new QLineEdit),
      m_password(new QLineEdit),
      m_reset(new QPushButton(tr("Set the new password"))),
      m_message(new QLabel)
{
    setWindowTitle(tr("Reset your password"));
    m_context.api->setServerUrl(server);
    m_email->setObjectName(QStringLiteral("email"));
    m_code->setObjectName(QStringLiteral("code"));
    m_password->setObjectName(QStringLiteral("password"));
    m_reset->setObjectName(QStringLiteral("reset"));
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    m_password->setEchoMode(QLineEdit::Password);
    auto *send = new QPushButton(tr("Email me a code"));
    send->setObjectName(QStringLiteral("sendCode"));

    auto *form = new QFormLayout(this);
    form->addRow(m_message);
    form->addRow(tr("Email"), m_email);
    form->addRow(send);
    form->addRow(tr("Code from the email"), m_code);
    form->addRow(tr("New password"), m_password);
    form->addRow(m_reset);
    connect(send, &QPushButton::clicked, this, &ResetPasswordDialog::onSendCode);
    connect(m_reset, &QPushButton::clicked, this, &ResetPasswordDialog::onReset);
}

void ResetPasswordDialog::say(const QString &text, bool isError)
{
    m_message->setText(text);
    m_message->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

void ResetPasswordDialog::onSendCode()
{
    m_context.api->forgotPassword(m_email->text().trimmed(), this, [this](const Status &s) {
        // The server answers the same whether or not the account exists.
        say(s ? tr("If an account exists for this address, a code is on its way.") : s.error().message, !s);
    });
}

void ResetPasswordDialog::onReset()
{
    m_reset->setEnabled(false);
    m_context.api->resetPassword(m_email->text().trimmed(), m_code->text(), m_password->text(), this,
                                 [this](const Status &s) {
                                     m_reset->setEnabled(true);
                                     if (!s)
                                         return say(s.error().message, true);
                                     say(tr("Your password was changed. You can sign in with it now."), false);
                                     m_password->clear();
                                 });
}

} // namespace openaps::desktop
