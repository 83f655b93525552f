#pragma once

#include "appcontext.h"
#include "signindialog.h"

#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QTabWidget;

namespace openaps::desktop {

class AdminPanel;
class ReleasesPanel;
class DashboardsPanel;
class DownloadPanel;
class LocalViewPanel;
class ParticipantsPanel;

// The downloader's window: Download, Dashboards, Participants, Local view
// and (for administrators) Admin tabs, and the sign-in flow around them. Whenever the server says the
// sign-in expired, the sign-in dialog comes back with that message.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(AppContext context, QWidget *parent = nullptr);

    // Opens the sign-in dialog (non-modal to the event loop: open(), not exec()).
    void showSignIn(const QString &message = {});
    SignInDialog *signInDialog() const { return m_signIn; }
    QWidget *applyDialog() const { return m_apply; }
    DownloadPanel *downloadPanel() const { return m_download; }
    LocalViewPanel *localView() const { return m_local; }
    AdminPanel *adminPanel() const { return m_admin; }
    ReleasesPanel *releasesPanel() const { return m_releases; }
    DashboardsPanel *dashboards() const { return m_dashboards; }
    ParticipantsPanel *participantsPanel() const { return m_participants; }
    QTabWidget *tabs() const { return m_tabs; }
    bool isAdminTabVisible() const;
    Units *units() const { return m_context.units; }

private:
    void addUnitsSwitch();
    void onSignedIn();
    void onSignedOut();
    void onSignInRequired(const QString &message);
    void showApply();
    void showReset();

    AppContext m_context;
    QTabWidget *m_tabs;
    DownloadPanel *m_download;
    LocalViewPanel *m_local;
    AdminPanel *m_admin;
    ReleasesPanel *m_releases;
    DashboardsPanel *m_dashboards;
    ParticipantsPanel *m_participants;
    QLabel *m_who;
    QAction *m_signInAction;
    QAction *m_signOutAction;
    QPointer<SignInDialog> m_signIn;
    QPointer<QWidget> m_apply;
};

} // namespace openaps::desktop
