#pragma once

#include "appcontext.h"
#include "researcher/apitypes.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QMessageBox;
class QTableWidget;
class QTextBrowser;

namespace openaps::desktop {

class DownloadLogPanel;
class UsagePanel;

// For administrators: applications and accounts by status with everything
// the application said (phone, sponsor, IRB approval and details, data
// commons, terms accepted, a rejection's reason), approve with a scope,
// reject with a reason (emailed to the applicant), deactivate; the chosen
// account's every field in full in a detail pane; approving asks first.
// Beside it the API's usage per researcher and the download log. Shown
// only when the signed-in researcher is_admin.
class AdminPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminPanel)

public:
    explicit AdminPanel(AppContext context, QWidget *parent = nullptr);

    void refresh();
    const QList<researcher::Account> &accounts() const { return m_accounts; }
    // Selects the row of `email`; false when it is not listed.
    bool select(const QString &email);
    // The question "Approve ...?" while it is open (approve() opens it).
    QMessageBox *approveQuestion() const { return m_question; }
    UsagePanel *usage() const { return m_usage; }
    DownloadLogPanel *downloadLog() const { return m_log; }

signals:
    void refreshed();

private:
    enum class Action { Approve, Reject, Deactivate };
    void reload(); // keeps the message of the last action
    void act(Action action);
    void askToApprove();
    void showDetails();
    void say(const QString &text, bool isError = false);

    AppContext m_context;
    QComboBox *m_status;
    QComboBox *m_scope;
    QTableWidget *m_table;
    QLineEdit *m_reason;
    QLabel *m_message;
    QTextBrowser *m_details;
    QMessageBox *m_question = nullptr;
    UsagePanel *m_usage;
    DownloadLogPanel *m_log;
    QList<researcher::Account> m_accounts;
};

} // namespace openaps::desktop
