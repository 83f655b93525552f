#include "adminlogpanels.h"

#include "exports.h"
#include "researcher/apiclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QTimeZone>
#include <QVBoxLayout>

namespace openaps::desktop {

namespace {

template <typename W> W *named(W *widget, const char *name)
{
    widget->setObjectName(QString::fromLatin1(name));
    return widget;
}

QTableWidget *table(const char *name, const QStringList &titles)
{
    auto *t = named(new QTableWidget(0, int(titles.size())), name);
    t->setHorizontalHeaderLabels(titles);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setStretchLastSection(true);
    addExportMenu(t);
    return t;
}

void setRow(QTableWidget *t, int row, const QStringList &cells)
{
    for (int c = 0; c < cells.size(); ++c)
        t->setItem(row, c, new QTableWidgetItem(cells[c]));
}

QString when(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}

void say(QLabel *label, const QString &text, bool isError)
{
    label->setText(text);
    label->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

} // namespace

DateWindow::DateWindow(int daysBack, QWidget *parent)
    : QWidget(parent),
      m_limit(named(new QCheckBox(tr("Only from")), "limitDates")),
      m_from(named(new QDateEdit, "from")),
      m_to(named(new QDateEdit, "to"))
{
    const QDate today = QDate::currentDate();
    for (QDateEdit *edit : { m_from, m_to }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setEnabled(false);
        connect(edit, &QDateEdit::dateChanged, this, &DateWindow::changed);
    }
    m_from->setDate(today.addDays(-daysBack));
    m_to->setDate(today);
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_limit);
    row->addWidget(m_from);
    row->addWidget(new QLabel(tr("to (including, UTC)")));
    row->addWidget(m_to);
    connect(m_limit, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_limit, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    connect(m_limit, &QCheckBox::toggled, this, &DateWindow::changed);
}

QDateTime DateWindow::from() const
{
    return m_limit->isChecked() ? m_from->date().startOfDay(QTimeZone::utc()) : QDateTime();
}

QDateTime DateWindow::to() const
{
    return m_limit->isChecked() ? m_to->date().addDays(1).startOfDay(QTimeZone::utc()) : QDateTime();
}

UsagePanel::UsagePanel(AppContext context, QWidget *parent)
    : QWidget(parent),
      m_context(context),
      m_window(named(new DateWindow(30), "usageWindow")),
      m_table(table("usage",
                    { tr("Researcher"), tr("Email"), tr("Institution"), tr("Status"), tr("Downloads"), tr("Complete"),
                      tr("Rows"), tr("Data sent"), tr("Last download (UTC)"), tr("Last activity (UTC)") })),
      m_message(named(new QLabel, "usageMessage"))
{
    auto *refresh = named(new QPushButton(tr("Refresh")), "refreshUsage");
    auto *top = new QHBoxLayout;
    top->addWidget(m_window);
    top->addStretch();
    top->addWidget(refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_message);
    connect(refresh, &QPushButton::clicked, this, &UsagePanel::refresh);
}

void UsagePanel::refresh()
{
    say(m_message, tr("Asking the server…"), false);
    m_context.api->usage(m_window->from(), m_window->to(), this, [this](Result<QList<researcher::UsageRow>> r) {
        if (!r) {
            say(m_message, r.error().message, true);
            return emit refreshed();
        }
        const QLocale locale;
        m_table->setRowCount(int(r->size()));
        for (int i = 0; i < r->size(); ++i) {
            const researcher::UsageRow &u = r->at(i);
            setRow(m_table, i,
                   { u.name, u.email, u.institution, u.status, locale.toString(u.downloads),
                     locale.toString(u.complete), locale.toString(u.rows), locale.formattedDataSize(u.bytes),
                     when(u.lastDownloadAt), when(u.lastActivity) });
        }
        say(m_message, r->isEmpty() ? tr("No researcher has had access yet.") : QString(), false);
        emit refreshed();
    });
}

DownloadLogPanel::DownloadLogPanel(AppContext context, QWidget *parent)
    : QWidget(parent),
      m_context(context),
      m_researcher(named(new QComboBox, "logResearcher")),
      m_dataset(named(new QComboBox, "logDataset")),
      m_window(named(new DateWindow(30), "logWindow")),
      m_newer(named(new QPushButton(tr("◀ Newer")), "newer")),
      m_older(named(new QPushButton(tr("Older ▶")), "older")),
      m_position(named(new QLabel, "logPosition")),
      m_table(table("downloads",
                    { tr("Started (UTC)"), tr("Researcher"), tr("Data set"), tr("Format"), tr("Rows"), tr("Data sent"),
                      tr("Outcome"), tr("Finished (UTC)"), tr("Filters") })),
      m_message(named(new QLabel, "logMessage"))
{
    auto *apply = named(new QPushButton(tr("Show")), "showLog");
    auto *top = new QHBoxLayout;
    top->addWidget(m_researcher, 1);
    top->addWidget(m_dataset);
    top->addWidget(m_window);
    top->addWidget(apply);
    auto *paging = new QHBoxLayout;
    paging->addWidget(m_newer);
    paging->addWidget(m_position);
    paging->addWidget(m_older);
    paging->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    layout->addLayout(paging);
    layout->addWidget(m_message);
    m_researcher->addItem(tr("All researchers"), qint64(0));
    m_dataset->addItem(tr("All data sets"), QString());
    m_newer->setEnabled(false);
    m_older->setEnabled(false);
    connect(apply, &QPushButton::clicked, this, [this] { load(0); });
    connect(m_newer, &QPushButton::clicked, this, [this] { load(qMax<qint64>(0, m_page.offset - m_pageSize)); });
    connect(m_older, &QPushButton::clicked, this, [this] { load(m_page.offset + m_pageSize); });
}

void DownloadLogPanel::refresh()
{
    m_context.api->listResearchers({}, this, [this](Result<QList<researcher::Account>> r) {
        if (!r)
            return;
        const qint64 chosen = m_researcher->currentData().toLongLong();
        m_researcher->clear();
        m_researcher->addItem(tr("All researchers"), qint64(0));
        for (const researcher::Account &a : std::as_const(*r)) {
            const QString name = QStringLiteral("%1 <%2>").arg(a.name, a.email);
            m_names.insert(a.id, name);
            m_researcher->addItem(name, a.id);
        }
        m_researcher->setCurrentIndex(qMax(0, m_researcher->findData(chosen)));
        load(m_page.offset);
    });
    m_context.api->datasets(this, [this](Result<QList<researcher::Dataset>> r) {
        if (!r)
            return;
        const QString chosen = m_dataset->currentData().toString();
        m_dataset->clear();
        m_dataset->addItem(tr("All data sets"), QString());
        for (const researcher::Dataset &d : std::as_const(*r))
            m_dataset->addItem(d.name, d.name);
        m_dataset->setCurrentIndex(qMax(0, m_dataset->findData(chosen)));
    });
}

void DownloadLogPanel::load(qint64 offset)
{
    researcher::DownloadLogQuery query;
    query.limit = m_pageSize;
    query.offset = offset;
    query.researcherId = m_researcher->currentData().toLongLong();
    query.dataset = m_dataset->currentData().toString();
    query.from = m_window->from();
    query.to = m_window->to();
    say(m_message, tr("Asking the server…"), false);
    m_context.api->downloadLog(query, this, [this](Result<researcher::DownloadLogPage> r) {
        if (!r) {
            say(m_message, r.error().message, true);
            return emit refreshed();
        }
        m_page = *r;
        const QLocale locale;
        m_table->setRowCount(int(m_page.rows.size()));
        for (int i = 0; i < m_page.rows.size(); ++i) {
            const researcher::DownloadLogRow &d = m_page.rows[i];
            setRow(m_table, i,
                   { when(d.startedAt), m_names.value(d.researcherId, QString::number(d.researcherId)), d.dataset,
                     d.format, locale.toString(d.rows), locale.formattedDataSize(d.bytes), d.outcome,
                     when(d.finishedAt), d.filters });
        }
        m_position->setText(m_page.rows.isEmpty() ? tr("none of %1").arg(m_page.total)
                                                  : tr("%1–%2 of %3")
                                                            .arg(m_page.offset + 1)
                                                            .arg(m_page.offset + m_page.rows.size())
                                                            .arg(m_page.total));
        m_newer->setEnabled(m_page.offset > 0);
        m_older->setEnabled(m_page.offset + m_page.rows.size() < m_page.total);
        say(m_message, m_page.total == 0 ? tr("No downloads match.") : QString(), false);
        emit refreshed();
    });
}

} // namespace openaps::desktop
