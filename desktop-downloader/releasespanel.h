#pragma once

#include "appcontext.h"
#include "researcher/releasejob.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace openaps::desktop {

// Releases (README "Releases"): several data sets from one moment in one
// checksummed zip. Ask the server for one, follow it while it is built,
// download it (a cut download continues where it stopped, also after the
// program restarted) and check it against its manifest; the releases on
// the server and the verified ones in the folder (the local library).
class ReleasesPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReleasesPanel)

public:
    explicit ReleasesPanel(AppContext context, QWidget *parent = nullptr);

    void refresh(); // data sets and releases (after signing in)
    void clear(); // signed out
    researcher::ReleaseJob *currentJob() const { return m_job; }

private:
    void onCreate();
    void onDownload();
    void start(researcher::ReleaseJob *job);
    void onProgress();
    void onFinished();
    void refreshReleases();
    void refreshLibrary();
    void say(const QString &text, bool isError = false);

    AppContext m_context;
    QListWidget *m_datasets;
    QComboBox *m_format;
    QCheckBox *m_deflate;
    QLineEdit *m_folder;
    QPushButton *m_create;
    QPushButton *m_download;
    QPushButton *m_cancel;
    QTableWidget *m_releases;
    QProgressBar *m_progress;
    QLabel *m_status;
    QListWidget *m_library;
    QPointer<researcher::ReleaseJob> m_job;
};

} // namespace openaps::desktop
