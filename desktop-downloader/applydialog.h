#pragma once

#include "appcontext.h"

#include <QDialog>
#include <QUrl>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;

namespace openaps::desktop {

// "Apply for access": the application form (what the old system's form
// asked: phone, IRB approval, sponsor, which data commons, the research;
// and the terms of use, fetched from the server, to accept), then the
// 6-digit code from the email, then a note that an administrator will
// review the application.
class ApplyDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApplyDialog)

public:
    ApplyDialog(AppContext context, const QUrl &server, QWidget *parent = nullptr);

    enum Page { FormPage, CodePage, DonePage };
    int page() const;

private:
    void loadTerms();
    void onSubmit();
    void onVerify();
    void onResend();
    void show(QLabel *label, const QString &text, bool isError);

    AppContext m_context;
    QStackedWidget *m_pages;
    QLineEdit *m_name;
    QLineEdit *m_email;
    QLineEdit *m_institution;
    QPlainTextEdit *m_purpose;
    QLineEdit *m_phone;
    QLineEdit *m_sponsor;
    QComboBox *m_irb;
    QLineEdit *m_irbDetails;
    QComboBox *m_commons;
    QPlainTextEdit *m_terms;
    QCheckBox *m_accept;
    QString m_termsVersion; // of the text shown
    QLineEdit *m_password;
    QLineEdit *m_repeat;
    QPushButton *m_submit;
    QLabel *m_formMessage;
    QLineEdit *m_code;
    QPushButton *m_verify;
    QLabel *m_codeMessage;
};

} // namespace openaps::desktop
