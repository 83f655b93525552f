// The downloader's Releases tab and library against the real server
// (ServerRuntime on a throw-away SQLite or PostgreSQL database, real
// sign-in): ask for a release, follow it, download and check it; it lands
// in the folder and the library, and the server's list shows it ready.
// An erasure between two releases: the second names the participant
// withdrawn, and the library's files holding their rows are offered for
// deletion (rows, then whole files); every library entry opens in the local
// view.

#include "api/release/releaseapi.h"
#include "api/researcherstore.h"
#include "app/serverruntime.h"
#include "crypto/secrets.h"
#include "db/migrations.h"
#include "desktoptest.h"
#include "downloadpanel.h"
#include "library.h"
#include "localviewpanel.h"
#include "privacy/participantdata.h"
#include "releasespanel.h"
#include "testdatabase.h"
#include "testfiles.h"
#include "withdrawaldialog.h"

#include "core/gzip.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>

#include <future>
#include <optional>

using namespace openaps;
using namespace openaps::test;
using namespace Qt::StringLiterals;

namespace {

// The user_id column of a CSV export's rows.
QStringList csvUsers(const QByteArray &csv)
{
    QStringList users;
    const QList<QByteArray> lines = csv.trimmed().split('\n');
    const int column = int(QString::fromUtf8(lines.value(0)).trimmed().split(u',').indexOf(u"user_id"_s));
    for (qsizetype i = 1; i < lines.size(); ++i)
        users << QString::fromUtf8(lines[i].split(',').value(column));
    return users;
}

class Fixture
{
public:
    explicit Fixture(const QString &backend) : m_tdb(backend) { }
    ~Fixture()
    {
        app.reset();
        runtime.reset();
        if (database)
            database->closeConnection();
    }
    Fixture(const Fixture &) = delete;
    Fixture &operator=(const Fixture &) = delete;

    // The server with 50 entries of each participant, signed in as an
    // approved researcher; false (with a warning) if that failed.
    bool setUp(const QList<int> &participants, int treatments = 0)
    {
        if (!m_tdb.isValid())
            return false;
        database = m_tdb.database();
        if (!db::migrate(*database))
            return false;
        api::ResearcherStore store(*database);
        api::Account account;
        account.email = u"ada@example.org"_s;
        account.name = u"Ada"_s;
        account.institution = u"Test University"_s;
        account.purpose = u"Testing releases"_s;
        account.status = api::status::unverified;
        account.passwordHash = crypto::hashPassword(u"correct horse battery"_s).value();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const auto id = store.create(account, now);
        if (!id || !store.approve(*id, api::AccessScope::All, false, std::nullopt, now))
            return false;
        QSqlQuery insert(database->connection().value());
        for (const int user : participants) {
            for (int i = 0; i < 50; ++i) {
                if (!insert.exec(u"INSERT INTO entries (user_id, id, sgv, type, source_entity, raw_json, \"date\", "
                                 "utc_offset) VALUES (%1, 'e%1-%2', %3, 'sgv', 0, '{}', "
                                 "'2024-01-01T00:%4:00.000Z', 0)"_s.arg(user)
                                         .arg(i)
                                         .arg(100 + i)
                                         .arg(i, 2, 10, QLatin1Char('0'))))
                    return false;
            }
        }
        for (int i = 0; i < treatments; ++i) {
            if (!insert.exec(u"INSERT INTO treatments (user_id, id, event_type, source_entity, raw_json, created_at, "
                             "utc_offset) VALUES (%1, 't%2', 'Bolus', 0, '{}', '2024-01-01T00:%3:00.000Z', 0)"_s
                                     .arg(participants.value(0))
                                     .arg(i)
                                     .arg(i, 2, 10, QLatin1Char('0'))))
                return false;
        }
        database->closeConnection();
        runtime = std::make_unique<app::ServerRuntime>(
                Config::fromValues({ { u"HTTP_ADDRESS"_s, u"127.0.0.1"_s },
                                     { u"HTTP_PORT"_s, u"0"_s },
                                     { u"RELEASE_DIR"_s, dir.filePath(u"server"_s) },
                                     { u"SECRET_KEY"_s, u"desktop-release-secret-key-0123456789abcdef"_s } }),
                *database);
        const Status started = runtime->start({ false, false, false, true });
        if (!started) {
            qWarning("%s", qPrintable(started.error().message));
            return false;
        }
        app = std::make_unique<Downloader>(dir.filePath(u"settings.ini"_s));
        app->window->resize(1400, 900);
        signIn(*app->window, QUrl(u"http://127.0.0.1:%1"_s.arg(runtime->webPort())), u"ada@example.org"_s,
               u"correct horse battery"_s);
        return true;
    }

    desktop::ReleasesPanel *panel() const { return app->window->releasesPanel(); }
    QString folder() const { return dir.filePath(u"releases"_s); }
    QString releaseFile(int id) const { return QDir(folder()).filePath(u"release-%1.zip"_s.arg(id)); }

    // Asks for a release of `datasets` in the tab.
    void ask(const QStringList &datasets, bool deflate) const
    {
        app->window->tabs()->setCurrentWidget(panel());
        auto *list = child<QListWidget>(panel(), "releaseDatasets");
        QTRY_VERIFY(list->count() > 2);
        for (int i = 0; i < list->count(); ++i)
            list->item(i)->setCheckState(datasets.contains(list->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
        child<QCheckBox>(panel(), "releaseDeflate")->setChecked(deflate);
        type(panel(), "releaseFolder", folder());
        click(panel(), "createRelease");
    }

    // Asks for a release and waits until it is downloaded and checked.
    void release(const QStringList &datasets, bool deflate, int expectedId) const
    {
        ask(datasets, deflate);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(releaseFile(expectedId)), 60000);
        QTRY_VERIFY(child<QPushButton>(panel(), "createRelease")->isEnabled());
    }

    // The library's file names, as its table shows them.
    QStringList libraryFiles() const
    {
        auto *table = child<QTableWidget>(panel(), "library");
        QStringList names;
        for (int row = 0; row < table->rowCount(); ++row)
            names << table->item(row, 0)->text();
        names.sort();
        return names;
    }

    QTemporaryDir dir;
    std::optional<db::Database> database;
    std::unique_ptr<app::ServerRuntime> runtime;
    std::unique_ptr<Downloader> app;

private:
    TestDatabase m_tdb;
};

} // namespace

class TestReleasesPanel final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void askDownloadAndCheck();
    void progressWhileTheServerBuildsIt();
    void withdrawnParticipantsOfferedForDeletion();
};

void TestReleasesPanel::askDownloadAndCheck()
{
    QFETCH_GLOBAL(QString, backend);
    Fixture f(backend);
    QVERIFY(f.setUp({ 101 }));
    QTRY_VERIFY(f.app->api->isSignedIn());
    desktop::ReleasesPanel *panel = f.panel();
    f.release({ u"entries"_s, u"profile"_s }, true, 1);
    const QString status = child<QLabel>(panel, "releaseStatus")->text();
    QVERIFY2(status.contains(u"downloaded and checked: 4 files"_s), qPrintable(status));
    auto *library = child<QTableWidget>(panel, "library");
    QTRY_COMPARE(library->rowCount(), 1);
    QCOMPARE(library->item(0, 0)->text(), u"release-1.zip"_s);
    QCOMPARE(library->item(0, 1)->text(), u"entries, profile"_s);
    QCOMPARE(library->item(0, 4)->text(), u"50"_s);
    QCOMPARE(library->item(0, 5)->text(), u"SHA-256 as in its manifest"_s);
    // The last column reaches the table's right edge (the window is 1400 wide).
    QHeaderView *header = library->horizontalHeader();
    QTRY_COMPARE(header->sectionViewportPosition(5) + header->sectionSize(5), library->viewport()->width());
    QVERIFY(header->sectionSize(5) > header->sectionSizeHint(5));
    auto *releases = child<QTableWidget>(panel, "serverReleases");
    QTRY_COMPARE(releases->rowCount(), 1);
    QCOMPARE(releases->item(0, 1)->text(), u"ready"_s);
    QCOMPARE(releases->item(0, 2)->text(), u"entries, profile"_s);
    QCOMPARE(releases->item(0, 3)->text(), u"50"_s);

    // The same release again from the list: downloaded and checked anew.
    QVERIFY(QFile::remove(f.releaseFile(1)));
    releases->selectRow(0);
    click(panel, "downloadRelease");
    QCOMPARE(child<QProgressBar>(panel, "releaseProgress")->maximum(), 0); // busy
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(f.releaseFile(1)), 60000);
    QTRY_VERIFY(child<QLabel>(panel, "releaseStatus")->text().contains(u"downloaded and checked"_s));
    QTRY_COMPARE(library->rowCount(), 1);
}

// "Watch its progress": held by the server after entries (50 rows) and
// before treatments (50 more), the release shows its rows against the
// server's estimate in the status line, the progress bar and the list.
void TestReleasesPanel::progressWhileTheServerBuildsIt()
{
    QFETCH_GLOBAL(QString, backend);
    Fixture f(backend);
    QVERIFY(f.setUp({ 101 }, 50));
    QTRY_VERIFY(f.app->api->isSignedIn());
    std::promise<void> go;
    std::shared_future<void> released = go.get_future().share();
    auto letGo = qScopeGuard([&go] { go.set_value(); });
    f.runtime->releaseApi()->setBeforeDataset([released](const QString &dataset) {
        if (dataset == u"treatments"_s)
            released.wait_for(std::chrono::seconds(60));
    });
    desktop::ReleasesPanel *panel = f.panel();
    f.ask({ u"entries"_s, u"treatments"_s }, true);
    auto *status = child<QLabel>(panel, "releaseStatus");
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains(u"50 of about 100 rows (50 %)"_s), 30000);
    QVERIFY2(status->text().startsWith(u"The server is building release 1"_s), qPrintable(status->text()));
    auto *progress = child<QProgressBar>(panel, "releaseProgress");
    QCOMPARE(progress->maximum(), 100);
    QCOMPARE(progress->value(), 50);
    auto *releases = child<QTableWidget>(panel, "serverReleases");
    QTRY_COMPARE(releases->rowCount(), 1);
    QCOMPARE(releases->item(0, 0)->text(), u"1"_s);
    QCOMPARE(releases->item(0, 1)->text(), u"running (50 %)"_s);
    QCOMPARE(releases->item(0, 3)->text(), u"50 of about 100"_s);
    QVERIFY(releases->columnWidth(3) >= static_cast<QAbstractItemView *>(releases)->sizeHintForColumn(3)); // one line
    saveScreenshot(f.app->window.get(), u"desktop-releases-progress.png"_s);

    letGo.dismiss();
    go.set_value();
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(f.releaseFile(1)), 60000);
    QTRY_VERIFY(status->text().contains(u"downloaded and checked"_s));
    QCOMPARE(progress->value(), progress->maximum());
    QTRY_COMPARE(releases->item(0, 1)->text(), u"ready"_s);
    QCOMPARE(releases->item(0, 3)->text(), u"100"_s);
}

void TestReleasesPanel::withdrawnParticipantsOfferedForDeletion()
{
    QFETCH_GLOBAL(QString, backend);
    Fixture f(backend);
    QVERIFY(f.setUp({ 101, 102 }));
    QTRY_VERIFY(f.app->api->isSignedIn());
    desktop::ReleasesPanel *panel = f.panel();
    desktop::MainWindow *window = f.app->window.get();

    // Release 1 stored (no compression), and entries from the Download tab as gzip NDJSON.
    f.release({ u"entries"_s, u"profile"_s }, false, 1);
    desktop::DownloadPanel *download = window->downloadPanel();
    window->tabs()->setCurrentWidget(download);
    auto *datasets = child<QListWidget>(download, "datasets");
    QTRY_VERIFY(datasets->count() > 2);
    datasets->setCurrentItem(datasets->findItems(u"entries"_s, Qt::MatchExactly).value(0));
    auto *format = child<QComboBox>(download, "format");
    format->setCurrentIndex(format->findData(u"ndjson"_s));
    child<QCheckBox>(download, "gzip")->setChecked(true);
    type(download, "folder", f.dir.filePath(u"downloads"_s));
    click(download, "download");
    QTRY_COMPARE_WITH_TIMEOUT(child<QProgressBar>(download, "progress")->value(), 100, 30000);
    const QString ndjson = download->lastFile();
    saveScreenshot(window, u"desktop-download.png"_s);
    QVERIFY2(ndjson.endsWith(u".ndjson.gz"_s), qPrintable(ndjson));
    QCOMPARE(f.libraryFiles(), (QStringList { QFileInfo(ndjson).fileName(), u"release-1.zip"_s }));
    const QByteArray manifest1 = readZip(f.releaseFile(1)).value(u"manifest.json"_s).content;

    // Participant 102 erased; release 2 names them withdrawn and the dialog lists both files.
    QVERIFY(privacy::removeParticipantData(*f.database, 102, std::nullopt));
    f.database->closeConnection();
    QSignalSpy done(panel, &desktop::ReleasesPanel::withdrawalsDone);
    f.release({ u"entries"_s }, true, 2);
    desktop::WithdrawalDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = panel->findChild<desktop::WithdrawalDialog *>()) && dialog->isVisible(), 30000);
    QVERIFY(child<QLabel>(dialog, "withdrawalText")->text().contains(u": 102. "_s));
    QVERIFY(child<QLabel>(dialog, "withdrawalText")->text().contains(u"hold 100 of their rows"_s));
    auto *files = child<QTableWidget>(dialog, "withdrawalFiles");
    QCOMPARE(files->rowCount(), 2);
    QStringList listed;
    for (int row = 0; row < files->rowCount(); ++row) {
        listed << files->item(row, 0)->text();
        QCOMPARE(files->item(row, 1)->text(), u"102"_s);
        QCOMPARE(files->item(row, 2)->text(), u"50"_s);
    }
    listed.sort();
    QCOMPARE(listed, (QStringList { QFileInfo(ndjson).fileName(), u"release-1.zip"_s }));
    saveScreenshot(dialog, u"desktop-withdrawal.png"_s);

    // Enter never deletes: "Not now" is the default. The files stay as they
    // were and "Withdrawn participants…" offers the deletion again.
    QVERIFY(child<QPushButton>(dialog, "notNow")->isDefault());
    QVERIFY(!child<QPushButton>(dialog, "deleteRows")->isDefault());
    QVERIFY(!child<QPushButton>(dialog, "deleteFiles")->isDefault());
    QPointer<desktop::WithdrawalDialog> first = dialog;
    QTest::keyClick(dialog, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 30000);
    QTRY_VERIFY(!first); // closed (and gone)
    QCOMPARE(readZip(f.releaseFile(1)).value(u"manifest.json"_s).content, manifest1);
    QCOMPARE(csvUsers(readZip(f.releaseFile(1)).value(u"entries.csv"_s).content).count(u"102"_s), 50);
    QCOMPARE(f.app->window->findChild<desktop::Library *>()->withdrawn(), QStringList { u"102"_s });
    click(panel, "withdrawals");
    QTRY_VERIFY_WITH_TIMEOUT((dialog = panel->findChild<desktop::WithdrawalDialog *>()) && dialog->isVisible(), 30000);

    click(dialog, "deleteRows");
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 30000);
    const QString said = child<QLabel>(panel, "releaseStatus")->text();
    QVERIFY2(said.contains(u"Deleted 100 rows of withdrawn participants from 2 file(s)"_s), qPrintable(said));
    // The stored zip: still stored, entries without 102, the other files as they were.
    const auto zip = readZip(f.releaseFile(1));
    QCOMPARE(zip.keys(),
             (QStringList { u"README.txt"_s, u"data_dictionary.csv"_s, u"entries.csv"_s, u"manifest.json"_s,
                            u"profile.csv"_s }));
    for (const ZipMember &file : zip)
        QVERIFY(file.stored);
    QCOMPARE(csvUsers(zip.value(u"entries.csv"_s).content), QStringList(50, u"101"_s));
    QCOMPARE(zip.value(u"manifest.json"_s).content, manifest1);
    // The NDJSON download: still gzip, only 101's lines.
    QFile gz(ndjson);
    QVERIFY(gz.open(QIODevice::ReadOnly));
    const QByteArray compressed = gz.readAll();
    QVERIFY(gzip::hasGzipMagic(compressed));
    const auto lines = gzip::decompress(compressed).value_or(QByteArray()).trimmed().split('\n');
    QCOMPARE(lines.size(), 50);
    for (const QByteArray &line : lines)
        QVERIFY2(!line.contains("\"user_id\":\"102\"") && !line.contains("\"user_id\":102"), line.constData());
    // The library says so; nothing is left to offer.
    auto *library = child<QTableWidget>(panel, "library");
    for (int row = 0; row < library->rowCount(); ++row) {
        const QString name = library->item(row, 0)->text();
        if (name == u"release-2.zip"_s)
            continue;
        QCOMPARE(library->item(row, 4)->text(), u"50"_s);
        QVERIFY2(library->item(row, 5)->text().startsWith(u"50 rows of withdrawn participants deleted on "_s),
                 qPrintable(library->item(row, 5)->text()));
    }
    QVERIFY(f.app->window->findChild<desktop::Library *>()->withdrawn().isEmpty());
    saveScreenshot(window, u"desktop-releases.png"_s);
    QVERIFY(!child<QPushButton>(panel, "withdrawals")->isEnabled());

    // Every library entry opens in the local view: the zips' entries and
    // profile files (not the data dictionary), the download; 101 only.
    QCOMPARE(library->rowCount(), 3);
    desktop::LocalViewPanel *local = window->localView();
    for (int row = 0; row < library->rowCount(); ++row) {
        window->tabs()->setCurrentWidget(panel);
        library->clearSelection();
        library->selectRow(row);
        QSignalSpy loaded(local, &desktop::LocalViewPanel::loaded);
        click(panel, "openLibraryItems");
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 30000);
        QCOMPARE(window->tabs()->currentWidget(), local);
        QVERIFY(local->data());
        const QString name = library->item(row, 0)->text();
        QCOMPARE(local->data()->participants, QStringList { u"101"_s });
        QCOMPARE(local->data()->entries.participants.value(0).readings.size(), 50);
        QCOMPARE(local->data()->datasets,
                 name == u"release-1.zip"_s ? (QStringList { u"entries"_s, u"profile"_s })
                                            : QStringList { u"entries"_s });
    }

    // Participant 101 erased too; this time the files go.
    QVERIFY(privacy::removeParticipantData(*f.database, 101, std::nullopt));
    f.database->closeConnection();
    f.release({ u"entries"_s }, true, 3);
    QTRY_VERIFY_WITH_TIMEOUT((dialog = panel->findChild<desktop::WithdrawalDialog *>()) && dialog->isVisible(), 30000);
    QCOMPARE(child<QTableWidget>(dialog, "withdrawalFiles")->rowCount(), 3);
    click(dialog, "deleteFiles");
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, 30000);
    QVERIFY(!QFile::exists(f.releaseFile(1)));
    QVERIFY(!QFile::exists(f.releaseFile(2)));
    QVERIFY(!QFile::exists(ndjson));
    QCOMPARE(f.libraryFiles(), QStringList { u"release-3.zip"_s });
}

QTEST_MAIN(TestReleasesPanel)
#include "tst_releasespanel.moc"
