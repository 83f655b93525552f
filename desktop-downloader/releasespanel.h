#pragma once

#include "appcontext.h"
#include "researcher/releasejob.h"
#include "withdrawaldialog.h"

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
// the server; and the local library (library.h): every download and
// checked release, opened in the local view from there. When a release
// names withdrawn participants, the library's files holding their rows are
// offered for deletion (WithdrawalDialog).
class ReleasesPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReleasesPanel)

public:
    explicit ReleasesPanel(AppContext context, QWidget *parent = nullptr);

    void refresh(); // data sets and releases (after signing in)
    void clear(); // signed out
    researcher::ReleaseJob *currentJob() const { return m_job; }
    // Looks for rows of the withdrawn participants the library remembers and
    // offers to delete them (after a release named some; or on request).
    void offerWithdrawals();

signals:
    void openInLocalView(const QStringList &paths);
    void withdrawalsDone(); // after a search or deletion for withdrawn participants ended

private:
    void onCreate();
    void onDownload();
    void start(researcher::ReleaseJob *job);
    void onProgress();
    void onFinished();
    void refreshReleases();
    void showRelease(int row, const researcher::ReleaseInfo &release);
    void showFollowedRelease();
    void refreshLibrary();
    void addToLibrary(const researcher::ReleaseJob &job) const;
    void onOpenLibraryItems();
    void onWithdrawnFound(const QStringList &pseudonyms, const QList<WithdrawnRows> &found);
    void deleteWithdrawn(const QStringList &pseudonyms, const QList<WithdrawnRows> &found,
                         WithdrawalDialog::Choice choice);
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
    QTableWidget *m_library;
    QPushButton *m_openLibrary;
    QPushButton *m_withdrawals;
    QPointer<researcher::ReleaseJob> m_job;
};

} // namespace openaps::desktop
