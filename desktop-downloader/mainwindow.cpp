#include "mainwindow.h"

#include "adminpanel.h"
#include "applydialog.h"
#include "dashboardspanel.h"
#include "downloadpanel.h"
#include "library.h"
#include "localviewpanel.h"
#include "participantspanel.h"
#include "releasespanel.h"
#include "researcher/apiclient.h"
#include "resetpassworddialog.h"
#include "signindialog.h"
#include "units.h"

#include <QComboBox>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

namespace openaps::desktop {

namespace {
AppContext withDefaults(AppContext context, QObject *owner)
{
    if (!context.units)
        context.units = new Units(context.settings, owner);
    if (!context.library)
        context.library = new Library(context.settings, owner);
    return context;
}
} // namespace

MainWindow::MainWindow(AppContext context, QWidget *parent)
    : QMainWindow(parent),
      m_context(withDefaults(context, this)),
      m_tabs(new QTabWidget),
      m_download(new DownloadPanel(m_context)),
      m_local(new LocalViewPanel(m_context.units)),
      m_admin(new AdminPanel(m_context)),
      m_releases(new ReleasesPanel(m_context)),
      m_dashboards(new DashboardsPanel(m_context)),
      m_participants(new ParticipantsPanel(m_context)),
      m_who(new QLabel)
{
    setWindowTitle(tr("OpenAPS Data Commons downloader"));
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_who->setObjectName(QStringLiteral("who"));
    m_tabs->addTab(m_download, tr("Download"));
    m_tabs->addTab(m_dashboards, tr("Dashboards"));
    m_tabs->addTab(m_participants, tr("Participants"));
    m_tabs->addTab(m_local, tr("Local view"));
    m_tabs->addTab(m_releases, tr("Releases"));
    m_tabs->addTab(m_admin, tr("Admin"));
    m_tabs->setTabVisible(m_tabs->indexOf(m_admin), false);
    setCentralWidget(m_tabs);
    statusBar()->addPermanentWidget(m_who);

    auto *toolbar = addToolBar(tr("Account"));
    toolbar->setObjectName(QStringLiteral("accountToolbar"));
    m_signInAction = toolbar->addAction(tr("Sign in…"), this, [this] { showSignIn(); });
    m_signOutAction = toolbar->addAction(tr("Sign out"), this,
                                         [this] { m_context.api->logout(this, [](const Status &) {}); });
    m_signInAction->setObjectName(QStringLiteral("signInAction"));
    m_signOutAction->setObjectName(QStringLiteral("signOutAction"));
    auto *apply = toolbar->addAction(tr("Apply for access…"), this, &MainWindow::showApply);
    apply->setObjectName(QStringLiteral("applyAction"));
    m_signOutAction->setEnabled(false);
    addUnitsSwitch();

    connect(m_context.api, &researcher::ApiClient::signInRequired, this, &MainWindow::onSignInRequired);
    connect(m_context.api, &researcher::ApiClient::signedInChanged, this, [this](bool signedIn) {
        if (!signedIn)
            onSignedOut();
    });
    connect(m_download, &DownloadPanel::openInLocalView, this, [this](const QString &path) {
        m_tabs->setCurrentWidget(m_local);
        m_local->loadFile(path);
    });
    connect(m_releases, &ReleasesPanel::openInLocalView, this, [this](const QStringList &paths) {
        m_tabs->setCurrentWidget(m_local);
        m_local->loadFiles(paths);
    });
    connect(m_participants, &ParticipantsPanel::openInLocalView, this, [this](const QString &path) {
        m_tabs->setCurrentWidget(m_local);
        m_local->loadFile(path);
    });
    connect(m_participants, &ParticipantsPanel::downloadRequested, this, [this](const QStringList &ids) {
        m_download->setParticipants(ids);
        m_tabs->setCurrentWidget(m_download);
    });
    onSignedOut();
    resize(1100, 760);
}

void MainWindow::addUnitsSwitch()
{
    auto *toolbar = addToolBar(tr("Units"));
    toolbar->setObjectName(QStringLiteral("unitsToolbar"));
    auto *unitsSwitch = new QComboBox;
    unitsSwitch->setObjectName(QStringLiteral("unitsSwitch"));
    unitsSwitch->setToolTip(tr("Glucose in every chart, table and report"));
    unitsSwitch->addItem(unitName(GlucoseUnit::MgDl), int(GlucoseUnit::MgDl));
    unitsSwitch->addItem(unitName(GlucoseUnit::MmolL), int(GlucoseUnit::MmolL));
    unitsSwitch->setCurrentIndex(unitsSwitch->findData(int(m_context.units->unit())));
    toolbar->addWidget(unitsSwitch);
    connect(unitsSwitch, &QComboBox::currentIndexChanged, this,
            [this, unitsSwitch] { m_context.units->setUnit(GlucoseUnit(unitsSwitch->currentData().toInt())); });
}

bool MainWindow::isAdminTabVisible() const
{
    return m_tabs->isTabVisible(m_tabs->indexOf(m_admin));
}

void MainWindow::showSignIn(const QString &message)
{
    if (!m_signIn) {
        m_signIn = new SignInDialog(m_context, this);
        m_signIn->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_signIn, &QDialog::accepted, this, &MainWindow::onSignedIn);
        connect(m_signIn, &SignInDialog::applyRequested, this, &MainWindow::showApply);
        connect(m_signIn, &SignInDialog::resetRequested, this, &MainWindow::showReset);
    }
    m_signIn->setMessage(message);
    m_signIn->open();
    m_signIn->raise();
}

void MainWindow::showApply()
{
    QString error;
    const QString typed = m_signIn ? m_signIn->serverUrlText()
                                   : m_context.settings->value(QStringLiteral("server/url")).toString();
    const QUrl server = parseServerUrl(typed, &error);
    if (server.isEmpty())
        return showSignIn(typed.trimmed().isEmpty()
                                  ? tr("Enter the server address first, then choose \"Apply for access\".")
                                  : error);
    auto *dialog = new ApplyDialog(m_context, server, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_apply = dialog;
    dialog->open();
}

void MainWindow::showReset()
{
    QString error;
    const QUrl server = parseServerUrl(m_signIn ? m_signIn->serverUrlText() : QString(), &error);
    if (server.isEmpty())
        return showSignIn(error);
    auto *dialog = new ResetPasswordDialog(m_context, server,
                                           m_context.settings->value(QStringLiteral("account/email")).toString(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::onSignedIn()
{
    const researcher::Account &me = m_context.api->account();
    m_who->setText(tr("Signed in as %1 (%2 data) at %3")
                           .arg(me.name.isEmpty() ? me.email : me.name, me.scope, m_context.api->serverUrl().host()));
    m_signInAction->setEnabled(false);
    m_signOutAction->setEnabled(true);
    m_tabs->setTabVisible(m_tabs->indexOf(m_admin), me.isAdmin);
    m_download->refresh();
    m_releases->refresh();
    m_dashboards->refresh();
    m_participants->refresh();
    if (me.isAdmin)
        m_admin->refresh();
}

void MainWindow::onSignedOut()
{
    m_who->setText(tr("Not signed in"));
    m_signInAction->setEnabled(true);
    m_signOutAction->setEnabled(false);
    m_tabs->setTabVisible(m_tabs->indexOf(m_admin), false);
    m_download->clear();
    m_releases->clear();
    m_dashboards->clear();
    m_participants->clear();
}

void MainWindow::onSignInRequired(const QString &message)
{
    onSignedOut();
    showSignIn(message);
}

} // namespace openaps::desktop
