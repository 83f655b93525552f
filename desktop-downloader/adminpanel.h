#pragma once

#include "appcontext.h"
#include "researcher/apitypes.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace openaps::desktop {

// For administrators: applications and accounts by status with everything
// the application said (phone, sponsor, IRB approval and details, data
// commons, terms accepted, a rejection's reason), approve with a scope,
// reject with a reason (emailed to the applicant), deactivate. Shown only
// when the signed-in researcher is_admin.
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

signals:
    void refreshed();

private:
    enum class Action { Approve, Reject, Deactivate };
    void reload(); // keeps the message of the last action
    void act(Action action);
    void say(const QString &text, bool isError = false);

    AppContext m_context;
    QComboBox *m_status;
    QComboBox *m_scope;
    QTableWidget *m_table;
    QLineEdit *m_reason;
    QLabel *m_message;
    QList<researcher::Account> m_accounts;
};

} // namespace openaps::desktop
