// The real downloader window against a stand-in that answers as the API
// contract says, for what the real server cannot be made to do on demand:
// a slow stream to cancel, a stream cut off midway, tokens expiring.

#include "adminpanel.h"
#include "applydialog.h"
#include "charts.h"
#include "cohortanswers.h"
#include "contractserver.h"
#include "dashboardspanel.h"
#include "desktoptest.h"
#include "downloadpanel.h"
#include "localviewpanel.h"
#include "participantspanel.h"
#include "releasespanel.h"
#include "researcher/apiclient.h"
#include "seedreadings.h"
#include "testfiles.h"
#include "turncounter.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>

#include <sys/stat.h>

using namespace openaps;
using namespace openaps::test;

namespace {
const QString adminEmail = QStringLiteral("ada@example.org");
const QString password = QStringLiteral("correct horse battery");

// A release zip as the server writes it (entries.csv, manifest.json); the
// manifest's SHA-256 of entries.csv is `listedSha` when given (a zip that
// disagrees with its manifest).
QByteArray releaseZip(const QDir &dir, const QByteArray &entries, const QByteArray &listedSha = {})
{
    const QJsonObject manifest {
        { QStringLiteral("release"), 7 },
        { QStringLiteral("datasets"), QJsonArray { QStringLiteral("entries") } },
        { QStringLiteral("files"),
          QJsonArray { QJsonObject {
                  { QStringLiteral("name"), QStringLiteral("entries.csv") },
                  { QStringLiteral("rows"), entries.count('\n') - 1 },
                  { QStringLiteral("bytes"), entries.size() },
                  { QStringLiteral("sha256"),
                    QString::fromLatin1(listedSha.isEmpty()
                                                ? QCryptographicHash::hash(entries, QCryptographicHash::Sha256).toHex()
                                                : listedSha) } } } },
        { QStringLiteral("filters"), QJsonObject {} },
        { QStringLiteral("compression"), QStringLiteral("deflate") },
        { QStringLiteral("scope"), QStringLiteral("all") },
        { QStringLiteral("snapshot_at"), QStringLiteral("2026-11-30T12:00:00.000Z") },
        { QStringLiteral("withdrawn_participants"), QJsonArray {} },
    };
    const QString path = writeZip(dir.filePath(QStringLiteral("made.zip")),
                                  { { QStringLiteral("entries.csv"), entries },
                                    { QStringLiteral("manifest.json"), QJsonDocument(manifest).toJson() } });
    return readFile(path);
}
} // namespace

class TestDownloaderStandIn final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ContractServer> m_server;
    std::unique_ptr<Downloader> m_app;
    QSettings *m_settings = nullptr;
    researcher::ApiClient *m_api = nullptr;
    desktop::MainWindow *m_window = nullptr;
    QMap<QString, QList<metrics::Reading>> m_readings;

    QString folder() const { return m_dir->filePath(QStringLiteral("downloads")); }
    desktop::DownloadPanel *panel() const { return m_window->downloadPanel(); }

    void signInAsAdmin()
    {
        signIn(*m_window, m_server->url(), adminEmail, password);
        QTRY_VERIFY(m_api->isSignedIn());
        QTRY_VERIFY(child<QListWidget>(panel(), "datasets")->count() == 6);
        type(panel(), "folder", folder());
    }

    QString status() const { return child<QLabel>(panel(), "status")->text(); }
    QStringList filesInFolder() const
    {
        return QDir(folder()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // What the real server never sends: a release whose file disagrees with
    // its manifest. It stays out of the folder and the library; the same
    // release served whole is checked, enters the library and opens in the
    // local view.
    void releaseFailingItsCheckStaysOutOfTheLibrary()
    {
        const QByteArray entries = m_server->entriesCsv();
        const QJsonObject info { { QStringLiteral("id"), 7 },
                                 { QStringLiteral("state"), QStringLiteral("ready") },
                                 { QStringLiteral("datasets"), QJsonArray { QStringLiteral("entries") } },
                                 { QStringLiteral("rows"), entries.count('\n') - 1 } };
        m_server->setRelease(info, releaseZip(QDir(m_dir->path()), entries, QByteArray(64, 'a')));
        signInAsAdmin();
        desktop::ReleasesPanel *releases = m_window->releasesPanel();
        m_window->tabs()->setCurrentWidget(releases);
        const QString releaseFolder = m_dir->filePath(QStringLiteral("releases"));
        type(releases, "releaseFolder", releaseFolder);
        auto *list = child<QTableWidget>(releases, "serverReleases");
        QTRY_COMPARE(list->rowCount(), 1);
        list->selectRow(0);
        click(releases, "downloadRelease");
        QTRY_VERIFY_WITH_TIMEOUT(child<QPushButton>(releases, "downloadRelease")->isEnabled(), 30000);
        const QString said = child<QLabel>(releases, "releaseStatus")->text();
        QVERIFY2(said.contains(QLatin1String("damaged")) && said.contains(QLatin1String("entries.csv")),
                 qPrintable(said));
        QVERIFY(!QFile::exists(QDir(releaseFolder).filePath(QStringLiteral("release-7.zip"))));
        QCOMPARE(child<QTableWidget>(releases, "library")->rowCount(), 0);

        m_server->setRelease(info, releaseZip(QDir(m_dir->path()), entries));
        list->selectRow(0);
        click(releases, "downloadRelease");
        auto *library = child<QTableWidget>(releases, "library");
        QTRY_COMPARE_WITH_TIMEOUT(library->rowCount(), 1, 30000);
        QCOMPARE(library->item(0, 0)->text(), QStringLiteral("release-7.zip"));
        QCOMPARE(library->item(0, 4)->text(), QLocale().toString(entries.count('\n') - 1));
        QCOMPARE(library->item(0, 5)->text(), QStringLiteral("SHA-256 as in its manifest"));
        library->selectRow(0);
        click(releases, "openLibraryItems");
        desktop::LocalViewPanel *local = m_window->localView();
        QTRY_VERIFY(local->data() && !local->isLoading());
        QCOMPARE(local->data()->participants, (QStringList { QStringLiteral("101"), QStringLiteral("202") }));
        QCOMPARE(local->data()->entries.participants.first().readings.size(),
                 m_readings.value(QStringLiteral("101")).size());
    }

    // A release the server is still building: its rows against the
    // server's estimate in the list, the status line and the progress bar;
    // once ready it is downloaded and checked.
    void releaseProgressWhileTheServerBuildsIt()
    {
        const QByteArray entries = m_server->entriesCsv();
        QJsonObject info { { QStringLiteral("id"), 7 },
                           { QStringLiteral("state"), QStringLiteral("running") },
                           { QStringLiteral("datasets"), QJsonArray { QStringLiteral("entries") } },
                           { QStringLiteral("rows"), 120 },
                           { QStringLiteral("rows_estimate"), 480 } };
        m_server->setRelease(info, {});
        signInAsAdmin();
        desktop::ReleasesPanel *releases = m_window->releasesPanel();
        m_window->tabs()->setCurrentWidget(releases);
        type(releases, "releaseFolder", m_dir->filePath(QStringLiteral("releases")));
        auto *list = child<QTableWidget>(releases, "serverReleases");
        QTRY_COMPARE(list->rowCount(), 1);
        QCOMPARE(list->item(0, 1)->text(), QStringLiteral("running (25 %)"));
        QCOMPARE(list->item(0, 3)->text(), QStringLiteral("120 of about 480"));
        list->selectRow(0);
        click(releases, "downloadRelease");
        auto *status = child<QLabel>(releases, "releaseStatus");
        QTRY_COMPARE(status->text(), QStringLiteral("The server is building release 7: 120 of about 480 rows (25 %)."));
        auto *progress = child<QProgressBar>(releases, "releaseProgress");
        QCOMPARE(progress->maximum(), 100);
        QCOMPARE(progress->value(), 25);
        // Not counted yet: rows so far, the bar busy.
        info.insert(QStringLiteral("rows"), 360);
        info.remove(QStringLiteral("rows_estimate"));
        m_server->setRelease(info, {});
        QTRY_COMPARE_WITH_TIMEOUT(
                status->text(), QStringLiteral("The server is building release 7 (running): 360 rows so far."), 10000);
        QCOMPARE(progress->maximum(), 0);
        QCOMPARE(list->item(0, 3)->text(), QStringLiteral("360"));

        info.insert(QStringLiteral("state"), QStringLiteral("ready"));
        info.insert(QStringLiteral("rows"), entries.count('\n') - 1);
        info.insert(QStringLiteral("rows_estimate"), entries.count('\n') - 1);
        m_server->setRelease(info, releaseZip(QDir(m_dir->path()), entries));
        auto *library = child<QTableWidget>(releases, "library");
        QTRY_COMPARE_WITH_TIMEOUT(library->rowCount(), 1, 30000);
        QCOMPARE(library->item(0, 0)->text(), QStringLiteral("release-7.zip"));
        QTRY_COMPARE(list->item(0, 1)->text(), QStringLiteral("ready"));
        QCOMPARE(progress->value(), progress->maximum());
    }

    // A gzip download's library row holds the rows that arrived, not the
    // server's count taken before (rows came in between).
    void gzipDownloadCountsTheRowsReceived()
    {
        const qint64 sent = m_server->entriesCsv().count('\n') - 1;
        m_server->setCountAnswer(sent - 25);
        signInAsAdmin();
        child<QCheckBox>(panel(), "gzip")->setChecked(true);
        click(panel(), "download");
        QTRY_COMPARE(child<QProgressBar>(panel(), "progress")->value(), 100);
        QVERIFY2(status().startsWith(QStringLiteral("Done: %1 rows, ").arg(QLocale().toString(sent))),
                 qPrintable(status()));
        QVERIFY(panel()->lastFile().endsWith(QLatin1String(".csv.gz")));
        auto *library = child<QTableWidget>(m_window->releasesPanel(), "library");
        QTRY_COMPARE(library->rowCount(), 1);
        QCOMPARE(library->item(0, 4)->text(), QLocale().toString(sent));
    }

    // A line break inside a quoted field (a device's name, LF or CRLF) ends
    // no row: the rows counted while the body arrives, plain or gzip, are
    // the records the CSV reader reads, not its line breaks.
    void quotedLineBreaksAreNoRows_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("plain") << false;
        QTest::newRow("gzip") << true;
    }
    void quotedLineBreaksAreNoRows()
    {
        QFETCH(bool, gzip);
        const QByteArray csv = "user_id,id,sgv,direction,device,type,raw_json,source_entity,date,utc_offset\n"
                               "101,e1,120,Flat,\"xDrip\nG6\",sgv,{},0,2026-11-01T00:00:00.000Z,0\n"
                               "101,e2,121,Flat,\"xDrip\r\nG6, \"\"spare\"\"\",sgv,{},0,2026-11-01T00:05:00.000Z,0\n"
                               "101,e3,122,Flat,xDrip,sgv,{},0,2026-11-01T00:10:00.000Z,0";
        m_server->setEntriesCsv(csv, 3);
        signInAsAdmin();
        child<QCheckBox>(panel(), "gzip")->setChecked(gzip);
        click(panel(), "download");
        QTRY_COMPARE(child<QProgressBar>(panel(), "progress")->value(), 100);
        QVERIFY2(status().startsWith(QStringLiteral("Done: 3 rows, ")), qPrintable(status()));
        auto *library = child<QTableWidget>(m_window->releasesPanel(), "library");
        QTRY_COMPARE(library->rowCount(), 1);
        QCOMPARE(library->item(0, 4)->text(), QStringLiteral("3"));
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_server = std::make_unique<ContractServer>();
        QVERIFY(m_server->listen());
        m_server->addAccount({ 1, QStringLiteral("Ada"), adminEmail, QStringLiteral("Uni"), QStringLiteral("QA"),
                               password, QStringLiteral("approved"), QStringLiteral("all"), true });
        m_server->addAccount({ 2, QStringLiteral("Bob"), QStringLiteral("bob@example.org"), QStringLiteral("Lab"),
                               QStringLiteral("Sleep"), password, QStringLiteral("pending"), QStringLiteral("openaps"),
                               false });
        m_server->addAccount({ 3, QStringLiteral("Carol"), QStringLiteral("carol@example.org"), QStringLiteral("Lab"),
                               QStringLiteral("Meals"), password, QStringLiteral("approved"), QStringLiteral("nsf"),
                               false });
        m_readings = { { QStringLiteral("101"), seedReadings(1) }, { QStringLiteral("202"), seedReadings(2) } };
        m_server->setEntries(m_readings);
        m_app = std::make_unique<Downloader>(m_dir->filePath(QStringLiteral("settings.ini")));
        m_settings = m_app->settings.get();
        m_api = m_app->api.get();
        m_window = m_app->window.get();
    }

    void cleanup()
    {
        m_app.reset();
        m_server.reset();
        m_dir.reset();
    }

    // A cohort of 1,000 (five years of months, forty countries): drawn one
    // chart per turn of the event loop and listed 200 participants per turn
    // (how long a turn takes is the desktop benchmark's), the withheld
    // countries hatched and labelled, never zero; the participants list with
    // its summaries.
    void dashboardsAndParticipantsOfAThousand()
    {
        const auto answers = cohortAnswers(1000);
        m_server->setCohortViews(answers);
        m_server->setParticipants(participantList(1000), participantSummaryNdjson(1000));
        m_window->resize(1400, 900);
        auto *dashboards = m_window->dashboards();
        m_window->tabs()->setCurrentWidget(dashboards);
        QSignalSpy drawn(dashboards, &desktop::DashboardsPanel::refreshed);
        QSignalSpy listed(m_window->participantsPanel(), &desktop::ParticipantsPanel::refreshed);
        TurnCounter charts, slices;
        connect(dashboards, &desktop::DashboardsPanel::chartDrawn, &charts, &TurnCounter::step);
        qsizetype built = 0, largestSlice = 0;
        connect(m_window->participantsPanel(), &desktop::ParticipantsPanel::rowsBuilt, &slices,
                [&](qsizetype now, qsizetype total) {
                    QCOMPARE(total, 1000);
                    largestSlice = std::max(largestSlice, now - built);
                    built = now;
                    slices.step();
                });
        signInAsAdmin();
        QTRY_VERIFY_WITH_TIMEOUT(drawn.size() == 1 && listed.size() == 1, 30000);
        QCOMPARE(charts.steps(), dashboards->chartNames().size());
        QCOMPARE(charts.maxStepsPerTurn(), 1);
        QCOMPARE(built, 1000);
        QCOMPARE(largestSlice, 200);
        QCOMPARE(slices.maxStepsPerTurn(), 1);
        QCOMPARE(child<QLabel>(dashboards, "status")->styleSheet(), QString()); // no error

        QChart *countries = dashboards->chart(QStringLiteral("demographics/country_corrected"));
        QVERIFY(countries);
        QBarSet *shown = nullptr, *hidden = nullptr;
        for (QAbstractSeries *s : countries->series())
            for (QBarSet *set : qobject_cast<QAbstractBarSeries *>(s)->barSets())
                (set->objectName() == QLatin1String("suppressed") ? hidden : shown) = set;
        QVERIFY(shown && hidden);
        const QJsonArray cells = answers.value(QStringLiteral("demographics"))
                                         .value(QLatin1String("groups"))
                                         .toArray()[3][QLatin1String("cells")]
                                         .toArray();
        QCOMPARE(shown->count(), cells.size());
        const QStringList labels = qobject_cast<QBarCategoryAxis *>(countries->axes(Qt::Horizontal).value(0))
                                           ->categories();
        int withheld = 0;
        for (int i = 0; i < cells.size(); ++i) {
            if (cells[i][QLatin1String("suppressed")].toBool()) {
                ++withheld;
                QCOMPARE(hidden->at(i), 5.0);
                QVERIFY(labels[i].endsWith(QLatin1String("(suppressed, < 5)")));
            } else {
                QCOMPARE(shown->at(i), cells[i][QLatin1String("participants")].toDouble());
                QCOMPARE(hidden->at(i), 0.0);
            }
        }
        QVERIFY(withheld >= 2);

        QAbstractItemModel *model = m_window->participantsPanel()->table()->model();
        QCOMPARE(model->rowCount(), 1000);
        const QModelIndexList first = model->match(model->index(0, 0), Qt::DisplayRole, QStringLiteral("100001"));
        QCOMPARE(first.size(), 1);
        const auto at = [&](int column) { return model->index(first[0].row(), column); };
        QCOMPARE(at(desktop::ParticipantsPanel::InRange).data(Qt::UserRole).toDouble(), 51.25);
        QCOMPARE(at(desktop::ParticipantsPanel::BelowRange).data(Qt::UserRole).toDouble(), 3.5);
        QCOMPARE(at(desktop::ParticipantsPanel::Readings).data(Qt::UserRole).toDouble(), 2881.0);
        QCOMPARE(at(desktop::ParticipantsPanel::ActiveCgm).data().toString(), QStringLiteral("–")); // null: no number

        saveScreenshot(m_window, QStringLiteral("desktop-dashboards.png"));
        m_window->tabs()->setCurrentWidget(m_window->participantsPanel());
        QTableView *table = m_window->participantsPanel()->table();
        for (int row : { 1, 2, 4 })
            table->selectionModel()->select(model->index(row, 0),
                                            QItemSelectionModel::Select | QItemSelectionModel::Rows);
        saveScreenshot(m_window, QStringLiteral("desktop-participants.png"));
    }

    void wrongPasswordIsPlainWords()
    {
        signIn(*m_window, m_server->url(), adminEmail, QStringLiteral("not the password"));
        auto *message = child<QLabel>(m_window->signInDialog(), "message");
        QTRY_COMPARE(message->text(), QStringLiteral("The email address or the password is wrong."));
        QVERIFY(m_window->signInDialog()->isVisible());
        QVERIFY(!m_api->isSignedIn());
    }

    void pendingApplicationCannotSignIn()
    {
        signIn(*m_window, m_server->url(), QStringLiteral("bob@example.org"), password);
        QTRY_VERIFY(child<QLabel>(m_window->signInDialog(), "message")
                            ->text()
                            .contains(QLatin1String("not been approved")));
    }

    void settingsKeepAddressAndEmailOnly()
    {
        signInAsAdmin();
        m_settings->sync();
        QCOMPARE(m_settings->value(QStringLiteral("account/email")).toString(), adminEmail);
        QCOMPARE(QUrl(m_settings->value(QStringLiteral("server/url")).toString()), m_server->url());
        QFile ini(m_settings->fileName());
        QVERIFY(ini.open(QIODevice::ReadOnly));
        const QByteArray text = ini.readAll();
        QVERIFY(!text.contains(password.toUtf8()));
        QVERIFY(!text.contains("token"));
    }

    void cancelLeavesNoFile()
    {
        m_server->setStreamMode(ContractServer::StreamMode::Slow);
        signInAsAdmin();
        click(panel(), "download");
        QTRY_VERIFY(panel()->currentJob() && panel()->currentJob()->bytes() > 0);
        QVERIFY(child<QProgressBar>(panel(), "progress")->value() < 100);
        click(panel(), "cancel");
        QTRY_VERIFY(!panel()->currentJob());
        QCOMPARE(status(), QStringLiteral("The download was cancelled."));
        QTRY_COMPARE(filesInFolder(), QStringList());
    }

    void cutOffStreamLeavesNoFile()
    {
        m_server->setStreamMode(ContractServer::StreamMode::CutOff);
        signInAsAdmin();
        click(panel(), "download");
        QTRY_VERIFY(status().contains(QLatin1String("stopped before the end")));
        QCOMPARE(filesInFolder(), QStringList());
        QCOMPARE(child<QProgressBar>(panel(), "progress")->value(), 0);
    }

    void expiredTokenAsksToSignInAgain()
    {
        signInAsAdmin();
        m_server->expireTokens();
        click(panel(), "download");
        QTRY_VERIFY(m_window->signInDialog() && m_window->signInDialog()->isVisible());
        QTRY_COMPARE(child<QLabel>(m_window->signInDialog(), "message")->text(),
                     QStringLiteral("Your sign-in has expired. Please sign in again."));
        QVERIFY(!m_api->isSignedIn());
        QCOMPARE(filesInFolder(), QStringList());
        // Signing in again works and the download goes through.
        type(m_window->signInDialog(), "password", password);
        click(m_window->signInDialog(), "signIn");
        QTRY_VERIFY(m_api->isSignedIn());
        QTRY_VERIFY(child<QListWidget>(panel(), "datasets")->count() == 6);
        click(panel(), "download");
        QTRY_COMPARE(child<QProgressBar>(panel(), "progress")->value(), 100);
    }

    void downloadThenChartsMatchMetrics()
    {
        signInAsAdmin();
        click(panel(), "download");
        QTRY_COMPARE(child<QProgressBar>(panel(), "progress")->value(), 100);
        QVERIFY2(status().startsWith(QLatin1String("Done")), qPrintable(status()));
        QFile file(panel()->lastFile());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), m_server->entriesCsv());
        QCOMPARE(filesInFolder(), QStringList { QFileInfo(file).fileName() });

        click(panel(), "openLocal");
        auto *local = m_window->localView();
        QCOMPARE(m_window->tabs()->currentWidget(), local);
        QTRY_VERIFY(local->analysis() && !local->isLoading());
        QCOMPARE(local->analysis()->participants.size(), 2);
        QCOMPARE(local->analysis()->rows,
                 m_readings.value(QStringLiteral("101")).size() + m_readings.value(QStringLiteral("202")).size());

        local->showParticipant(QStringLiteral("202"));
        const metrics::Summary expected = metrics::summarize(m_readings.value(QStringLiteral("202")));
        QCOMPARE(expected.duplicates, 1);
        const auto rows = desktop::metricRows(expected);
        auto *table = child<QTableWidget>(local, "metricsTable");
        QCOMPARE(table->rowCount(), rows.size());
        for (int i = 0; i < rows.size(); ++i) {
            QCOMPARE(table->item(i, 0)->text(), rows[i].first);
            QCOMPARE(table->item(i, 1)->text(), rows[i].second);
        }
        // The time-in-range bar shows the same five percentages.
        auto *ranges = child<QChartView>(local, "rangeChart")->chart();
        auto *bars = qobject_cast<QStackedBarSeries *>(ranges->series().value(0));
        QVERIFY(bars);
        const double bands[] = { expected.bands.veryLow, expected.bands.low, expected.bands.inRange,
                                 expected.bands.high, expected.bands.veryHigh };
        for (int i = 0; i < 5; ++i)
            QCOMPARE(bars->barSets().at(i)->at(0), bands[i]);
        QVERIFY(expected.bands.veryLow > 0 && expected.bands.veryHigh > 0);
        // The AGP median line is the core library's, bin by bin, in local time.
        const auto bins = metrics::agp(m_readings.value(QStringLiteral("202")));
        auto *median = child<QChartView>(local, "agpChart")->chart()->findChild<QLineSeries *>(QStringLiteral("p50"));
        QVERIFY(median);
        int filled = 0;
        for (const metrics::AgpBin &bin : bins) {
            if (bin.count == 0)
                continue;
            QCOMPARE(median->at(filled).y(), bin.p50);
            ++filled;
        }
        QCOMPARE(median->count(), filled);
    }

    void adminApprovesWithScope()
    {
        signInAsAdmin();
        QVERIFY(m_window->isAdminTabVisible());
        auto *admin = m_window->adminPanel();
        QTRY_VERIFY(admin->select(QStringLiteral("bob@example.org")));
        auto *scope = child<QComboBox>(admin, "scope");
        scope->setCurrentIndex(scope->findData(QStringLiteral("nsf")));
        click(admin, "approve");
        // Approving asks first.
        QTRY_VERIFY(admin->approveQuestion() && admin->approveQuestion()->isVisible());
        admin->approveQuestion()->button(QMessageBox::Yes)->click();
        QTRY_COMPARE(m_server->account(QStringLiteral("bob@example.org"))->status, QStringLiteral("approved"));
        QCOMPARE(m_server->account(QStringLiteral("bob@example.org"))->scope, QStringLiteral("nsf"));
        QTRY_VERIFY(child<QLabel>(admin, "adminMessage")->text().contains(QLatin1String("approved (scope nsf)")));
        // The pending list no longer shows Bob.
        QTRY_VERIFY(!admin->select(QStringLiteral("bob@example.org")));
    }

    void plainHttpToAnotherComputerIsRefused()
    {
        signIn(*m_window, QUrl(QStringLiteral("http://data.example.org")), adminEmail, password);
        auto *message = child<QLabel>(m_window->signInDialog(), "message");
        QTRY_VERIFY(message->isVisible());
        QVERIFY2(message->text().contains(QLatin1String("https://")), qPrintable(message->text()));
        QVERIFY(!m_api->isSignedIn());
        // Loopback stays allowed (the demo, these tests).
        signInAsAdmin();
    }

    void hostileServerNamesStayInTheFolder()
    {
        // A dataset name made to climb out of the folder and trip Windows.
        const QString hostile = QStringLiteral("..\\..\\evil\t:CON");
        m_server->setDatasetNames({ hostile });
        signIn(*m_window, m_server->url(), adminEmail, password);
        QTRY_VERIFY(m_api->isSignedIn());
        QTRY_COMPARE(child<QListWidget>(panel(), "datasets")->count(), 1);
        type(panel(), "folder", folder());
        // A permissive umask: the file and the folder made for it stay private anyway.
        const mode_t previous = ::umask(022);
        auto restore = qScopeGuard([previous] { ::umask(previous); });
        click(panel(), "download");
        QTRY_COMPARE(child<QProgressBar>(panel(), "progress")->value(), 100);
        restore.dismiss();
        ::umask(previous);
        const QString expected = researcher::safeFileNamePart(hostile) + QStringLiteral("_start_now.csv");
        QVERIFY(!expected.contains(QLatin1Char('\\')) && !expected.contains(QLatin1String("..")));
        QCOMPARE(filesInFolder(), QStringList { expected });
        QCOMPARE(QFileInfo(panel()->lastFile()).absolutePath(), QDir(folder()).absolutePath());
        // Nothing was written beside the folder.
        QCOMPARE(QDir(m_dir->path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 (QStringList { QStringLiteral("downloads"), QStringLiteral("settings.ini") }));
        const auto mode = [](const QString &path) {
            struct stat info
            {
            };
            return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 0777) : -1;
        };
        QCOMPARE(mode(panel()->lastFile()), 0600);
        QCOMPARE(mode(folder()), 0700);
    }

    void spreadsheetSafeByDefaultForCsv()
    {
        signInAsAdmin();
        QVERIFY(child<QCheckBox>(panel(), "spreadsheetSafe")->isChecked());
        click(panel(), "download");
        QTRY_COMPARE(child<QProgressBar>(panel(), "progress")->value(), 100);
        QCOMPARE(m_server->lastExportQuery().queryItemValue(QStringLiteral("spreadsheet_safe")), QStringLiteral("1"));
        // NDJSON has no such option.
        auto *format = child<QComboBox>(panel(), "format");
        format->setCurrentIndex(format->findData(QStringLiteral("ndjson")));
        QVERIFY(!child<QCheckBox>(panel(), "spreadsheetSafe")->isEnabled());
        click(panel(), "download");
        QTRY_COMPARE(m_server->lastExportQuery().queryItemValue(QStringLiteral("format")), QStringLiteral("ndjson"));
        QVERIFY(!m_server->lastExportQuery().hasQueryItem(QStringLiteral("spreadsheet_safe")));
    }

    void noAdminTabForResearchers()
    {
        signIn(*m_window, m_server->url(), QStringLiteral("carol@example.org"), password);
        QTRY_VERIFY(m_api->isSignedIn());
        QVERIFY(!m_window->isAdminTabVisible());
    }

    void applyAndConfirmCode()
    {
        QTRY_VERIFY(m_window->signInDialog());
        type(m_window->signInDialog(), "serverUrl", m_server->url().toString());
        click(m_window->signInDialog(), "apply");
        QTRY_VERIFY(m_window->applyDialog() && m_window->applyDialog()->isVisible());
        QWidget *dialog = m_window->applyDialog();
        type(dialog, "name", QStringLiteral("Dan"));
        type(dialog, "email", QStringLiteral("dan@example.org"));
        type(dialog, "institution", QStringLiteral("Clinic"));
        QTest::keyClicks(child(dialog, "purpose"), QStringLiteral("Night-time lows"));
        type(dialog, "phone", QStringLiteral("+1 555 0100"));
        QTRY_VERIFY(child<QCheckBox>(dialog, "acceptTerms")->isEnabled());
        child<QCheckBox>(dialog, "acceptTerms")->setChecked(true);
        type(dialog, "password", QStringLiteral("short"));
        type(dialog, "repeatPassword", QStringLiteral("short"));
        click(dialog, "submit");
        QVERIFY(child<QLabel>(dialog, "formMessage")->text().contains(QLatin1String("too short")));
        type(dialog, "password", password);
        type(dialog, "repeatPassword", password);
        click(dialog, "submit");
        auto *apply = qobject_cast<desktop::ApplyDialog *>(dialog);
        QTRY_COMPARE(apply->page(), int(desktop::ApplyDialog::CodePage));
        QCOMPARE(m_server->account(QStringLiteral("dan@example.org"))->status, QStringLiteral("unverified"));
        type(dialog, "code", QStringLiteral("000000"));
        click(dialog, "verify");
        QTRY_VERIFY(child<QLabel>(dialog, "codeMessage")->text().contains(QLatin1String("tries remain")));
        type(dialog, "code", m_server->lastCode());
        click(dialog, "verify");
        QTRY_COMPARE(apply->page(), int(desktop::ApplyDialog::DonePage));
        QCOMPARE(m_server->account(QStringLiteral("dan@example.org"))->status, QStringLiteral("pending"));
    }
};

QTEST_MAIN(TestDownloaderStandIn)
#include "tst_downloaderstandin.moc"
