#include "localviewpanel.h"

#include "charts.h"

#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace openaps::desktop {

namespace {
template <typename W> W *named(W *widget, const char *name)
{
    widget->setObjectName(QString::fromLatin1(name));
    return widget;
}
} // namespace

LocalViewPanel::LocalViewPanel(QWidget *parent)
    : QWidget(parent),
      m_open(named(new QPushButton(tr("Open a downloaded entries CSV…")), "openFile")),
      m_cancel(named(new QPushButton(tr("Stop loading")), "cancelLoad")),
      m_progress(named(new QProgressBar, "loadProgress")),
      m_status(named(new QLabel, "loadStatus")),
      m_participant(named(new QComboBox, "participant")),
      m_glucose(named(new QChartView, "glucoseChart")),
      m_agp(named(new QChartView, "agpChart")),
      m_ranges(named(new QChartView, "rangeChart")),
      m_table(named(new QTableWidget(0, 2), "metricsTable"))
{
    m_cancel->setEnabled(false);
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_status->setWordWrap(true);
    m_status->setText(tr("Download an entries file as CSV, then open it here to see charts and metrics."));
    m_table->setHorizontalHeaderLabels({ tr("Metric"), tr("Value") });
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (QChartView *view : { m_glucose, m_agp, m_ranges }) {
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(220);
    }

    auto *top = new QHBoxLayout;
    top->addWidget(m_open);
    top->addWidget(m_cancel);
    top->addWidget(m_progress, 1);
    auto *pick = new QHBoxLayout;
    pick->addWidget(new QLabel(tr("Participant")));
    pick->addWidget(m_participant, 1);
    auto *grid = new QGridLayout;
    grid->addWidget(m_glucose, 0, 0, 1, 2);
    grid->addWidget(m_agp, 1, 0);
    grid->addWidget(m_ranges, 1, 1);
    auto *side = new QVBoxLayout;
    side->addLayout(pick);
    side->addWidget(m_table);
    auto *body = new QHBoxLayout;
    body->addLayout(grid, 3);
    body->addLayout(side, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addLayout(body, 1);

    m_poll.setInterval(100);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_state && m_fileSize > 0)
            m_progress->setValue(int(std::min<qint64>(99, m_state->bytes * 100 / m_fileSize)));
    });
    connect(&m_watcher, &QFutureWatcher<Result<metrics::EntriesAnalysis>>::finished, this, &LocalViewPanel::onLoaded);
    connect(m_open, &QPushButton::clicked, this, &LocalViewPanel::onOpen);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_state)
            m_state->cancel = true;
    });
    connect(m_participant, &QComboBox::currentIndexChanged, this, &LocalViewPanel::onParticipant);
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
    auto *dialog = new QFileDialog(this, tr("Open an entries CSV"), QString(),
                                   tr("CSV files (*.csv *.csv.gz);;All files (*)"));
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, &LocalViewPanel::loadFile);
    dialog->open();
}

void LocalViewPanel::loadFile(const QString &path)
{
    if (m_watcher.isRunning())
        return say(tr("A file is still loading. Stop it first."), true);
    m_fileSize = QFileInfo(path).size();
    m_state = std::make_shared<LoadState>();
    m_progress->setValue(0);
    m_open->setEnabled(false);
    m_cancel->setEnabled(true);
    say(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    m_watcher.setFuture(QtConcurrent::run([path, state = m_state] {
        return metrics::analyseEntriesFile(path, [state](qint64 bytes) {
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
    Result<metrics::EntriesAnalysis> result = m_watcher.result();
    if (!result) {
        m_progress->setValue(0);
        say(result.error().message, result.error().code != QLatin1String("cancelled"));
        emit loaded();
        return;
    }
    m_progress->setValue(100);
    m_analysis = std::make_unique<metrics::EntriesAnalysis>(std::move(*result));
    const QLocale locale;
    say(tr("%1 rows, %2 participants; %3 rows without a glucose value or time were left out.")
                .arg(locale.toString(m_analysis->rows))
                .arg(m_analysis->participants.size())
                .arg(locale.toString(m_analysis->skipped)));
    QSignalBlocker block(m_participant);
    m_participant->clear();
    for (const metrics::ParticipantAnalysis &p : std::as_const(m_analysis->participants))
        m_participant->addItem(p.participant);
    block.unblock();
    onParticipant(m_participant->count() > 0 ? 0 : -1);
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

void LocalViewPanel::setChart(QChartView *view, QChart *chart)
{
    QChart *old = view->chart();
    view->setChart(chart);
    delete old;
}

void LocalViewPanel::onParticipant(int index)
{
    if (!m_analysis || index < 0 || index >= m_analysis->participants.size()) {
        m_table->setRowCount(0);
        return;
    }
    const metrics::ParticipantAnalysis &p = m_analysis->participants[index];
    setChart(m_glucose, glucoseChart(p));
    setChart(m_agp, agpChart(p));
    setChart(m_ranges, rangeChart(p.summary));
    const auto rows = metricRows(p.summary);
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
}

} // namespace openaps::desktop
