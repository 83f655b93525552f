#include "localviewpanel.h"

#include "agpreport.h"
#include "exports.h"
#include "tablemodel.h"
#include "units.h"

#include <QChartView>
#include <QComboBox>
#include <QDateEdit>
#include <QDateTimeAxis>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTimeZone>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtConcurrent>

#include <cmath>

namespace openaps::desktop {

namespace {

constexpr qint64 dayMs = 24 * 3600 * 1000;
constexpr qint64 shortestSpanMs = 3600 * 1000;

template <typename W> W *named(W *widget, const char *name)
{
    widget->setObjectName(QString::fromLatin1(name));
    return widget;
}

QPushButton *button(const QString &text, const char *name, const QString &tip = {})
{
    auto *b = named(new QPushButton(text), name);
    b->setToolTip(tip);
    return b;
}

QString utcTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString amount(double v, int decimals = 2)
{
    return std::isnan(v) ? QString() : QLocale().toString(v, 'f', decimals);
}

QTableView *recordsTable(TableModel *model, const char *name)
{
    auto *view = named(new QTableView, name);
    view->setModel(model);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    addExportMenu(view);
    return view;
}

} // namespace

LocalViewPanel::LocalViewPanel(Units *units, QWidget *parent)
    : QWidget(parent),
      m_units(units ? units : new Units(nullptr, this)),
      m_open(button(tr("Open downloaded files…"), "openFile",
                    tr("Entries, treatments, device status and profile downloads of the same participants"))),
      m_cancel(button(tr("Stop loading"), "cancelLoad")),
      m_progress(named(new QProgressBar, "loadProgress")),
      m_status(named(new QLabel, "loadStatus")),
      m_participant(named(new QComboBox, "participant")),
      m_whole(button(tr("Whole range"), "wholeRange")),
      m_day(named(new QDateEdit, "day")),
      m_glucose(named(new QChartView, "glucoseChart")),
      m_loop(named(new QChartView, "loopChart")),
      m_agp(named(new QChartView, "agpChart")),
      m_ranges(named(new QChartView, "rangeChart")),
      m_tables(named(new QTabWidget, "tables")),
      m_table(named(new QTableWidget(0, 2), "metricsTable")),
      m_treatmentsModel(new TableModel(this)),
      m_loopModel(new TableModel(this)),
      m_profileModel(new TableModel(this)),
      m_report(button(tr("AGP report (PDF)…"), "agpReport",
                      tr("The one-page AGP report of this participant, in the units shown"))),
      m_reports(button(tr("Reports for all…"), "agpReports", tr("One AGP report PDF per participant into a folder")))
{
    m_report->setEnabled(false);
    m_reports->setEnabled(false);
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_status->setWordWrap(true);
    m_status->setText(tr("Download entries (and treatments, device status, profile) as CSV or NDJSON, then open "
                         "them here together to see charts and metrics."));
    m_table->setHorizontalHeaderLabels({ tr("Metric"), tr("Value") });
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    addExportMenu(m_table);
    for (QChartView *view : { m_glucose, m_loop, m_agp, m_ranges }) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(200);
        addExportMenu(view);
    }
    m_glucose->setMinimumHeight(250);
    m_loop->setMinimumHeight(170);
    m_loop->hide();
    m_glucose->setRubberBand(QChartView::HorizontalRubberBand);
    m_glucose->setFocusPolicy(Qt::StrongFocus);
    m_glucose->installEventFilter(this);
    m_glucose->viewport()->installEventFilter(this);
    m_glucose->setToolTip(tr("Drag to zoom in; wheel or +/- to zoom, arrow keys to move"));
    m_day->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    m_day->setCalendarPopup(true);
    m_day->setToolTip(tr("Show one UTC day"));
    m_tables->addTab(m_table, tr("Metrics"));
    m_tables->addTab(recordsTable(m_treatmentsModel, "treatmentsTable"), tr("Treatments"));
    m_tables->addTab(recordsTable(m_loopModel, "loopTable"), tr("Loop"));
    m_tables->addTab(recordsTable(m_profileModel, "profileTable"), tr("Profile"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_open);
    top->addWidget(m_cancel);
    top->addWidget(m_progress, 1);
    auto *previousDay = button(QStringLiteral("◀"), "previousDay", tr("The day before"));
    auto *nextDay = button(QStringLiteral("▶"), "nextDay", tr("The day after"));
    auto *zoomIn = button(tr("Zoom in"), "zoomIn");
    auto *zoomOut = button(tr("Zoom out"), "zoomOut");
    auto *earlier = button(tr("Earlier"), "panEarlier");
    auto *later = button(tr("Later"), "panLater");
    auto *nav = new QHBoxLayout;
    nav->addWidget(new QLabel(tr("Participant")));
    nav->addWidget(m_participant, 1);
    nav->addSpacing(12);
    nav->addWidget(m_whole);
    nav->addWidget(new QLabel(tr("Day (UTC)")));
    nav->addWidget(previousDay);
    nav->addWidget(m_day);
    nav->addWidget(nextDay);
    nav->addSpacing(12);
    for (QPushButton *b : { zoomIn, zoomOut, earlier, later })
        nav->addWidget(b);
    nav->addSpacing(12);
    nav->addWidget(m_report);
    nav->addWidget(m_reports);
    auto *grid = new QGridLayout;
    grid->addWidget(m_glucose, 0, 0, 1, 2);
    grid->addWidget(m_loop, 1, 0, 1, 2);
    grid->addWidget(m_agp, 2, 0);
    grid->addWidget(m_ranges, 2, 1);
    grid->setRowStretch(0, 4);
    grid->setRowStretch(1, 2);
    grid->setRowStretch(2, 3);
    auto *body = new QHBoxLayout;
    body->addLayout(grid, 3);
    body->addWidget(m_tables, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addLayout(nav);
    layout->addLayout(body, 1);

    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_state && m_fileSize > 0)
            m_progress->setValue(int(std::min<qint64>(99, m_state->bytes * 100 / m_fileSize)));
    });
    m_redraw.setSingleShot(true);
    m_redraw.setInterval(150);
    connect(&m_redraw, &QTimer::timeout, this, [this] { setRange(m_pending); });
    connect(&m_watcher, &QFutureWatcher<Result<metrics::LocalData>>::finished, this, &LocalViewPanel::onLoaded);
    connect(m_open, &QPushButton::clicked, this, &LocalViewPanel::onOpen);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_state)
            m_state->cancel = true;
    });
    connect(m_participant, &QComboBox::currentIndexChanged, this, &LocalViewPanel::onParticipant);
    connect(m_whole, &QPushButton::clicked, this, &LocalViewPanel::showWholeRange);
    connect(m_day, &QDateEdit::userDateChanged, this, &LocalViewPanel::showDay);
    connect(previousDay, &QPushButton::clicked, this, [this] { showDay(m_day->date().addDays(-1)); });
    connect(nextDay, &QPushButton::clicked, this, [this] { showDay(m_day->date().addDays(1)); });
    connect(zoomIn, &QPushButton::clicked, this, [this] { zoom(0.5); });
    connect(zoomOut, &QPushButton::clicked, this, [this] { zoom(2); });
    connect(earlier, &QPushButton::clicked, this, [this] { pan(-0.5); });
    connect(later, &QPushButton::clicked, this, [this] { pan(0.5); });
    connect(m_report, &QPushButton::clicked, this, &LocalViewPanel::askForReport);
    connect(m_reports, &QPushButton::clicked, this, &LocalViewPanel::askForReports);
    connect(m_units, &Units::changed, this, [this] { onParticipant(m_participant->currentIndex()); });
}

LocalViewPanel::~LocalViewPanel()
{
    // The worker owns its state through the shared pointer and stops at the
    // next chunk; nothing waits for it here.
    if (m_state)
        m_state->cancel = true;
}

void LocalViewPanel::say(const QString &text, bool isError)
{
    m_status->setText(text);
    m_status->setStyleSheet(isError ? QStringLiteral("color: #b00020;") : QString());
}

void LocalViewPanel::onOpen()
{
    auto *dialog = new QFileDialog(
            this, tr("Open downloaded files of the same participants"), QString(),
            tr("Downloads and releases (*.csv *.csv.gz *.ndjson *.ndjson.gz *.zip);;All files (*)"));
    dialog->setFileMode(QFileDialog::ExistingFiles);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::filesSelected, this, &LocalViewPanel::loadFiles);
    dialog->open();
}

void LocalViewPanel::loadFiles(const QStringList &paths)
{
    if (m_watcher.isRunning())
        return say(tr("Files are still loading. Stop it first."), true);
    m_fileSize = 0;
    for (const QString &path : paths)
        m_fileSize += QFileInfo(path).size();
    m_state = std::make_shared<LoadState>();
    m_progress->setValue(0);
    m_open->setEnabled(false);
    m_cancel->setEnabled(true);
    QStringList names;
    for (const QString &path : paths)
        names.append(QFileInfo(path).fileName());
    say(tr("Loading %1…").arg(names.join(QLatin1String(", "))));
    m_watcher.setFuture(QtConcurrent::run([paths, state = m_state] {
        return metrics::loadLocalFiles(paths, [state](qint64 bytes) {
            state->bytes = bytes;
            return !state->cancel;
        });
    }));
    m_poll.start();
}

void LocalViewPanel::onLoaded()
{
    m_poll.stop();
    m_open->setEnabled(true);
    m_cancel->setEnabled(false);
    Result<metrics::LocalData> result = m_watcher.result();
    if (!result) {
        m_progress->setValue(0);
        say(result.error().message, result.error().code != QLatin1String("cancelled"));
        emit loaded();
        return;
    }
    m_progress->setValue(100);
    m_data = std::make_unique<metrics::LocalData>(std::move(*result));
    const QLocale locale;
    QStringList datasets = m_data->datasets;
    datasets.removeDuplicates();
    say(tr("%1 rows (%2); participants: %3; %4 rows without a usable time or glucose value were left out.")
                .arg(locale.toString(m_data->rows), datasets.join(QLatin1String(", ")))
                .arg(m_data->participants.size())
                .arg(locale.toString(m_data->skipped)));
    QSignalBlocker block(m_participant);
    m_participant->clear();
    m_participant->addItems(m_data->participants);
    block.unblock();
    onParticipant(m_participant->count() > 0 ? 0 : -1);
    m_reports->setEnabled(!m_data->entries.participants.isEmpty());
    emit loaded();
}

QString LocalViewPanel::currentParticipant() const
{
    return m_participant->currentText();
}

void LocalViewPanel::showParticipant(const QString &participant)
{
    m_participant->setCurrentText(participant);
}

const metrics::ParticipantAnalysis &LocalViewPanel::entries() const
{
    const metrics::ParticipantAnalysis *p = m_data ? m_data->entriesOf(currentParticipant()) : nullptr;
    return p ? *p : m_noEntries;
}

const metrics::ParticipantRecords *LocalViewPanel::records() const
{
    return m_data ? m_data->recordsOf(currentParticipant()) : nullptr;
}

void LocalViewPanel::setChart(QChartView *view, QChart *chart)
{
    QChart *old = view->chart();
    view->setChart(chart);
    delete old;
}

void LocalViewPanel::onParticipant(int index)
{
    if (!m_data || index < 0 || index >= m_data->participants.size()) {
        m_table->setRowCount(0);
        return;
    }
    m_noEntries = {};
    m_noEntries.participant = currentParticipant();
    const metrics::ParticipantAnalysis &p = entries();
    m_report->setEnabled(!p.readings.isEmpty());
    const GlucoseUnit unit = m_units->unit();
    m_range = wholeRange(p, records());
    {
        const QSignalBlocker block(m_day);
        if (!m_range.isEmpty()) {
            m_day->setDateRange(QDateTime::fromMSecsSinceEpoch(m_range.fromMs, QTimeZone::utc()).date(),
                                QDateTime::fromMSecsSinceEpoch(m_range.toMs, QTimeZone::utc()).date());
            m_day->setDate(QDateTime::fromMSecsSinceEpoch(m_range.toMs, QTimeZone::utc()).date());
        }
    }
    drawTimeCharts();
    setChart(m_agp, agpChart(p, unit));
    setChart(m_ranges, rangeChart(p.summary, unit));
    const auto rows = metricRows(p.summary, unit);
    m_table->setRowCount(int(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        m_table->setItem(i, 0, new QTableWidgetItem(rows[i].first));
        m_table->setItem(i, 1, new QTableWidgetItem(rows[i].second));
    }
    // Never cut a value off: the table is as wide as its columns (the charts
    // give way), with room for the frame and a vertical scroll bar.
    m_table->resizeColumnsToContents();
    m_table->setMinimumWidth(m_table->horizontalHeader()->length() + 2 * m_table->frameWidth()
                             + m_table->verticalScrollBar()->sizeHint().width());
    fillTables();
}

void LocalViewPanel::fillTables()
{
    const metrics::ParticipantRecords *r = records();
    const GlucoseUnit unit = m_units->unit();
    const auto count = [r](auto member) { return r ? int((r->*member).size()) : 0; };
    m_treatmentsModel->reset({ tr("Time (UTC)"), tr("Event"), tr("Insulin (U)"), tr("Carbs (g)") },
                             count(&metrics::ParticipantRecords::treatments), [r](int row, int col) -> QString {
                                 const metrics::Treatment &t = r->treatments[row];
                                 switch (col) {
                                 case 0:
                                     return utcTime(t.utcMs);
                                 case 1:
                                     return t.eventType;
                                 case 2:
                                     return amount(t.insulin);
                                 default:
                                     return amount(t.carbs, 0);
                                 }
                             });
    m_loopModel->reset(
            { tr("Time (UTC)"), tr("IOB (U)"), tr("COB (g)"), tr("Eventual (%1)").arg(unitName(unit)), tr("Decision") },
            count(&metrics::ParticipantRecords::loop), [r, unit](int row, int col) -> QString {
                const metrics::LoopStatus &s = r->loop[row];
                switch (col) {
                case 0:
                    return utcTime(s.utcMs);
                case 1:
                    return amount(s.iob);
                case 2:
                    return amount(s.cob, 0);
                case 3:
                    return std::isnan(s.eventualBg) ? QString() : formatGlucose(s.eventualBg, unit);
                default:
                    return s.decision;
                }
            });
    m_profileModel->reset({ tr("From (UTC)"), tr("Profile"), tr("Units"), tr("Time zone") },
                          count(&metrics::ParticipantRecords::profiles), [r](int row, int col) -> QString {
                              const metrics::ProfileRecord &p = r->profiles[row];
                              switch (col) {
                              case 0:
                                  return utcTime(p.startUtcMs);
                              case 1:
                                  return p.name;
                              case 2:
                                  return p.units;
                              default:
                                  return p.timezone;
                              }
                          });
}

void LocalViewPanel::drawTimeCharts()
{
    const metrics::ParticipantRecords *r = records();
    setChart(m_glucose, glucoseChart(entries(), m_units->unit(), r, m_range));
    m_loop->setVisible(r && !r->loop.isEmpty());
    if (r && !r->loop.isEmpty())
        setChart(m_loop, loopChart(*r, m_range));
    // A rubber-band zoom changes the axis; the new range is then drawn
    // again from the data, at full detail.
    if (auto *axis = qobject_cast<QDateTimeAxis *>(m_glucose->chart()->axes(Qt::Horizontal).value(0))) {
        connect(axis, &QDateTimeAxis::rangeChanged, this, [this](const QDateTime &min, const QDateTime &max) {
            const TimeRange shown { min.toMSecsSinceEpoch(), max.toMSecsSinceEpoch() };
            if (shown.fromMs != m_range.fromMs || shown.toMs != m_range.toMs) {
                m_pending = shown;
                m_redraw.start();
            }
        });
    }
}

void LocalViewPanel::setRange(TimeRange range)
{
    if (!m_data)
        return;
    if (range.span() < shortestSpanMs) {
        const qint64 middle = range.fromMs + range.span() / 2;
        range = { middle - shortestSpanMs / 2, middle + shortestSpanMs / 2 };
    }
    m_range = range;
    drawTimeCharts();
}

void LocalViewPanel::showWholeRange()
{
    setRange(wholeRange(entries(), records()));
}

void LocalViewPanel::showDay(QDate utcDay)
{
    if (!utcDay.isValid())
        return;
    {
        const QSignalBlocker block(m_day);
        m_day->setDate(utcDay);
    }
    const qint64 from = QDateTime(utcDay, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
    setRange({ from, from + dayMs });
}

void LocalViewPanel::zoom(double factor)
{
    const double middle = double(m_range.fromMs) + double(m_range.span()) / 2.0;
    const double half = double(m_range.span()) * factor / 2.0;
    setRange({ qint64(middle - half), qint64(middle + half) });
}

void LocalViewPanel::pan(double fraction)
{
    const qint64 by = qint64(double(m_range.span()) * fraction);
    setRange({ m_range.fromMs + by, m_range.toMs + by });
}

Status LocalViewPanel::saveAgpReport(const QString &path) const
{
    return writeAgpReport(entries(), m_units->unit(), path);
}

void LocalViewPanel::saveAgpReports(const QString &dir)
{
    if (!m_data || m_nextReport >= 0)
        return;
    if (!QDir().mkpath(dir))
        return say(tr("The folder %1 could not be made.").arg(dir), true);
    m_reportDir = dir;
    m_reportsWritten.clear();
    m_nextReport = 0;
    m_reports->setEnabled(false);
    QTimer::singleShot(0, this, &LocalViewPanel::writeNextReport);
}

void LocalViewPanel::writeNextReport()
{
    const QList<metrics::ParticipantAnalysis> &all = m_data->entries.participants;
    if (m_nextReport >= all.size()) {
        m_nextReport = -1;
        m_reports->setEnabled(true);
        say(tr("%1 AGP reports written to %2.").arg(m_reportsWritten.size()).arg(m_reportDir));
        emit reportsWritten(m_reportsWritten);
        return;
    }
    const metrics::ParticipantAnalysis &p = all[m_nextReport++];
    const QString path = QDir(m_reportDir).filePath(agpReportFileName(p.participant));
    say(tr("Writing the AGP report of participant %1 (%2 of %3)…")
                .arg(p.participant)
                .arg(m_nextReport)
                .arg(all.size()));
    if (Status status = writeAgpReport(p, m_units->unit(), path); !status) {
        m_nextReport = -1;
        m_reports->setEnabled(true);
        say(status.error().message, true);
        emit reportsWritten(m_reportsWritten);
        return;
    }
    m_reportsWritten.append(path);
    QTimer::singleShot(0, this, &LocalViewPanel::writeNextReport);
}

void LocalViewPanel::askForReport()
{
    auto *dialog = new QFileDialog(this, tr("Save the AGP report"), agpReportFileName(currentParticipant()),
                                   tr("PDF files (*.pdf)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(QStringLiteral("pdf"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        const Status status = saveAgpReport(path);
        say(status ? tr("AGP report written to %1.").arg(path) : status.error().message, !status);
    });
    dialog->open();
}

void LocalViewPanel::askForReports()
{
    auto *dialog = new QFileDialog(this, tr("Folder for the AGP reports"));
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, &LocalViewPanel::saveAgpReports);
    dialog->open();
}

bool LocalViewPanel::eventFilter(QObject *watched, QEvent *event)
{
    // With a rubber band, QChartView zooms out on a right click; here the
    // right button opens the export menu and nothing else.
    if (watched == m_glucose->viewport() && event->type() == QEvent::MouseButtonRelease
        && static_cast<QMouseEvent *>(event)->button() == Qt::RightButton)
        return true;
    if (watched == m_glucose && event->type() == QEvent::Wheel) {
        zoom(static_cast<QWheelEvent *>(event)->angleDelta().y() > 0 ? 0.8 : 1.25);
        return true;
    }
    if (watched == m_glucose && event->type() == QEvent::KeyPress) {
        switch (static_cast<QKeyEvent *>(event)->key()) {
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoom(0.5);
            return true;
        case Qt::Key_Minus:
            zoom(2);
            return true;
        case Qt::Key_Left:
            pan(-0.25);
            return true;
        case Qt::Key_Right:
            pan(0.25);
            return true;
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace openaps::desktop
