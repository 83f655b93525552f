#include "applydialog.h"

#include "researcher/apiclient.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace openaps::desktop {

namespace {
constexpr int minimumPassword = 10; // the API's rule (weak-password below it)

QLabel *messageLabel(const char *name)
{
    auto *label = new QLabel;
    label->setObjectName(QString::fromLatin1(name));
    label->setWordWrap(true);
    return label;
}
} // namespace

ApplyDialog::ApplyDialog(AppContext context, const QUrl &server, QWidget *parent)
    : QDialog(parent),
      m_context(context),
      m_pages(new QStackedWidget),
      m_name(new QLineEdit),
      m_email(new QLineEdit),
      m_institution(new QLineEdit),
      m_purpose(new QPlainTextEdit),
      m_password(new QLineEdit),
      m_repeat(new QLineEdit),
      m_submit(new QPushButton(tr("Send application"))),
      m_formMessage(messageLabel("formMessage")),
      m_code(new QLineEdit),
      m_verify(new QPushButton(tr("Confirm"))),
      m_codeMessage(messageLabel("codeMessage"))
{
    setWindowTitle(tr("Apply for access"));
    m_context.api->setServerUrl(server);
    const std::pair<QWidget *, const char *> names[] = {
        { m_name, "name" },       { m_email, "email" },       { m_institution, "institution" },
        { m_purpose, "purpose" }, { m_password, "password" }, { m_repeat, "repeatPassword" },
        { m_submit, "submit" },   { m_code, "code" },         { m_verify, "verify" },
    };
    for (const auto &[widget, name] : names)
        widget->setObjectName(QString::fromLatin1(name));
    m_password->setEchoMode(QLineEdit::Password);
    m_repeat->setEchoMode(QLineEdit::Password);
    m_purpose->setPlaceholderText(tr("What you will study with the data"));
    m_code->setPlaceholderText(QStringLiteral("123456"));
    m_code->setMaxLength(12);

    auto *form = new QWidget;
    auto *formLayout = new QFormLayout(form);
    formLayout->addRow(m_formMessage);
    formLayout->addRow(tr("Name"), m_name);
    formLayout->addRow(tr("Email"), m_email);
    formLayout->addRow(tr("Institution"), m_institution);
    formLayout->addRow(tr("Purpose"), m_purpose);
    formLayout->addRow(tr("Password (at least %1 characters)").arg(minimumPassword), m_password);
    formLayout->addRow(tr("Password again"), m_repeat);
    formLayout->addRow(m_submit);

    auto *codePage = new QWidget;
    auto *codeLayout = new QFormLayout(codePage);
    codeLayout->addRow(m_codeMessage);
    codeLayout->addRow(tr("Code from the email"), m_code);
    auto *resend = new QPushButton(tr("Send a new code"));
    resend->setObjectName(QStringLiteral("resend"));
    codeLayout->addRow(m_verify, resend);

    auto *donePage = new QWidget;
    auto *doneLayout = new QVBoxLayout(donePage);
    auto *done = new QLabel(tr("Thank you: your email address is confirmed. An administrator will review your "
                               "application, and you will get an email once you can sign in."));
    done->setObjectName(QStringLiteral("doneMessage"));
    done->setWordWrap(true);
    auto *close = new QPushButton(tr("Close"));
    close->setObjectName(QStringLiteral("close"));
    doneLayout->addWidget(done);
    doneLayout->addWidget(close);

    m_pages->addWidget(form);
    m_pages->addWidget(codePage);
    m_pages->addWidget(donePage);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_pages);

    connect(m_submit, &QPushButton::clicked, this, &ApplyDialog::onSubmit);
    connect(m_verify, &QPushButton::clicked, this, &ApplyDialog::onVerify);
    connect(resend, &QPushButton::clicked, this, &ApplyDialog::onResend);
    connect(close, &QPushButton::clicked, this, &QDialog::accept);
}

int ApplyDialog::page() const
{
    return m_pages->currentIndex();
}

void ApplyDialog::show(QLabel *label, const QString &text, bool isError)
{
    label->setText(text);
    label->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

void ApplyDialog::onSubmit()
{
    researcher::Application a { m_name->text().trimmed(), m_email->text().trimmed(), m_institution->text().trimmed(),
                                m_purpose->toPlainText().trimmed(), m_password->text() };
    if (a.name.isEmpty() || a.email.isEmpty() || a.institution.isEmpty() || a.purpose.isEmpty())
        return show(m_formMessage, tr("Please fill in your name, email, institution and purpose."), true);
    if (a.password.size() < minimumPassword)
        return show(m_formMessage, tr("The password is too short: use at least %1 characters.").arg(minimumPassword),
                    true);
    if (a.password != m_repeat->text())
        return show(m_formMessage, tr("The two passwords are not the same."), true);
    m_submit->setEnabled(false);
    show(m_formMessage, tr("Sending…"), false);
    m_context.api->apply(a, this, [this, email = a.email](Status s) {
        m_submit->setEnabled(true);
        if (!s)
            return show(m_formMessage, s.error().message, true);
        m_password->clear();
        m_repeat->clear();
        show(m_codeMessage, tr("We sent a 6-digit code to %1. Enter it here to confirm your email address.").arg(email),
             false);
        m_pages->setCurrentIndex(CodePage);
        m_code->setFocus();
    });
}

void ApplyDialog::onVerify()
{
    if (m_code->text().trimmed().isEmpty())
        return show(m_codeMessage, tr("Please enter the code from the email."), true);
    m_verify->setEnabled(false);
    m_context.api->verify(m_email->text().trimmed(), m_code->text(), this, [this](Status s) {
        m_verify->setEnabled(true);
        if (!s)
            return show(m_codeMessage, s.error().message, true);
        m_pages->setCurrentIndex(DonePage);
    });
}

void ApplyDialog::onResend()
{
    m_context.api->resendCode(m_email->text().trimmed(), this, [this](Status s) {
        show(m_codeMessage, s ? tr("A new code is on its way. Codes are valid for 30 minutes.") : s.error().message,
             !s);
    });
}

} // namespace openaps::desktop
