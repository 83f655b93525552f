#include "signindialog.h"

#include "researcher/apiclient.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace openaps::desktop {

namespace {
const QString serverKey = QStringLiteral("server/url");
const QString emailKey = QStringLiteral("account/email");
}

QUrl parseServerUrl(const QString &text, QString *error)
{
    auto url = researcher::parseServerUrl(text);
    if (!url) {
        *error = url.error().message;
        return {};
    }
    return *url;
}

SignInDialog::SignInDialog(AppContext context, QWidget *parent)
    : QDialog(parent),
      m_context(context),
      m_server(new QLineEdit),
      m_email(new QLineEdit),
      m_password(new QLineEdit),
      m_signIn(new QPushButton(tr("Sign in"))),
      m_message(new QLabel)
{
    setWindowTitle(tr("Sign in to the OpenAPS Data Commons"));
    m_server->setObjectName(QStringLiteral("serverUrl"));
    m_email->setObjectName(QStringLiteral("email"));
    m_password->setObjectName(QStringLiteral("password"));
    m_signIn->setObjectName(QStringLiteral("signIn"));
    m_message->setObjectName(QStringLiteral("message"));
    m_password->setEchoMode(QLineEdit::Password);
    m_server->setPlaceholderText(QStringLiteral("https://data.example.org"));
    m_server->setText(m_context.settings->value(serverKey).toString());
    m_email->setText(m_context.settings->value(emailKey).toString());
    m_message->setWordWrap(true);
    m_message->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("Server address"), m_server);
    form->addRow(tr("Email"), m_email);
    form->addRow(tr("Password"), m_password);

    auto *buttons = new QDialogButtonBox;
    buttons->addButton(m_signIn, QDialogButtonBox::AcceptRole);
    auto *apply = buttons->addButton(tr("Apply for access…"), QDialogButtonBox::ActionRole);
    apply->setObjectName(QStringLiteral("apply"));
    auto *forgot = buttons->addButton(tr("Forgot password…"), QDialogButtonBox::ActionRole);
    forgot->setObjectName(QStringLiteral("forgot"));
    buttons->addButton(QDialogButtonBox::Cancel);
    m_signIn->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addLayout(form);
    layout->addWidget(buttons);

    // The buttons' own accepted() would close the dialog before the server answered.
    disconnect(buttons, &QDialogButtonBox::accepted, nullptr, nullptr);
    connect(m_signIn, &QPushButton::clicked, this, &SignInDialog::onSignIn);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(apply, &QPushButton::clicked, this, &SignInDialog::applyRequested);
    connect(forgot, &QPushButton::clicked, this, &SignInDialog::resetRequested);
    if (!m_server->text().isEmpty() && !m_email->text().isEmpty())
        m_password->setFocus();
}

void SignInDialog::setMessage(const QString &text, bool isError)
{
    m_message->setText(text);
    m_message->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
    m_message->setVisible(!text.isEmpty());
}

QString SignInDialog::serverUrlText() const
{
    return m_server->text();
}

void SignInDialog::setBusy(bool busy)
{
    m_signIn->setEnabled(!busy);
    m_signIn->setText(busy ? tr("Signing in…") : tr("Sign in"));
}

void SignInDialog::onSignIn()
{
    QString error;
    const QUrl url = parseServerUrl(m_server->text(), &error);
    if (url.isEmpty())
        return setMessage(error);
    const QString email = m_email->text().trimmed();
    if (email.isEmpty() || m_password->text().isEmpty())
        return setMessage(tr("Please enter your email address and your password."));
    setMessage({});
    setBusy(true);
    m_context.api->setServerUrl(url);
    m_context.api->login(email, m_password->text(), this, [this, url, email](const Result<researcher::Account> &r) {
        setBusy(false);
        if (!r) {
            setMessage(r.error().message);
            m_password->selectAll();
            m_password->setFocus();
            return;
        }
        m_context.settings->setValue(serverKey, url.toString());
        m_context.settings->setValue(emailKey, email);
        m_password->clear();
        accept();
    });
}

} // namespace openaps::desktop
