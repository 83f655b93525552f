#pragma once

#include "metrics/entriesanalysis.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include <atomic>
#include <memory>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace openaps::desktop {

// Charts and metrics of a downloaded entries CSV, computed on this machine.
// Loading runs on a worker thread (QtConcurrent) with a progress bar; the
// GUI only draws what the core library computed.
class LocalViewPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalViewPanel)

public:
    explicit LocalViewPanel(QWidget *parent = nullptr);
    ~LocalViewPanel() override;

    void loadFile(const QString &path);
    bool isLoading() const { return m_watcher.isRunning(); }
    // The loaded file's analysis, or null.
    const metrics::EntriesAnalysis *analysis() const { return m_analysis.get(); }
    QString currentParticipant() const;
    void showParticipant(const QString &participant);

signals:
    void loaded(); // after a load finished, also when it failed

private:
    struct LoadState
    {
        std::atomic<qint64> bytes { 0 };
        std::atomic<bool> cancel { false };
    };
    void onLoaded();
    void onParticipant(int index);
    void onOpen();
    void say(const QString &text, bool isError = false);
    void setChart(QChartView *view, QChart *chart);

    QPushButton *m_open;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_status;
    QComboBox *m_participant;
    QChartView *m_glucose;
    QChartView *m_agp;
    QChartView *m_ranges;
    QTableWidget *m_table;
    QFutureWatcher<Result<metrics::EntriesAnalysis>> m_watcher;
    std::shared_ptr<LoadState> m_state;
    qint64 m_fileSize = 0;
    QTimer m_poll;
    std::unique_ptr<metrics::EntriesAnalysis> m_analysis;
};

} // namespace openaps::desktop
