#include "dashboardspanel.h"

#include "cohortcharts.h"
#include "exports.h"
#include "researcher/apiclient.h"
#include "units.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QCoreApplication>
#include <QDateEdit>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QTime>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace openaps::desktop {

namespace {

using researcher::CohortGroup;
using researcher::CohortView;

QString tr(const char *text)
{
    return QCoreApplication::translate("DashboardsPanel", text);
}

// The dashboards' charts in the order they are laid out: view/group names.
const QStringList &chartOrder()
{
    static const QStringList order {
        QStringLiteral("overview/months"),
        QStringLiteral("overview/consent"),
        QStringLiteral("glucose_by_time_of_day"),
        QStringLiteral("time_in_range/bands"),
        QStringLiteral("time_in_range/time_in_range"),
        QStringLiteral("time_in_range/time_below_range"),
        QStringLiteral("overview/days_with_data"),
        QStringLiteral("loop_type_by_month"),
        QStringLiteral("device_groups/main_device_group"),
        QStringLiteral("demographics/age_bracket"),
        QStringLiteral("demographics/years_since_diagnosed_bracket"),
        QStringLiteral("demographics/gender"),
        QStringLiteral("demographics/country_corrected"),
    };
    return order;
}

QString groupTitle(const QString &name, GlucoseUnit unit)
{
    // The consensus ranges in the unit shown (README, "Units").
    if (name == QLatin1String("time_in_range"))
        return unit == GlucoseUnit::MgDl ? tr("Participants by time in range 70–180 mg/dL (target > 70 %)")
                                         : tr("Participants by time in range 3.9–10.0 mmol/L (target > 70 %)");
    if (name == QLatin1String("time_below_range"))
        return unit == GlucoseUnit::MgDl ? tr("Participants by time below 70 mg/dL (target < 4 %)")
                                         : tr("Participants by time below 3.9 mmol/L (target < 4 %)");
    static const QMap<QString, const char *> titles {
        { QStringLiteral("consent"), QT_TRANSLATE_NOOP("DashboardsPanel", "Participants by consent group") },
        { QStringLiteral("days_with_data"),
          QT_TRANSLATE_NOOP("DashboardsPanel", "Participants by days with readings (14: consensus minimum)") },
        { QStringLiteral("main_device_group"), QT_TRANSLATE_NOOP("DashboardsPanel", "Participants by main device") },
        { QStringLiteral("age_bracket"), QT_TRANSLATE_NOOP("DashboardsPanel", "Age (survey)") },
        { QStringLiteral("years_since_diagnosed_bracket"),
          QT_TRANSLATE_NOOP("DashboardsPanel", "Years since diagnosis (survey)") },
        { QStringLiteral("gender"), QT_TRANSLATE_NOOP("DashboardsPanel", "Gender (survey)") },
        { QStringLiteral("country_corrected"), QT_TRANSLATE_NOOP("DashboardsPanel", "Country (survey)") },
    };
    const char *title = titles.value(name);
    return title ? tr(title) : name;
}

QString scopeWords(const QString &scope)
{
    if (scope == QLatin1String("openaps"))
        return tr("OpenAPS data (consent openaps or both)");
    if (scope == QLatin1String("nsf"))
        return tr("Nightscout Foundation data (consent nsf or both)");
    return scope == QLatin1String("all") ? tr("all data") : scope;
}

} // namespace

DashboardsPanel::DashboardsPanel(AppContext context, QWidget *parent)
    : QWidget(parent),
      m_context(context),
      m_limitDates(new QCheckBox(tr("Only from"))),
      m_from(new QDateEdit),
      m_to(new QDateEdit),
      m_refresh(new QPushButton(tr("Refresh"))),
      m_scope(new QLabel),
      m_status(new QLabel),
      m_grid(new QGridLayout)
{
    m_limitDates->setObjectName(QStringLiteral("limitDates"));
    m_from->setObjectName(QStringLiteral("from"));
    m_to->setObjectName(QStringLiteral("to"));
    m_refresh->setObjectName(QStringLiteral("refresh"));
    m_scope->setObjectName(QStringLiteral("scope"));
    m_status->setObjectName(QStringLiteral("status"));
    const QDate today = QDate::currentDate();
    for (QDateEdit *edit : { m_from, m_to }) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
        edit->setEnabled(false);
    }
    m_from->setDate(today.addYears(-1));
    m_to->setDate(today);
    m_status->setWordWrap(true);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_limitDates);
    filters->addWidget(m_from);
    filters->addWidget(new QLabel(tr("to (including, UTC)")));
    filters->addWidget(m_to);
    filters->addWidget(m_refresh);
    filters->addSpacing(16);
    filters->addWidget(m_scope, 1);

    auto *charts = new QWidget;
    charts->setLayout(m_grid);
    for (int i = 0; i < chartOrder().size(); ++i) {
        auto *view = new QChartView(new QChart);
        view->setObjectName(chartOrder()[i]);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(320);
        view->chart()->setTitle(tr("Not loaded yet"));
        addExportMenu(view);
        m_grid->addWidget(view, i / 2, i % 2);
        m_charts.insert(chartOrder()[i], view);
    }
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("chartsArea"));
    scroll->setWidgetResizable(true);
    scroll->setWidget(charts);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_status);
    layout->addWidget(scroll, 1);

    connect(m_limitDates, &QCheckBox::toggled, m_from, &QWidget::setEnabled);
    connect(m_limitDates, &QCheckBox::toggled, m_to, &QWidget::setEnabled);
    connect(m_refresh, &QPushButton::clicked, this, &DashboardsPanel::refresh);
    if (m_context.units) // the charts with glucose in them again, from the answers at hand
        connect(m_context.units, &Units::changed, this, [this] {
            for (const QString &view : { QStringLiteral("glucose_by_time_of_day"), QStringLiteral("time_in_range") })
                if (m_views.contains(view))
                    queueCharts(m_views.value(view));
        });
}

GlucoseUnit DashboardsPanel::unit() const
{
    return m_context.units ? m_context.units->unit() : GlucoseUnit::MgDl;
}

QChart *DashboardsPanel::chart(const QString &name) const
{
    QChartView *view = m_charts.value(name);
    return view ? view->chart() : nullptr;
}

void DashboardsPanel::say(const QString &text, bool isError)
{
    m_status->setText(text);
    m_status->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

void DashboardsPanel::clear()
{
    ++m_generation; // answers still on their way are dropped
    m_pending = 0;
    m_toDraw.clear();
    m_views.clear();
    for (auto it = m_charts.cbegin(); it != m_charts.cend(); ++it)
        place(it.key(), nullptr);
    m_scope->clear();
    m_refresh->setEnabled(true);
    say({});
}

void DashboardsPanel::refresh()
{
    QDateTime from, to;
    if (m_limitDates->isChecked()) {
        if (m_to->date() < m_from->date())
            return say(tr("The end date is before the start date."), true);
        from = m_from->date().startOfDay(QTimeZone::utc());
        to = m_to->date().addDays(1).startOfDay(QTimeZone::utc()); // the API's `to` is exclusive
    }
    const quint64 generation = ++m_generation;
    m_toDraw.clear();
    m_errors.clear();
    m_pending = int(researcher::cohortViewNames().size());
    m_refresh->setEnabled(false);
    m_scope->setText(tr("Scope: %1").arg(scopeWords(m_context.api->account().scope)));
    say(tr("Asking the server for the cohort views…"));
    for (const QString &view : researcher::cohortViewNames())
        m_context.api->cohortView(view, from, to, this, [this, generation, view](Result<QByteArray> body) {
            onAnswer(generation, view, std::move(body));
        });
}

void DashboardsPanel::onAnswer(quint64 generation, const QString &view, Result<QByteArray> body)
{
    if (generation != m_generation)
        return;
    if (!body)
        return onParsed(generation, view, body.error());
    // JSON parsing off the GUI thread (a year of months, 96 bins, ... grows with the window).
    auto *watcher = new QFutureWatcher<Result<researcher::CohortView>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, view] {
        watcher->deleteLater();
        onParsed(generation, view, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([bytes = std::move(*body)] { return researcher::parseCohortView(bytes); }));
}

void DashboardsPanel::onParsed(quint64 generation, const QString &view, Result<researcher::CohortView> parsed)
{
    if (generation != m_generation)
        return;
    --m_pending;
    if (!parsed) {
        m_errors << tr("%1: %2").arg(view, parsed.error().message);
        finishIfDone();
        return;
    }
    m_views.insert(view, *parsed);
    queueCharts(*parsed);
}

void DashboardsPanel::queueCharts(const CohortView &view)
{
    const int k = view.k;
    const GlucoseUnit unit = this->unit();
    if (view.view == QLatin1String("glucose_by_time_of_day") || view.view == QLatin1String("loop_type_by_month")) {
        m_toDraw.append({ view.view, [view, k, unit]() -> QChart * {
                             if (view.view == QLatin1String("loop_type_by_month"))
                                 return cohortLoopChart(view);
                             const CohortGroup *bins = view.group(QStringLiteral("bins"));
                             return cohortTimeOfDayChart(bins ? *bins : CohortGroup {}, k, unit);
                         } });
    } else {
        for (const CohortGroup &group : view.groups) {
            const QString name = view.view + QLatin1Char('/') + group.name;
            if (!m_charts.contains(name))
                continue;
            m_toDraw.append({ name, [group, k, unit]() -> QChart * {
                                 if (group.name == QLatin1String("months"))
                                     return cohortMonthsChart(group, k);
                                 if (group.name == QLatin1String("bands"))
                                     return cohortBandsChart(group, k);
                                 return cohortBarChart(group, k, groupTitle(group.name, unit));
                             } });
        }
    }
    if (!m_drawScheduled) {
        m_drawScheduled = true;
        QTimer::singleShot(0, this, &DashboardsPanel::drawNext);
    }
}

// One chart per turn of the event loop, so input and painting go on between.
void DashboardsPanel::drawNext()
{
    m_drawScheduled = false;
    if (m_toDraw.isEmpty())
        return finishIfDone();
    const ChartJob job = m_toDraw.takeFirst();
    place(job.name, job.make());
    emit chartDrawn(job.name);
    if (m_toDraw.isEmpty())
        return finishIfDone();
    m_drawScheduled = true;
    QTimer::singleShot(0, this, &DashboardsPanel::drawNext);
}

void DashboardsPanel::place(const QString &name, QChart *chart)
{
    QChartView *view = m_charts.value(name);
    if (!view) {
        delete chart;
        return;
    }
    if (!chart) {
        chart = new QChart;
        chart->setTitle(tr("Not loaded yet"));
    }
    QChart *old = view->chart();
    view->setChart(chart); // releases the old chart without deleting it
    delete old;
}

void DashboardsPanel::finishIfDone()
{
    if (isLoading() || m_refresh->isEnabled()) // still loading, or no refresh under way
        return;
    m_refresh->setEnabled(true);
    const CohortView overview = m_views.value(QStringLiteral("overview"));
    QString participants = overview.participants ? QLocale().toString(*overview.participants)
                                                 : tr("fewer than %1").arg(overview.k);
    m_scope->setText(tr("Scope: %1 · %2 participants · cells of fewer than %3 participants are suppressed")
                             .arg(scopeWords(m_context.api->account().scope), participants)
                             .arg(overview.k));
    if (!m_errors.isEmpty())
        say(m_errors.join(QLatin1Char('\n')), true);
    else
        say(tr("Drawn at %1.").arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
    emit refreshed();
}

} // namespace openaps::desktop
