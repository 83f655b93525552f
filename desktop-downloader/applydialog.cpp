#include "applydialog.h"

#include "researcher/apiclient.h"

#include <QCheckBox>
#include <QComboBox>
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
      m_phone(new QLineEdit),
      m_sponsor(new QLineEdit),
      m_irb(new QComboBox),
      m_irbDetails(new QLineEdit),
      m_commons(new QComboBox),
      m_terms(new QPlainTextEdit),
      m_accept(new QCheckBox(tr("I have read and accept the terms of use"))),
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
        { m_name, "name" },
        { m_email, "email" },
        { m_institution, "institution" },
        { m_purpose, "purpose" },
        { m_password, "password" },
        { m_repeat, "repeatPassword" },
        { m_submit, "submit" },
        { m_code, "code" },
        { m_verify, "verify" },
        { m_phone, "phone" },
        { m_sponsor, "sponsor" },
        { m_irb, "irbApproval" },
        { m_irbDetails, "irbDetails" },
        { m_commons, "dataCommons" },
        { m_terms, "terms" },
        { m_accept, "acceptTerms" },
    };
    for (const auto &[widget, name] : names)
        widget->setObjectName(QString::fromLatin1(name));
    m_password->setEchoMode(QLineEdit::Password);
    m_repeat->setEchoMode(QLineEdit::Password);
    m_purpose->setPlaceholderText(tr("What you will study with the data"));
    // Tab moves on to the next field (keyboard users were stuck in the box);
    // the description needs no tab characters.
    m_purpose->setTabChangesFocus(true);
    m_irb->addItem(tr("Yes, approved by an ethics board (IRB)"), QStringLiteral("yes"));
    m_irb->addItem(tr("No"), QStringLiteral("no"));
    m_irb->addItem(tr("Not sure"), QStringLiteral("unsure"));
    m_irbDetails->setPlaceholderText(tr("Board, protocol number, date of approval"));
    m_sponsor->setPlaceholderText(tr("Optional"));
    m_commons->addItem(tr("OpenAPS Data Commons"), QStringLiteral("openaps"));
    m_commons->addItem(tr("Nightscout Data Commons"), QStringLiteral("nightscout"));
    m_commons->addItem(tr("Both"), QStringLiteral("both"));
    m_terms->setReadOnly(true);
    m_terms->setTabChangesFocus(true);
    m_terms->setPlainText(tr("Loading the terms of use…"));
    m_accept->setEnabled(false); // until the text is shown
    m_code->setPlaceholderText(QStringLiteral("123456"));
    m_code->setMaxLength(12);

    auto *form = new QWidget;
    auto *formLayout = new QFormLayout(form);
    formLayout->addRow(m_formMessage);
    formLayout->addRow(tr("Name"), m_name);
    formLayout->addRow(tr("Email"), m_email);
    formLayout->addRow(tr("Institution"), m_institution);
    formLayout->addRow(tr("Phone"), m_phone);
    formLayout->addRow(tr("Sponsor organisation"), m_sponsor);
    formLayout->addRow(tr("IRB-approved study?"), m_irb);
    formLayout->addRow(tr("IRB approval details"), m_irbDetails);
    formLayout->addRow(tr("Data commons"), m_commons);
    formLayout->addRow(tr("Description of the research"), m_purpose);
    formLayout->addRow(tr("Terms of use"), m_terms);
    formLayout->addRow(m_accept);
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
    loadTerms();
}

void ApplyDialog::loadTerms()
{
    m_context.api->terms(this, [this](Result<researcher::TermsOfUse> terms) {
        if (!terms)
            return m_terms->setPlainText(tr("The terms of use could not be loaded: %1").arg(terms.error().message));
        m_termsVersion = terms->version;
        m_terms->setPlainText(terms->text);
        m_accept->setEnabled(true);
    });
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
    researcher::Application a { m_name->text().trimmed(),
                                m_email->text().trimmed(),
                                m_institution->text().trimmed(),
                                m_purpose->toPlainText().trimmed(),
                                m_password->text(),
                                m_phone->text().trimmed(),
                                m_irb->currentData().toString(),
                                m_irbDetails->text().trimmed(),
                                m_sponsor->text().trimmed(),
                                m_commons->currentData().toString(),
                                m_accept->isChecked() ? m_termsVersion : QString() };
    if (a.name.isEmpty() || a.email.isEmpty() || a.institution.isEmpty() || a.purpose.isEmpty() || a.phone.isEmpty())
        return show(m_formMessage,
                    tr("Please fill in your name, email, institution, phone and the description of the research."),
                    true);
    if (a.acceptedTerms.isEmpty())
        return show(m_formMessage, tr("Please read and accept the terms of use."), true);
    if (a.password.size() < minimumPassword)
        return show(m_formMessage, tr("The password is too short: use at least %1 characters.").arg(minimumPassword),
                    true);
    if (a.password != m_repeat->text())
        return show(m_formMessage, tr("The two passwords are not the same."), true);
    m_submit->setEnabled(false);
    show(m_formMessage, tr("Sending…"), false);
    m_context.api->apply(a, this, [this, email = a.email](const Status &s) {
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
    m_context.api->verify(m_email->text().trimmed(), m_code->text(), this, [this](const Status &s) {
        m_verify->setEnabled(true);
        if (!s)
            return show(m_codeMessage, s.error().message, true);
        m_pages->setCurrentIndex(DonePage);
    });
}

void ApplyDialog::onResend()
{
    m_context.api->resendCode(m_email->text().trimmed(), this, [this](const Status &s) {
        show(m_codeMessage, s ? tr("A new code is on its way. Codes are valid for 30 minutes.") : s.error().message,
             !s);
    });
}

} // namespace openaps::desktop
