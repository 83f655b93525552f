#pragma once

#include "appcontext.h"
#include "researcher/cohortview.h"
#include "units.h"

#include <QMap>
#include <QPointer>
#include <QWidget>

#include <functional>

class QCheckBox;
class QChart;
class QChartView;
class QDateEdit;
class QGridLayout;
class QLabel;
class QPushButton;

namespace openaps::desktop {

// The server's cohort views (GET /api/v1/cohort/{view}) as charts, under the
// researcher's scope and an optional window of dates, with small cells drawn
// as withheld (cohortcharts.h). Loading never holds the window up: the
// answers arrive asynchronously, are parsed on a worker thread, and each
// chart is built in its own turn of the event loop.
class DashboardsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DashboardsPanel)

public:
    explicit DashboardsPanel(AppContext context, QWidget *parent = nullptr);

    void refresh(); // asks for every view again with the current filters
    void clear(); // signed out
    bool isLoading() const { return m_pending > 0 || !m_toDraw.isEmpty(); }
    const QMap<QString, researcher::CohortView> &views() const { return m_views; }
    // The chart drawn under `name` (its view name, or view/group: "overview/consent").
    QChart *chart(const QString &name) const;
    QStringList chartNames() const { return m_charts.keys(); }

signals:
    void refreshed(); // every view answered (or failed) and is drawn
    // One chart drawn, in a turn of the event loop of its own: emitted
    // before the next chart is queued.
    void chartDrawn(const QString &name);

private:
    struct ChartJob
    {
        QString name;
        std::function<QChart *()> make;
    };
    void onAnswer(quint64 generation, const QString &view, Result<QByteArray> body);
    void onParsed(quint64 generation, const QString &view, Result<researcher::CohortView> parsed);
    void drawNext();
    void queueCharts(const researcher::CohortView &view);
    void place(const QString &name, QChart *chart);
    void finishIfDone();
    void say(const QString &text, bool isError = false);
    GlucoseUnit unit() const;

    AppContext m_context;
    QCheckBox *m_limitDates;
    QDateEdit *m_from;
    QDateEdit *m_to;
    QPushButton *m_refresh;
    QLabel *m_scope;
    QLabel *m_status;
    QGridLayout *m_grid;
    QMap<QString, QChartView *> m_charts;
    QMap<QString, researcher::CohortView> m_views;
    QList<ChartJob> m_toDraw;
    QStringList m_errors;
    quint64 m_generation = 0;
    int m_pending = 0;
    bool m_drawScheduled = false;
};

} // namespace openaps::desktop
