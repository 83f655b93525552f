#include "adminpanel.h"

#include "adminlogpanels.h"
#include "exports.h"
#include "researcher/apiclient.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <iterator>

namespace openaps::desktop {

namespace {
// The table's columns; the application's answers after the account's.
const char *const columnTitles[] = { QT_TRANSLATE_NOOP("AdminPanel", "Name"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Email"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Institution"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Research"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Status"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Scope"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Phone"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Sponsor"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "IRB"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Data commons"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Terms of use"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Old portal"),
                                     QT_TRANSLATE_NOOP("AdminPanel", "Rejection reason") };

QStringList cellsOf(const researcher::Account &a)
{
    const researcher::ApplicationDetails &d = a.application;
    const QString irb = d.irbDetails.isEmpty() ? d.irbApproval : d.irbApproval + QStringLiteral(": ") + d.irbDetails;
    const QString terms = d.termsVersion.isEmpty()
            ? QString()
            : d.termsVersion + QStringLiteral(", ") + d.termsAcceptedAt.toString(QStringLiteral("yyyy-MM-dd"));
    return { a.name,  a.email,       a.institution,         a.purpose, a.status,
             a.scope, d.phone,       d.sponsorOrganisation, irb,       d.dataCommons,
             terms,   a.legacyUsage, d.rejectionReason };
}

// Every field of an account, untruncated, as escaped HTML (the applicant
// wrote these: never markup).
QString detailsHtml(const researcher::Account &a)
{
    const researcher::ApplicationDetails &d = a.application;
    const auto day = [](const QDateTime &t) {
        return t.isValid() ? t.toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
    };
    const std::pair<const char *, QString> fields[] = {
        { QT_TRANSLATE_NOOP("AdminPanel", "Name"), a.name },
        { QT_TRANSLATE_NOOP("AdminPanel", "Email"), a.email },
        { QT_TRANSLATE_NOOP("AdminPanel", "Institution"), a.institution },
        { QT_TRANSLATE_NOOP("AdminPanel", "Phone"), d.phone },
        { QT_TRANSLATE_NOOP("AdminPanel", "Status"), a.status },
        { QT_TRANSLATE_NOOP("AdminPanel", "Scope"), a.scope },
        { QT_TRANSLATE_NOOP("AdminPanel", "Administrator"), a.isAdmin ? QStringLiteral("yes") : QStringLiteral("no") },
        { QT_TRANSLATE_NOOP("AdminPanel", "Applied"), day(a.createdAt) },
        { QT_TRANSLATE_NOOP("AdminPanel", "Data commons asked for"), d.dataCommons },
        { QT_TRANSLATE_NOOP("AdminPanel", "IRB approval"), d.irbApproval },
        { QT_TRANSLATE_NOOP("AdminPanel", "IRB details"), d.irbDetails },
        { QT_TRANSLATE_NOOP("AdminPanel", "Sponsor"), d.sponsorOrganisation },
        { QT_TRANSLATE_NOOP("AdminPanel", "Terms of use"),
          d.termsVersion.isEmpty() ? QString()
                                   : d.termsVersion + QStringLiteral(", accepted ") + day(d.termsAcceptedAt) },
        { QT_TRANSLATE_NOOP("AdminPanel", "Old portal"), a.legacyUsage },
        { QT_TRANSLATE_NOOP("AdminPanel", "Rejection reason"), d.rejectionReason },
        { QT_TRANSLATE_NOOP("AdminPanel", "Description of the research"), a.purpose },
    };
    QString html = QStringLiteral("<table cellspacing=\"4\">");
    for (const auto &[label, value] : fields) {
        QString text = value.toHtmlEscaped();
        text.replace(QLatin1Char('\n'), QLatin1String("<br>"));
        html += QStringLiteral("<tr><td valign=\"top\"><b>%1</b></td><td>%2</td></tr>")
                        .arg(QCoreApplication::translate("AdminPanel", label).toHtmlEscaped(), text);
    }
    return html + QStringLiteral("</table>");
}

QPushButton *button(const QString &text, const char *name)
{
    auto *b = new QPushButton(text);
    b->setObjectName(QString::fromLatin1(name));
    return b;
}
} // namespace

AdminPanel::AdminPanel(AppContext context, QWidget *parent)
    : QWidget(parent),
      m_context(context),
      m_status(new QComboBox),
      m_scope(new QComboBox),
      m_table(new QTableWidget(0, int(std::size(columnTitles)))),
      m_reason(new QLineEdit),
      m_message(new QLabel),
      m_details(new QTextBrowser),
      m_usage(new UsagePanel(context)),
      m_log(new DownloadLogPanel(context))
{
    m_details->setObjectName(QStringLiteral("details"));
    m_details->setOpenLinks(false);
    m_status->setObjectName(QStringLiteral("statusFilter"));
    m_scope->setObjectName(QStringLiteral("scope"));
    m_table->setObjectName(QStringLiteral("researchers"));
    addExportMenu(m_table);
    m_message->setObjectName(QStringLiteral("adminMessage"));
    m_message->setWordWrap(true);
    const std::pair<const char *, QString> statuses[] = {
        { "pending", tr("Waiting for approval") },
        { "approved", tr("Approved") },
        { "unverified", tr("Email not confirmed yet") },
        { "rejected", tr("Rejected") },
        { "deactivated", tr("Deactivated") },
        { "", tr("All") },
    };
    for (const auto &[value, label] : statuses)
        m_status->addItem(label, QString::fromLatin1(value));
    m_scope->addItem(tr("OpenAPS data (consent openaps or both)"), QStringLiteral("openaps"));
    m_scope->addItem(tr("Nightscout Foundation data (consent nsf or both)"), QStringLiteral("nsf"));
    m_scope->addItem(tr("All data"), QStringLiteral("all"));
    QStringList titles;
    for (const char *title : columnTitles)
        titles << tr(title);
    m_table->setHorizontalHeaderLabels(titles);
    m_reason->setObjectName(QStringLiteral("rejectReason"));
    m_reason->setPlaceholderText(tr("Reason for a rejection (emailed to the applicant)"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setStretchLastSection(true);

    auto *refreshButton = button(tr("Refresh"), "refresh");
    auto *approve = button(tr("Approve with this scope"), "approve");
    auto *reject = button(tr("Reject"), "reject");
    auto *deactivate = button(tr("Deactivate"), "deactivate");
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Show")));
    top->addWidget(m_status, 1);
    top->addWidget(refreshButton);
    auto *actions = new QHBoxLayout;
    actions->addWidget(new QLabel(tr("Scope")));
    actions->addWidget(m_scope, 1);
    actions->addWidget(approve);
    actions->addWidget(m_reason, 1);
    actions->addWidget(reject);
    actions->addWidget(deactivate);
    auto *accounts = new QWidget;
    auto *split = new QSplitter;
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *accountsLayout = new QVBoxLayout(accounts);
    accountsLayout->addLayout(top);
    accountsLayout->addWidget(split, 1);
    accountsLayout->addLayout(actions);
    accountsLayout->addWidget(m_message);
    auto *pages = new QTabWidget;
    pages->setObjectName(QStringLiteral("adminPages"));
    pages->addTab(accounts, tr("Applications and accounts"));
    pages->addTab(m_usage, tr("Usage"));
    pages->addTab(m_log, tr("Download log"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(pages);

    connect(refreshButton, &QPushButton::clicked, this, &AdminPanel::refresh);
    connect(m_status, &QComboBox::currentIndexChanged, this, &AdminPanel::refresh);
    connect(approve, &QPushButton::clicked, this, &AdminPanel::askToApprove);
    connect(m_table, &QTableWidget::currentCellChanged, this, &AdminPanel::showDetails);
    connect(reject, &QPushButton::clicked, this, [this] { act(Action::Reject); });
    connect(deactivate, &QPushButton::clicked, this, [this] { act(Action::Deactivate); });
}

void AdminPanel::say(const QString &text, bool isError)
{
    m_message->setText(text);
    m_message->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

void AdminPanel::refresh()
{
    say({});
    reload();
    m_usage->refresh();
    m_log->refresh();
}

void AdminPanel::showDetails()
{
    const int row = m_table->currentRow();
    m_details->setHtml(row >= 0 && row < m_accounts.size() ? detailsHtml(m_accounts[row]) : QString());
}

// Approving gives access to health data: the administrator confirms who
// and with which scope first (a dialog opened with open(), no nested loop).
void AdminPanel::askToApprove()
{
    const int row = m_table->currentRow();
    if (row < 0 || row >= m_accounts.size())
        return say(tr("Please choose a researcher in the list first."), true);
    const researcher::Account &a = m_accounts[row];
    delete m_question;
    m_question = new QMessageBox(
            QMessageBox::Question, tr("Approve this researcher?"),
            tr("Approve %1 <%2> of %3 with access to %4?").arg(a.name, a.email, a.institution, m_scope->currentText()),
            QMessageBox::Yes | QMessageBox::Cancel, this);
    m_question->setObjectName(QStringLiteral("confirmApprove"));
    m_question->setDefaultButton(QMessageBox::Cancel);
    m_question->setTextFormat(Qt::PlainText);
    const qint64 id = a.id;
    connect(m_question, &QMessageBox::finished, this, [this, id](int result) {
        m_question->deleteLater();
        m_question = nullptr;
        const int row = m_table->currentRow();
        if (result != QMessageBox::Yes || row < 0 || row >= m_accounts.size() || m_accounts[row].id != id)
            return say(tr("Not approved."));
        act(Action::Approve);
    });
    m_question->open();
}

void AdminPanel::reload()
{
    m_context.api->listResearchers(m_status->currentData().toString(), this,
                                   [this](Result<QList<researcher::Account>> r) {
                                       if (!r) {
                                           say(r.error().message, true);
                                           emit refreshed();
                                           return;
                                       }
                                       m_accounts = *r;
                                       m_table->setRowCount(int(m_accounts.size()));
                                       for (int i = 0; i < m_accounts.size(); ++i) {
                                           const QStringList cells = cellsOf(m_accounts[i]);
                                           for (int c = 0; c < cells.size(); ++c)
                                               m_table->setItem(i, c, new QTableWidgetItem(cells[c]));
                                       }
                                       showDetails();
                                       if (m_accounts.isEmpty() && m_message->text().isEmpty())
                                           say(tr("Nobody in this list."));
                                       emit refreshed();
                                   });
}

bool AdminPanel::select(const QString &email)
{
    for (int i = 0; i < m_accounts.size(); ++i) {
        if (m_accounts[i].email.compare(email, Qt::CaseInsensitive) == 0) {
            m_table->selectRow(i);
            return true;
        }
    }
    return false;
}

void AdminPanel::act(Action action)
{
    const int row = m_table->currentRow();
    if (row < 0 || row >= m_accounts.size())
        return say(tr("Please choose a researcher in the list first."), true);
    const researcher::Account account = m_accounts[row];
    auto done = [this, action, account](Result<researcher::Account> r) {
        if (!r)
            return say(r.error().message, true);
        const QString what = action == Action::Approve ? tr("approved (scope %1)").arg(r->scope)
                : action == Action::Reject             ? tr("rejected")
                                                       : tr("deactivated; their sign-ins no longer work");
        say(tr("%1 was %2.").arg(account.email, what));
        reload();
    };
    switch (action) {
    case Action::Approve:
        m_context.api->approve(account.id, m_scope->currentData().toString(), this, done);
        break;
    case Action::Reject:
        if (m_reason->text().trimmed().isEmpty())
            return say(tr("Please write the reason for the rejection: the applicant gets it by email."), true);
        m_context.api->reject(account.id, m_reason->text().trimmed(), this, done);
        m_reason->clear();
        break;
    case Action::Deactivate:
        m_context.api->deactivate(account.id, this, done);
        break;
    }
}

} // namespace openaps::desktop
