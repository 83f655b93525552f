// The downloader's Releases tab against the real server (ServerRuntime on a
// throw-away SQLite database, real sign-in): ask for a release of two data
// sets, follow it, download and check it; it lands in the folder and the
// local library, and the server's list shows it ready.

#include "api/researcherstore.h"
#include "app/serverruntime.h"
#include "crypto/secrets.h"
#include "db/migrations.h"
#include "desktoptest.h"
#include "releasespanel.h"
#include "testdatabase.h"

#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace openaps;
using namespace openaps::test;
using namespace Qt::StringLiterals;

class TestReleasesPanel final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void askDownloadAndCheck();
};

void TestReleasesPanel::askDownloadAndCheck()
{
    QTemporaryDir dir;
    TestDatabase tdb(u"sqlite"_s);
    QVERIFY(tdb.isValid());
    db::Database database = tdb.database();
    QVERIFY(db::migrate(database));
    {
        api::ResearcherStore store(database);
        api::Account account;
        account.email = u"ada@example.org"_s;
        account.name = u"Ada"_s;
        account.institution = u"Test University"_s;
        account.purpose = u"Testing releases"_s;
        account.status = api::status::unverified;
        account.passwordHash = crypto::hashPassword(u"correct horse battery"_s).value();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const auto id = store.create(account, now);
        QVERIFY(id);
        QVERIFY(store.approve(*id, api::AccessScope::All, false, std::nullopt, now));
        QSqlQuery insert(database.connection().value());
        for (int i = 0; i < 50; ++i)
            QVERIFY(insert.exec(
                    u"INSERT INTO entries (user_id, id, sgv, type, source_entity, raw_json, \"date\", "
                    "utc_offset) VALUES (101, 'e%1', 120, 'sgv', 0, '{}', '2024-01-01T00:%2:00.000Z', 0)"_s.arg(i)
                            .arg(i, 2, 10, QLatin1Char('0'))));
    }
    database.closeConnection();
    app::ServerRuntime runtime(
            Config::fromValues({ { u"HTTP_ADDRESS"_s, u"127.0.0.1"_s },
                                 { u"HTTP_PORT"_s, u"0"_s },
                                 { u"RELEASE_DIR"_s, dir.filePath(u"server"_s) },
                                 { u"SECRET_KEY"_s, u"desktop-release-secret-key-0123456789abcdef"_s } }),
            database);
    const Status started = runtime.start({ false, false, false, true });
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));

    Downloader app(dir.filePath(u"settings.ini"_s));
    signIn(*app.window, QUrl(u"http://127.0.0.1:%1"_s.arg(runtime.webPort())), u"ada@example.org"_s,
           u"correct horse battery"_s);
    QTRY_VERIFY(app.api->isSignedIn());
    desktop::ReleasesPanel *panel = app.window->releasesPanel();
    app.window->tabs()->setCurrentWidget(panel);
    auto *datasets = child<QListWidget>(panel, "releaseDatasets");
    QTRY_VERIFY(datasets->count() > 2);
    for (const char *name : { "entries", "profile" })
        datasets->findItems(QString::fromLatin1(name), Qt::MatchExactly).value(0)->setCheckState(Qt::Checked);
    const QString folder = dir.filePath(u"releases"_s);
    type(panel, "releaseFolder", folder);
    click(panel, "createRelease");
    QTRY_COMPARE_WITH_TIMEOUT(child<QProgressBar>(panel, "releaseProgress")->value(), 1000, 60000);
    const QString status = child<QLabel>(panel, "releaseStatus")->text();
    QVERIFY2(status.contains(u"downloaded and checked: 4 files"_s), qPrintable(status));
    QVERIFY(QFile::exists(QDir(folder).filePath(u"release-1.zip"_s)));
    QTRY_COMPARE(child<QListWidget>(panel, "library")->count(), 1);
    QVERIFY(child<QListWidget>(panel, "library")->item(0)->text().startsWith(u"release-1.zip"_s));
    auto *releases = child<QTableWidget>(panel, "serverReleases");
    QTRY_COMPARE(releases->rowCount(), 1);
    QCOMPARE(releases->item(0, 1)->text(), u"ready"_s);
    QCOMPARE(releases->item(0, 2)->text(), u"entries, profile"_s);
    QCOMPARE(releases->item(0, 3)->text(), u"50"_s);

    // The same release again from the list: downloaded and checked anew.
    QVERIFY(QFile::remove(QDir(folder).filePath(u"release-1.zip"_s)));
    releases->selectRow(0);
    click(panel, "downloadRelease");
    QCOMPARE(child<QProgressBar>(panel, "releaseProgress")->maximum(), 0); // busy
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(QDir(folder).filePath(u"release-1.zip"_s)), 60000);
    QTRY_VERIFY(child<QLabel>(panel, "releaseStatus")->text().contains(u"downloaded and checked"_s));
}

QTEST_MAIN(TestReleasesPanel)
#include "tst_releasespanel.moc"
