#pragma once

#include "charts.h"
#include "metrics/localdata.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include <atomic>
#include <memory>

class QChart;
class QChartView;
class QComboBox;
class QDateEdit;
class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;
class QTableWidget;

namespace openaps::desktop {

class TableModel;
class Units;

// Charts and tables of downloaded files, computed on this machine: entries,
// treatments, device status and profile downloads of the same participants
// opened together (CSV or NDJSON, plain or gzip). Loading runs on a worker
// thread (QtConcurrent) with a progress bar; the GUI only draws what the
// core library computed, decimated to what a chart can show. The glucose
// and loop charts show the whole range or one day and zoom (rubber band,
// wheel, +/-) and pan (arrow keys, buttons); glucose follows `units`.
class LocalViewPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalViewPanel)

public:
    explicit LocalViewPanel(Units *units = nullptr, QWidget *parent = nullptr);
    ~LocalViewPanel() override;

    void loadFile(const QString &path) { loadFiles({ path }); }
    void loadFiles(const QStringList &paths);
    bool isLoading() const { return m_watcher.isRunning(); }
    // The loaded files, or null.
    const metrics::LocalData *data() const { return m_data.get(); }
    const metrics::EntriesAnalysis *analysis() const { return m_data ? &m_data->entries : nullptr; }
    QString currentParticipant() const;
    void showParticipant(const QString &participant);

    // What the glucose and loop charts show (UTC).
    TimeRange range() const { return m_range; }
    void setRange(TimeRange range);
    void showWholeRange();
    void showDay(QDate utcDay);
    void zoom(double factor); // < 1 zooms in, around the middle
    void pan(double fraction); // of the shown span; negative: earlier

    // The AGP report PDF of the shown participant (agpreport.h), in the
    // current units.
    Status saveAgpReport(const QString &path) const;
    // One report per participant with readings into `dir`, one after the
    // other from the event loop (the GUI stays responsive); reportsWritten()
    // at the end with the files written.
    void saveAgpReports(const QString &dir);

signals:
    void loaded(); // after a load finished, also when it failed
    void reportsWritten(const QStringList &paths);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

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
    void drawTimeCharts();
    void fillTables();
    void writeNextReport();
    void askForReport();
    void askForReports();
    const metrics::ParticipantAnalysis &entries() const;
    const metrics::ParticipantRecords *records() const;

    Units *m_units;
    QPushButton *m_open;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_status;
    QComboBox *m_participant;
    QPushButton *m_whole;
    QDateEdit *m_day;
    QChartView *m_glucose;
    QChartView *m_loop;
    QChartView *m_agp;
    QChartView *m_ranges;
    QTabWidget *m_tables;
    QTableWidget *m_table;
    TableModel *m_treatmentsModel;
    TableModel *m_loopModel;
    TableModel *m_profileModel;
    QFutureWatcher<Result<metrics::LocalData>> m_watcher;
    std::shared_ptr<LoadState> m_state;
    qint64 m_fileSize = 0;
    QTimer m_poll;
    QTimer m_redraw; // after a rubber-band zoom, draws the new range at full detail
    TimeRange m_range;
    TimeRange m_pending;
    std::unique_ptr<metrics::LocalData> m_data;
    QPushButton *m_report;
    QPushButton *m_reports;
    QString m_reportDir;
    int m_nextReport = -1;
    QStringList m_reportsWritten;
    metrics::ParticipantAnalysis m_noEntries;
};

} // namespace openaps::desktop
