#pragma once

#include "appcontext.h"
#include "researcher/downloadjob.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace openaps::desktop {

// The data sets the server offers, the filters, the destination folder, and
// one download at a time with its progress and a Cancel button.
class DownloadPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadPanel)

public:
    explicit DownloadPanel(AppContext context, QWidget *parent = nullptr);

    void refresh(); // asks the server for its data sets (after signing in)
    void clear(); // signed out
    // Fills the participant ids (from the Participants tab).
    void setParticipants(const QStringList &ids);
    researcher::DownloadJob *currentJob() const { return m_job; }
    QString lastFile() const { return m_lastFile; }

signals:
    void openInLocalView(const QString &path);

private:
    std::optional<researcher::ExportFilter> filter();
    void onDownload();
    void onCount();
    void onProgress();
    void onFinished();
    void onBrowse();
    void say(const QString &text, bool isError = false);

    AppContext m_context;
    QListWidget *m_datasets;
    QCheckBox *m_limitDates;
    QDateEdit *m_from;
    QDateEdit *m_to;
    QLineEdit *m_participants;
    QComboBox *m_format;
    QCheckBox *m_gzip;
    QCheckBox *m_spreadsheetSafe;
    QLineEdit *m_folder;
    QPushButton *m_download;
    QPushButton *m_cancel;
    QPushButton *m_openLocal;
    QProgressBar *m_progress;
    QLabel *m_status;
    QPointer<researcher::DownloadJob> m_job;
    QString m_lastFile;
};

} // namespace openaps::desktop
