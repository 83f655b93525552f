// The real downloader window against the real server: the researcher API
// (accounts and export) of ServerRuntime on an ephemeral port, on a
// throw-away SQLite or PostgreSQL database seeded with accounts and entries.

#include "adminpanel.h"
#include "api/export/datasets.h"
#include "api/researcherstore.h"
#include "app/serverruntime.h"
#include "applydialog.h"
#include "charts.h"
#include "crypto/secrets.h"
#include "db/migrations.h"
#include "desktoptest.h"
#include "downloadpanel.h"
#include "library.h"
#include "localviewpanel.h"
#include "metrics/entriescsv.h"
#include "records/nstime.h"
#include "researcher/apiclient.h"
#include "resetpassworddialog.h"
#include "seedreadings.h"
#include "standins/smtpstandin.h"
#include "testdatabase.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QSettings>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace openaps;
using namespace openaps::test;
using namespace openaps::records;
namespace api = openaps::api;

namespace {
const QString password = QStringLiteral("correct horse battery");
const QString adminEmail = QStringLiteral("ada@example.org");
const QString nsfEmail = QStringLiteral("nina@example.org");
const QString pendingEmail = QStringLiteral("bob@example.org");
// participant -> source_entity (consent: openaps=0, nsf=1, both=2)
const QMap<QString, int> participants { { QStringLiteral("101"), 0 },
                                        { QStringLiteral("202"), 2 },
                                        { QStringLiteral("303"), 1 } };
} // namespace

class TestDownloaderServer final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestDatabase> m_tdb;
    std::optional<db::Database> m_database;
    std::unique_ptr<standins::SmtpStandIn> m_smtp;
    std::unique_ptr<app::ServerRuntime> m_runtime;
    std::unique_ptr<Downloader> m_app;
    QSettings *m_settings = nullptr;
    researcher::ApiClient *m_api = nullptr;
    desktop::MainWindow *m_window = nullptr;
    QMap<QString, QList<metrics::Reading>> m_readings;

    QUrl serverUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_runtime->webPort())); }
    QString folder() const { return m_dir->filePath(QStringLiteral("downloads")); }
    desktop::DownloadPanel *panel() const { return m_window->downloadPanel(); }
    QString status() const { return child<QLabel>(panel(), "status")->text(); }

    // The 6-digit code in the last email to `address`, once it arrived.
    QString mailedCode(const QString &address) const
    {
        static const QRegularExpression sixDigits(QStringLiteral("\\b(\\d{6})\\b"));
        const auto mails = m_smtp->messagesTo(address);
        return mails.isEmpty() ? QString() : sixDigits.match(mails.last().body).captured(1);
    }

    QString scalarText(const QString &sql) const
    {
        QSqlQuery q(m_database->connection().value());
        return q.exec(sql) && q.next() ? q.value(0).toString() : QString();
    }

    QString accountStatus(const QString &email) const
    {
        const auto account = api::ResearcherStore(*m_database).findByEmail(email);
        return account && account->has_value() ? (*account)->status : QString();
    }

    qint64 addAccount(const QString &email, const QString &state, api::AccessScope scope, bool admin)
    {
        api::ResearcherStore store(*m_database);
        api::Account a;
        a.email = email;
        a.name = email.section(QLatin1Char('@'), 0, 0);
        a.institution = QStringLiteral("Test University");
        a.purpose = QStringLiteral("Testing the downloader");
        a.status = api::status::unverified;
        a.passwordHash = crypto::hashPassword(password).value();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const auto id = store.create(a, now);
        if (!id)
            qFatal("%s", qPrintable(id.error().message));
        if (state == api::status::approved) {
            if (!store.approve(*id, scope, admin, std::nullopt, now))
                qFatal("approve failed");
        } else if (state == api::status::pending) {
            (void)store.markVerified(*id, now);
        }
        return *id;
    }

    // A long history for one more participant, so that a download spans many reads.
    void seedLongHistory(int rows)
    {
        QSqlDatabase db = m_database->connection().value();
        db.transaction();
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
                "INSERT INTO entries (user_id, id, sgv, type, source_entity, raw_json, \"date\", utc_offset) "
                "VALUES (404, :id, 120, 'sgv', 0, :raw, :date, 0)"));
        for (int i = 0; i < rows; ++i) {
            insert.bindValue(QStringLiteral(":id"), QStringLiteral("long%1").arg(i));
            insert.bindValue(QStringLiteral(":raw"),
                             QStringLiteral("{\"sgv\":120,\"padding\":\"%1\"}").arg(QString(200, QLatin1Char('x'))));
            insert.bindValue(QStringLiteral(":date"), records::formatUtcString(1700000000000LL + i * 300000LL));
            QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        }
        QVERIFY(db.commit());
    }

    void seedEntries()
    {
        QSqlDatabase db = m_database->connection().value();
        db.transaction();
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral(
                "INSERT INTO entries (user_id, id, sgv, direction, type, source_entity, raw_json, \"date\", utc_offset) "
                "VALUES (:user, :id, :sgv, 'Flat', 'sgv', :source, :raw, :date, :offset)"));
        int n = 0;
        for (auto it = participants.cbegin(); it != participants.cend(); ++it) {
            QList<metrics::Reading> readings = seedReadings(it.key().toInt() / 101);
            readings.removeLast(); // the table's unique (user_id, type, date) keeps one reading per instant
            for (const metrics::Reading &r : std::as_const(readings)) {
                insert.bindValue(QStringLiteral(":user"), it.key().toLongLong());
                insert.bindValue(QStringLiteral(":id"), QStringLiteral("e%1").arg(++n));
                insert.bindValue(QStringLiteral(":sgv"), r.mgdl);
                insert.bindValue(QStringLiteral(":source"), it.value());
                insert.bindValue(QStringLiteral(":raw"),
                                 QStringLiteral("{\"sgv\":%1,\"note\":\"a, \\\"quoted\\\" one\"}").arg(r.mgdl));
                insert.bindValue(QStringLiteral(":date"), records::formatUtcString(r.utcMs));
                insert.bindValue(QStringLiteral(":offset"), r.offsetMinutes);
                QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
            }
            m_readings.insert(it.key(), readings);
        }
        QVERIFY(db.commit());
    }

    void signInAs(const QString &email)
    {
        signIn(*m_window, serverUrl(), email, password);
        QTRY_VERIFY(m_api->isSignedIn());
        // Every data set the server offers.
        QTRY_COMPARE(child<QListWidget>(panel(), "datasets")->count(), int(api::datasets().size()));
        type(panel(), "folder", folder());
        auto *list = child<QListWidget>(panel(), "datasets");
        list->setCurrentItem(list->findItems(QStringLiteral("entries"), Qt::MatchExactly).value(0));
    }

    // Downloads the selected data set; the file's path in `path`.
    void downloadEntries(QString *path)
    {
        click(panel(), "download");
        QTRY_COMPARE(child<QProgressBar>(panel(), "progress")->value(), 100);
        QVERIFY2(status().startsWith(QLatin1String("Done")), qPrintable(status()));
        *path = panel()->lastFile();
    }

private slots:
    void initTestCase_data() { addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_dir = std::make_unique<QTemporaryDir>();
        m_tdb = std::make_unique<TestDatabase>(backend);
        QVERIFY(m_tdb->isValid());
        m_database = m_tdb->database();
        QVERIFY(db::migrate(*m_database));
        addAccount(adminEmail, api::status::approved, api::AccessScope::All, true);
        addAccount(nsfEmail, api::status::approved, api::AccessScope::Nsf, false);
        addAccount(pendingEmail, api::status::pending, api::AccessScope::OpenAps, false);
        seedEntries();
        m_smtp = std::make_unique<standins::SmtpStandIn>();
        QVERIFY(m_smtp->listen());
        const Config config = Config::fromValues(
                { { QStringLiteral("HTTP_ADDRESS"), QStringLiteral("127.0.0.1") },
                  { QStringLiteral("SMTP_URL"), m_smtp->smtpUrl().toString() },
                  { QStringLiteral("MAIL_FROM"), QStringLiteral("data@example.org") },
                  { QStringLiteral("HTTP_PORT"), QStringLiteral("0") },
                  { QStringLiteral("SECRET_KEY"), QStringLiteral("desktop-test-secret-key-0123456789abcdef") } });
        m_runtime = std::make_unique<app::ServerRuntime>(config, *m_database);
        const Status started = m_runtime->start({ false, false, false, true });
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        m_app = std::make_unique<Downloader>(m_dir->filePath(QStringLiteral("settings.ini")));
        m_settings = m_app->settings.get();
        m_api = m_app->api.get();
        m_window = m_app->window.get();
    }

    void cleanup()
    {
        m_app.reset();
        // The SMTP stand-in answers on this thread: it goes before the
        // server, which waits for its mail thread (an approval's mail may
        // still be talking to the stand-in: until libcurl's timeout).
        m_smtp.reset();
        m_runtime.reset();
        if (m_database)
            m_database->closeConnection();
        m_database.reset();
        m_tdb.reset();
        m_dir.reset();
        m_readings.clear();
    }

    void wrongPasswordIsPlainWords()
    {
        signIn(*m_window, serverUrl(), adminEmail, QStringLiteral("not the password at all"));
        QTRY_COMPARE(child<QLabel>(m_window->signInDialog(), "message")->text(),
                     QStringLiteral("The email address or the password is wrong."));
        QVERIFY(!m_api->isSignedIn());
    }

    void downloadIsCompleteAndChartsMatchMetrics()
    {
        signInAs(adminEmail);
        QString path;
        downloadEntries(&path);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(QDir(folder()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot),
                 QStringList { QFileInfo(path).fileName() });
        // Every seeded reading came back, per participant, exactly.
        const auto data = metrics::loadEntriesCsvFile(path);
        QVERIFY2(data, data ? "" : qPrintable(data.error().message));
        QCOMPARE(data->participants,
                 (QStringList { QStringLiteral("101"), QStringLiteral("202"), QStringLiteral("303") }));
        QCOMPARE(data->skipped, 0);
        for (auto it = m_readings.cbegin(); it != m_readings.cend(); ++it) {
            const auto got = data->readings.value(it.key());
            QCOMPARE(got.size(), it.value().size());
            for (int i = 0; i < got.size(); ++i) {
                QCOMPARE(got[i].utcMs, it.value()[i].utcMs);
                QCOMPARE(got[i].mgdl, it.value()[i].mgdl);
                QCOMPARE(got[i].offsetMinutes, it.value()[i].offsetMinutes);
            }
        }
        QCOMPARE(panel()->currentJob(), nullptr);
        // The server's audit saw one complete download of all the rows
        // (written on a worker once the download ended; the Participants
        // tab's summaries, an export too, have their own row).
        QTRY_COMPARE(scalarText(QStringLiteral("SELECT outcome FROM download_audit WHERE dataset = 'entries'")),
                     QStringLiteral("complete"));
        QSqlQuery audit(m_database->connection().value());
        QVERIFY(audit.exec(
                QStringLiteral("SELECT outcome, row_count, dataset FROM download_audit WHERE dataset = 'entries'")));
        QVERIFY(audit.next());
        QCOMPARE(audit.value(0).toString(), QStringLiteral("complete"));
        QCOMPARE(audit.value(1).toLongLong(), qint64(data->rows));
        QCOMPARE(audit.value(2).toString(), QStringLiteral("entries"));

        click(panel(), "openLocal");
        auto *local = m_window->localView();
        QTRY_VERIFY(local->analysis() && !local->isLoading());
        local->showParticipant(QStringLiteral("202"));
        const auto rows = desktop::metricRows(metrics::summarize(m_readings.value(QStringLiteral("202"))));
        auto *table = child<QTableWidget>(local, "metricsTable");
        QCOMPARE(table->rowCount(), rows.size());
        for (int i = 0; i < rows.size(); ++i)
            QCOMPARE(table->item(i, 1)->text(), rows[i].second);
    }

    void scopeLimitsTheRows()
    {
        signInAs(nsfEmail);
        QString path;
        downloadEntries(&path);
        if (QTest::currentTestFailed())
            return;
        const auto data = metrics::loadEntriesCsvFile(path);
        QVERIFY(data);
        // nsf scope: source_entity 1 or 2 only.
        QCOMPARE(data->participants, (QStringList { QStringLiteral("202"), QStringLiteral("303") }));
        QVERIFY(!m_window->isAdminTabVisible());
    }

    void gzipDownloadOpensInLocalView()
    {
        signInAs(adminEmail);
        child<QCheckBox>(panel(), "gzip")->setChecked(true);
        QString path;
        downloadEntries(&path);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(path.endsWith(QLatin1String(".csv.gz")), qPrintable(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.read(2), QByteArray("\x1f\x8b", 2));
        qint64 readings = 0;
        for (const auto &list : std::as_const(m_readings))
            readings += list.size();
        // The rows received, counted as the gzip body was inflated alongside.
        QVERIFY2(status().startsWith(QStringLiteral("Done: %1 rows, ").arg(QLocale().toString(readings))),
                 qPrintable(status()));
        QCOMPARE(m_window->findChild<desktop::Library *>()->find(path)->rows, readings);
        click(panel(), "openLocal");
        auto *local = m_window->localView();
        QTRY_VERIFY(local->analysis() && !local->isLoading());
        QCOMPARE(local->analysis()->rows, readings);
        QCOMPARE(local->analysis()->participants.size(), 3);
    }

    void cancelMidDownloadLeavesNoFile()
    {
        seedLongHistory(20000); // about 5 MB of CSV
        signInAs(adminEmail);
        click(panel(), "download");
        QTRY_VERIFY(panel()->currentJob());
        // Cancel as soon as the first part of the body is on disk.
        researcher::DownloadJob *job = panel()->currentJob();
        bool cancelled = false;
        connect(job, &researcher::DownloadJob::progress, this, [&] {
            if (!cancelled && job->bytes() > 0 && !job->isFinished()) {
                cancelled = true;
                click(panel(), "cancel");
            }
        });
        QTRY_VERIFY(!panel()->currentJob());
        QVERIFY(cancelled);
        QCOMPARE(status(), QStringLiteral("The download was cancelled."));
        QVERIFY(child<QProgressBar>(panel(), "progress")->value() < 100);
        QCOMPARE(QDir(folder()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
        // The server noticed: its audit does not call this download complete.
        QTRY_COMPARE(scalarText(QStringLiteral("SELECT outcome FROM download_audit WHERE dataset = 'entries'")),
                     QStringLiteral("aborted"));
    }

    void revokedTokenAsksToSignInAgain()
    {
        signInAs(adminEmail);
        api::ResearcherStore store(*m_database);
        const auto admin = store.findByEmail(adminEmail);
        QVERIFY(admin && admin->has_value());
        QVERIFY(store.revokeAllTokens((*admin)->id, QDateTime::currentMSecsSinceEpoch()));
        click(panel(), "download");
        QTRY_VERIFY(m_window->signInDialog() && m_window->signInDialog()->isVisible());
        QTRY_COMPARE(child<QLabel>(m_window->signInDialog(), "message")->text(),
                     QStringLiteral("Your sign-in has expired. Please sign in again."));
        QVERIFY(!m_api->isSignedIn());
        QCOMPARE(QDir(folder()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot), QStringList());
    }

    void applyWithTheEmailedCode()
    {
        QTRY_VERIFY(m_window->signInDialog());
        type(m_window->signInDialog(), "serverUrl", serverUrl().toString());
        click(m_window->signInDialog(), "apply");
        QTRY_VERIFY(m_window->applyDialog() && m_window->applyDialog()->isVisible());
        QWidget *dialog = m_window->applyDialog();
        const QString email = QStringLiteral("dan@example.org");
        type(dialog, "name", QStringLiteral("Dan"));
        type(dialog, "email", email);
        type(dialog, "institution", QStringLiteral("Clinic"));
        QTest::keyClicks(child(dialog, "purpose"), QStringLiteral("Night-time lows"));
        type(dialog, "password", password);
        type(dialog, "repeatPassword", password);
        // What the old system's form asked, and the terms of use from the server.
        type(dialog, "phone", QStringLiteral("+1 555 0199"));
        type(dialog, "sponsor", QStringLiteral("Diabetes Trust"));
        auto *irb = child<QComboBox>(dialog, "irbApproval");
        irb->setCurrentIndex(irb->findData(QStringLiteral("unsure")));
        type(dialog, "irbDetails", QStringLiteral("Submitted to the clinic's board"));
        auto *commons = child<QComboBox>(dialog, "dataCommons");
        commons->setCurrentIndex(commons->findData(QStringLiteral("nightscout")));
        auto *accept = child<QCheckBox>(dialog, "acceptTerms");
        QTRY_VERIFY(accept->isEnabled());
        QVERIFY(child<QPlainTextEdit>(dialog, "terms")->toPlainText().contains(QLatin1String("terms of use")));
        click(dialog, "submit"); // not accepted yet
        QVERIFY(child<QLabel>(dialog, "formMessage")->text().contains(QLatin1String("accept the terms")));
        accept->setChecked(true);
        click(dialog, "submit");
        auto *apply = qobject_cast<desktop::ApplyDialog *>(dialog);
        QTRY_COMPARE(apply->page(), int(desktop::ApplyDialog::CodePage));
        QCOMPARE(accountStatus(email), api::status::unverified);
        {
            const auto stored = api::ResearcherStore(*m_database).findByEmail(email);
            QVERIFY(stored && stored->has_value());
            const api::ApplicationDetails &d = (*stored)->application;
            QCOMPARE(d.phone, QStringLiteral("+1 555 0199"));
            QCOMPARE(d.sponsorOrganisation, QStringLiteral("Diabetes Trust"));
            QCOMPARE(d.irbApproval, QStringLiteral("unsure"));
            QCOMPARE(d.irbDetails, QStringLiteral("Submitted to the clinic's board"));
            QCOMPARE(d.requestedScope, QStringLiteral("nsf"));
            QCOMPARE(d.termsVersion, QStringLiteral("v1"));
            QVERIFY(d.termsAcceptedMs > 0);
        }
        QTRY_VERIFY(!mailedCode(email).isEmpty());
        type(dialog, "code", mailedCode(email));
        click(dialog, "verify");
        QTRY_COMPARE(apply->page(), int(desktop::ApplyDialog::DonePage));
        QCOMPARE(accountStatus(email), api::status::pending);
        // Applying twice: the server answers as for a new address (it must not
        // tell who has an account); the address's owner is told by email.
        click(dialog, "close");
        click(m_window->signInDialog(), "apply");
        QTRY_VERIFY(m_window->applyDialog() && m_window->applyDialog() != dialog
                    && m_window->applyDialog()->isVisible());
        dialog = m_window->applyDialog();
        type(dialog, "name", QStringLiteral("Dan"));
        type(dialog, "email", email);
        type(dialog, "institution", QStringLiteral("Clinic"));
        QTest::keyClicks(child(dialog, "purpose"), QStringLiteral("Again"));
        type(dialog, "password", password);
        type(dialog, "repeatPassword", password);
        type(dialog, "phone", QStringLiteral("+1 555 0199"));
        QTRY_VERIFY(child<QCheckBox>(dialog, "acceptTerms")->isEnabled());
        child<QCheckBox>(dialog, "acceptTerms")->setChecked(true);
        const auto mailsBefore = m_smtp->messagesTo(email).size();
        click(dialog, "submit");
        QTRY_COMPARE(qobject_cast<desktop::ApplyDialog *>(dialog)->page(), int(desktop::ApplyDialog::CodePage));
        QTRY_COMPARE(m_smtp->messagesTo(email).size(), mailsBefore + 1);
        QVERIFY(m_smtp->messagesTo(email).last().body.contains(QLatin1String("already has an account")));
        QCOMPARE(accountStatus(email), api::status::pending);
    }

    void forgottenPasswordIsReset()
    {
        QTRY_VERIFY(m_window->signInDialog());
        type(m_window->signInDialog(), "serverUrl", serverUrl().toString());
        type(m_window->signInDialog(), "email", nsfEmail);
        click(m_window->signInDialog(), "forgot");
        desktop::ResetPasswordDialog *reset = nullptr;
        QTRY_VERIFY((reset = m_window->findChild<desktop::ResetPasswordDialog *>()));
        m_settings->setValue(QStringLiteral("account/email"), nsfEmail);
        type(reset, "email", nsfEmail);
        click(reset, "sendCode");
        QTRY_VERIFY(!mailedCode(nsfEmail).isEmpty());
        const QString newPassword = QStringLiteral("a brand new password");
        type(reset, "code", mailedCode(nsfEmail));
        type(reset, "password", newPassword);
        click(reset, "reset");
        QTRY_COMPARE(child<QLabel>(reset, "message")->text(),
                     QStringLiteral("Your password was changed. You can sign in with it now."));
        reset->close();
        signIn(*m_window, serverUrl(), nsfEmail, newPassword);
        QTRY_VERIFY(m_api->isSignedIn());
    }

    void adminApprovesWithScope()
    {
        signInAs(adminEmail);
        QVERIFY(m_window->isAdminTabVisible());
        auto *admin = m_window->adminPanel();
        QTRY_VERIFY(admin->select(pendingEmail));
        auto *scope = child<QComboBox>(admin, "scope");
        scope->setCurrentIndex(scope->findData(QStringLiteral("nsf")));
        click(admin, "approve");
        // Approving asks first.
        QTRY_VERIFY(admin->approveQuestion() && admin->approveQuestion()->isVisible());
        admin->approveQuestion()->button(QMessageBox::Yes)->click();
        QTRY_VERIFY(child<QLabel>(admin, "adminMessage")->text().contains(QLatin1String("approved")));
        api::ResearcherStore store(*m_database);
        const auto bob = store.findByEmail(pendingEmail);
        QVERIFY(bob && bob->has_value());
        QCOMPARE((*bob)->status, api::status::approved);
        QCOMPARE((*bob)->scope, QStringLiteral("nsf"));
    }

    // A rejection needs a reason, which the applicant gets by email and the
    // Admin tab shows with the rest of the application.
    void adminRejectsWithReason()
    {
        const QString email = QStringLiteral("eve@example.org");
        addAccount(email, api::status::pending, api::AccessScope::OpenAps, false);
        signInAs(adminEmail);
        auto *admin = m_window->adminPanel();
        QTRY_VERIFY(admin->select(email));
        click(admin, "reject");
        QVERIFY(child<QLabel>(admin, "adminMessage")->text().contains(QLatin1String("reason")));
        QCOMPARE(accountStatus(email), api::status::pending);
        const QString reason = QStringLiteral("The study needs an IRB approval first.");
        type(admin, "rejectReason", reason);
        click(admin, "reject");
        QTRY_VERIFY(child<QLabel>(admin, "adminMessage")->text().contains(QLatin1String("rejected")));
        QCOMPARE(accountStatus(email), api::status::rejected);
        QTRY_VERIFY(!m_smtp->messagesTo(email).isEmpty());
        QVERIFY(m_smtp->messagesTo(email).last().body.contains(reason));
        auto *status = child<QComboBox>(admin, "statusFilter");
        status->setCurrentIndex(status->findData(QStringLiteral("rejected")));
        // The list under the new filter arrives when it arrives; until then
        // the one before it (eve still pending, no reason) is shown.
        auto *table = child<QTableWidget>(admin, "researchers");
        const auto reasonShown = [&] {
            return admin->select(email) ? table->item(table->currentRow(), table->columnCount() - 1)->text()
                                        : QString();
        };
        QTRY_COMPARE(reasonShown(), reason);
    }
};

QTEST_MAIN(TestDownloaderServer)
#include "tst_downloaderserver.moc"
