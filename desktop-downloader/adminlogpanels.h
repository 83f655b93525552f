#pragma once

#include "appcontext.h"
#include "researcher/listings.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QPushButton;
class QTableWidget;

namespace openaps::desktop {

// From/to dates (whole UTC days, the end day included) behind an "Only
// from" box; invalid times when unticked.
class DateWindow final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DateWindow)

public:
    explicit DateWindow(int daysBack, QWidget *parent = nullptr);
    QDateTime from() const;
    QDateTime to() const; // exclusive: the day after the end day
    QCheckBox *limit() const { return m_limit; }

signals:
    void changed();

private:
    QCheckBox *m_limit;
    QDateEdit *m_from;
    QDateEdit *m_to;
};

// For administrators: every researcher's use of the API in a window
// (GET /api/v1/admin/usage), most data first.
class UsagePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UsagePanel)

public:
    explicit UsagePanel(AppContext context, QWidget *parent = nullptr);
    void refresh();

signals:
    void refreshed();

private:
    AppContext m_context;
    DateWindow *m_window;
    QTableWidget *m_table;
    QLabel *m_message;
};

// For administrators: the download log (GET /api/v1/admin/downloads),
// newest first, a page at a time, by researcher, data set and dates.
class DownloadLogPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadLogPanel)

public:
    explicit DownloadLogPanel(AppContext context, QWidget *parent = nullptr);
    void refresh(); // the researchers and data sets to filter by, then page one
    void setPageSize(int rows) { m_pageSize = rows; }
    qint64 total() const { return m_page.total; }
    const researcher::DownloadLogPage &page() const { return m_page; }

signals:
    void refreshed(); // a page arrived (or the error)

private:
    void load(qint64 offset);

    AppContext m_context;
    QComboBox *m_researcher;
    QComboBox *m_dataset;
    DateWindow *m_window;
    QPushButton *m_newer;
    QPushButton *m_older;
    QLabel *m_position;
    QTableWidget *m_table;
    QLabel *m_message;
    QHash<qint64, QString> m_names; // researcher id -> "name <email>"
    researcher::DownloadLogPage m_page;
    int m_pageSize = 100;
};

} // namespace openaps::desktop
