// The researcher client library's releases (shared/researcher: ReleaseJob,
// ReleaseDownload, releaseverify) against the real server (ServerRuntime:
// sign-in, releases, files) over real HTTP on SQLite and PostgreSQL, with a
// proxy that drops the connection in the middle of the zip.

#include "api/release/zipwriter.h"
#include "api/researcherstore.h"
#include "app/serverruntime.h"
#include "crypto/secrets.h"
#include "cuttingproxy.h"
#include "db/migrations.h"
#include "records/nstime.h"
#include "releasetesting.h"
#include "researcher/apiclient.h"
#include "researcher/releasejob.h"

#include <QCryptographicHash>
#include <QDir>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;
using researcher::ReleaseJob;

namespace {
QString errorOf(const ReleaseJob *job)
{
    return job->error() ? job->error()->toString() : QString();
}

const QString email = u"ada@example.org"_s;
const QString password = u"correct horse battery"_s;
} // namespace

class TestReleaseClient final : public test::BackendTest
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void cutDownloadResumesToTheSameFile();
    void partIsKeptForTheNextTry();
    void staleEtagStartsOver();
    void corruptByteIsReported();
    void fileThatDisagreesWithItsManifestIsReported();

private:
    QString serverDir() const { return m_dir->filePath(u"server"_s); }
    QString folder() const { return m_dir->filePath(u"downloads"_s); }
    QByteArray serverFile(qint64 id) const;
    void seedEntries(int rows);
    // Asks for a release of entries through the client and waits for the
    // whole job; the job (owned by the test) or nullptr.
    ReleaseJob *runJob(ReleaseJob *job);
    ReleaseJob *newRelease(const QStringList &datasets = { u"entries"_s });
    // A release the server has ready, asked for and downloaded once, its
    // downloaded copy removed again: its id, 0 if that failed.
    qint64 readyOnServer();
    // A job for release `id` with one attempt, cut after `at` bytes: it
    // ended "interrupted" with its part kept (nullptr if not).
    ReleaseJob *interruptedAt(qint64 id, qint64 at);
    bool exec(const QString &sql, const QVariantList &values = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<test::TestDatabase> m_tdb;
    std::optional<db::Database> m_database;
    std::unique_ptr<app::ServerRuntime> m_runtime;
    std::unique_ptr<test::CuttingProxy> m_proxy;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<researcher::ApiClient> m_api;
};

QByteArray TestReleaseClient::serverFile(qint64 id) const
{
    QFile file(QDir(serverDir()).filePath(u"release-%1.zip"_s.arg(id)));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool TestReleaseClient::exec(const QString &sql, const QVariantList &values)
{
    QSqlQuery q(m_database->connection().value());
    q.prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec()) {
        qWarning("%s", qPrintable(q.lastError().text()));
        return false;
    }
    return true;
}

void TestReleaseClient::seedEntries(int rows)
{
    QSqlDatabase db = m_database->connection().value();
    QVERIFY(db.transaction());
    QSqlQuery insert(db);
    insert.prepare(u"INSERT INTO entries (user_id, id, sgv, type, source_entity, raw_json, \"date\", utc_offset) "
                   "VALUES (101, ?, ?, 'sgv', 0, ?, ?, 0)"_s);
    for (int i = 0; i < rows; ++i) {
        // Padding that does not compress away, so the zip is large enough to cut.
        const QByteArray noise = QCryptographicHash::hash(QByteArray::number(i), QCryptographicHash::Sha256).toHex();
        insert.addBindValue(u"e%1"_s.arg(i));
        insert.addBindValue(80 + i % 200);
        insert.addBindValue(u"{\"noise\":\"%1\"}"_s.arg(QString::fromLatin1(noise.repeated(4))));
        insert.addBindValue(records::formatUtcString(1700000000000LL + i * 300000LL));
        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
    }
    QVERIFY(db.commit());
}

void TestReleaseClient::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_dir = std::make_unique<QTemporaryDir>();
    m_tdb = std::make_unique<test::TestDatabase>(backend);
    QVERIFY(m_tdb->isValid());
    m_database = m_tdb->database();
    QVERIFY(db::migrate(*m_database));
    api::ResearcherStore store(*m_database);
    api::Account account;
    account.email = email;
    account.name = u"Ada"_s;
    account.institution = u"Test University"_s;
    account.purpose = u"Testing releases"_s;
    account.status = api::status::unverified;
    account.passwordHash = crypto::hashPassword(password).value();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto id = store.create(account, now);
    QVERIFY(id);
    QVERIFY(store.approve(*id, api::AccessScope::All, false, std::nullopt, now));
    seedEntries(2000);
    if (QTest::currentTestFailed())
        return;
    m_database->closeConnection();

    const Config config = Config::fromValues({ { u"HTTP_ADDRESS"_s, u"127.0.0.1"_s },
                                               { u"HTTP_PORT"_s, u"0"_s },
                                               { u"RELEASE_DIR"_s, serverDir() },
                                               { u"SECRET_KEY"_s, u"release-client-secret-key-0123456789abcdef"_s } });
    m_runtime = std::make_unique<app::ServerRuntime>(config, *m_database);
    const Status started = m_runtime->start({ false, false, false, true });
    QVERIFY2(started, started ? "" : qPrintable(started.error().message));
    m_proxy = std::make_unique<test::CuttingProxy>(m_runtime->webPort());
    QVERIFY(m_proxy->listen());

    m_nam = std::make_unique<QNetworkAccessManager>();
    m_api = std::make_unique<researcher::ApiClient>(m_nam.get());
    m_api->setServerUrl(QUrl(u"http://127.0.0.1:%1"_s.arg(m_proxy->port())));
    bool signedIn = false;
    m_api->login(email, password, nullptr, [&](const Result<researcher::Account> &r) { signedIn = r.ok(); });
    QTRY_VERIFY(signedIn);
}

void TestReleaseClient::cleanup()
{
    m_api.reset();
    m_nam.reset();
    m_proxy.reset();
    m_runtime.reset();
    if (m_database)
        m_database->closeConnection();
    m_database.reset();
    m_tdb.reset();
    m_dir.reset();
}

ReleaseJob *TestReleaseClient::runJob(ReleaseJob *job)
{
    job->setPollInterval(std::chrono::milliseconds(50));
    researcher::ReleaseDownloadOptions options;
    options.firstRetryDelay = std::chrono::milliseconds(10);
    job->setDownloadOptions(options);
    QSignalSpy done(job, &ReleaseJob::finished);
    job->start();
    if (!done.wait(60000))
        return nullptr;
    return job;
}

ReleaseJob *TestReleaseClient::newRelease(const QStringList &datasets)
{
    researcher::ReleaseRequest request;
    request.datasets = datasets;
    request.deflate = false;
    return new ReleaseJob(m_api.get(), request, folder(), this);
}

qint64 TestReleaseClient::readyOnServer()
{
    ReleaseJob *job = runJob(newRelease());
    if (!job || job->error() || !QFile::remove(job->download()->filePath()))
        return 0;
    return job->releaseId();
}

ReleaseJob *TestReleaseClient::interruptedAt(qint64 id, qint64 at)
{
    m_proxy->cutAfter({ at });
    auto *cut = new ReleaseJob(m_api.get(), id, folder(), this);
    researcher::ReleaseDownloadOptions once;
    once.attempts = 1;
    cut->setDownloadOptions(once);
    QSignalSpy done(cut, &ReleaseJob::finished);
    cut->start();
    if (!done.wait(60000) || !cut->error() || cut->error()->code != u"interrupted"_s)
        return nullptr;
    return cut;
}

void TestReleaseClient::cutDownloadResumesToTheSameFile()
{
    // First one release without cuts: its size tells where to cut the next.
    ReleaseJob *first = runJob(newRelease());
    QVERIFY(first);
    QVERIFY2(!first->error(), qPrintable(errorOf(first)));
    const qint64 size = serverFile(first->releaseId()).size();
    QVERIFY(size > 300 * 1000);

    // Cut after 1 byte, 4 KB, half and all but the last byte of the file.
    const QList<qint64> cutAt { 1, 4097, size / 2, size - 1 };
    QList<qint64> budgets;
    qint64 previous = 0;
    for (const qint64 at : cutAt) {
        budgets << at - previous;
        previous = at;
    }
    m_proxy->cutAfter(budgets);
    ReleaseJob *job = runJob(newRelease());
    QVERIFY(job);
    QVERIFY2(!job->error(), qPrintable(errorOf(job)));
    QCOMPARE(m_proxy->cuts(), 4);
    QCOMPARE(job->download()->requestOffsets(), QList<qint64>({ 0, 1, 4097, size / 2, size - 1 }));
    QCOMPARE(job->download()->restarts(), 0);

    const QByteArray server = serverFile(job->releaseId());
    QFile file(job->download()->filePath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), server);
    QCOMPARE(test::sha256Hex(server), job->release().sha256.toLatin1());
    QCOMPARE(job->release().rowsEstimate, qint64(2000)); // as counted by the server
    QCOMPARE(job->release().percent(), 100);
    // Every resumed request named the part it wanted and the file it was of.
    const QByteArray etag = '"' + job->release().sha256.toLatin1() + '"';
    int ranged = 0;
    for (const QByteArray &head : m_proxy->requestHeads()) {
        if (head.contains("Range: bytes=")) {
            QVERIFY(head.contains(QByteArray("If-Range: " + etag)));
            ++ranged;
        }
    }
    QCOMPARE(ranged, 4);
    // Verified against the manifest: entries, dictionary and README.
    QCOMPARE(job->download()->contents().files.size(), 3);
    QCOMPARE(job->download()->contents().files.first().name, u"entries.csv"_s);
    QCOMPARE(job->download()->contents().files.first().rows, qint64(2000));
    QCOMPARE(QDir(folder()).entryList(QDir::Files),
             QStringList({ u"release-%1.zip"_s.arg(first->releaseId()), u"release-%1.zip"_s.arg(job->releaseId()) }));
}

void TestReleaseClient::partIsKeptForTheNextTry()
{
    const qint64 id = readyOnServer();
    QVERIFY(id > 0);
    const QByteArray server = serverFile(id);

    // One attempt only, cut in the middle: "interrupted", the part stays.
    ReleaseJob *cut = interruptedAt(id, server.size() / 2);
    QVERIFY(cut);
    QVERIFY2(cut->error()->message.contains(u"kept"_s), qPrintable(cut->error()->message));
    const QString part = cut->download()->partPath();
    QCOMPARE(QFileInfo(part).size(), qint64(server.size() / 2));
    QVERIFY(!QFile::exists(cut->download()->filePath()));

    // A new job (as after a restart of the program) asks for the rest.
    ReleaseJob *rest = runJob(new ReleaseJob(m_api.get(), id, folder(), this));
    QVERIFY(rest);
    QVERIFY2(!rest->error(), qPrintable(errorOf(rest)));
    QCOMPARE(rest->download()->requestOffsets(), QList<qint64>({ qint64(server.size() / 2) }));
    QFile file(rest->download()->filePath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), server);
    QVERIFY(!QFile::exists(part));
    QVERIFY(!QFile::exists(part.chopped(5) + u".etag"_s));
}

void TestReleaseClient::staleEtagStartsOver()
{
    const qint64 id = readyOnServer();
    QVERIFY(id > 0);
    QVERIFY(interruptedAt(id, serverFile(id).size() / 2));

    // The server's file of that release changes (here: another release's
    // zip and checksum), so the part's ETag is stale.
    ReleaseJob *b = runJob(newRelease({ u"entries"_s, u"profile"_s }));
    QVERIFY(b && !b->error());
    const QByteArray other = serverFile(b->releaseId());
    QFile replaced(QDir(serverDir()).filePath(u"release-%1.zip"_s.arg(id)));
    QVERIFY(replaced.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(replaced.write(other), qint64(other.size()));
    replaced.close();
    QVERIFY(exec(u"UPDATE releases SET sha256 = ?, byte_count = ? WHERE id = ?"_s,
                 { b->release().sha256, qint64(other.size()), id }));

    ReleaseJob *again = runJob(new ReleaseJob(m_api.get(), id, folder(), this));
    QVERIFY(again);
    QVERIFY2(!again->error(), qPrintable(errorOf(again)));
    QCOMPARE(again->download()->requestOffsets().size(), 1);
    QVERIFY(again->download()->requestOffsets().first() > 0); // it asked for the rest
    QCOMPARE(again->download()->restarts(), 1); // and got the whole new file
    QFile file(again->download()->filePath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), other);
    QCOMPARE(again->download()->contents().files.size(), 4);
}

void TestReleaseClient::corruptByteIsReported()
{
    const qint64 id = readyOnServer();
    QVERIFY(id > 0);
    const QByteArray server = serverFile(id);

    // Half arrives; then one byte of the part on disk goes bad.
    ReleaseJob *cut = interruptedAt(id, server.size() / 2);
    QVERIFY(cut);
    const QString part = cut->download()->partPath();
    {
        QFile f(part);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(1000));
        char c = 0;
        QVERIFY(f.getChar(&c));
        QVERIFY(f.seek(1000));
        QVERIFY(f.putChar(char(c ^ 0x20)));
    }
    ReleaseJob *rest = runJob(new ReleaseJob(m_api.get(), id, folder(), this));
    QVERIFY(rest && rest->error());
    QCOMPARE(rest->error()->code, u"corrupt"_s);
    QVERIFY2(rest->error()->message.contains(u"SHA-256"_s), qPrintable(rest->error()->message));
    QVERIFY(!QFile::exists(part)); // the next try starts over
    QVERIFY(!QFile::exists(rest->download()->filePath()));

    // A byte flipped on the server's disk (its checksum unchanged): the same.
    QByteArray bad = server;
    bad[bad.size() / 3] = char(bad[bad.size() / 3] ^ 0x01);
    QFile onServer(QDir(serverDir()).filePath(u"release-%1.zip"_s.arg(id)));
    QVERIFY(onServer.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(onServer.write(bad), qint64(bad.size()));
    onServer.close();
    ReleaseJob *whole = runJob(new ReleaseJob(m_api.get(), id, folder(), this));
    QVERIFY(whole && whole->error());
    QCOMPARE(whole->error()->code, u"corrupt"_s);
    QCOMPARE(whole->download()->requestOffsets(), QList<qint64>({ 0 }));
    QVERIFY(!QFile::exists(whole->download()->filePath()));
}

void TestReleaseClient::fileThatDisagreesWithItsManifestIsReported()
{
    const qint64 id = readyOnServer();
    QVERIFY(id > 0);
    const auto entries = test::zipEntries(serverFile(id));
    QCOMPARE(entries.size(), 4);

    // The server's zip rewritten with one changed byte in entries.csv and
    // the same manifest, and its checksum updated: the zip arrives intact,
    // but entries.csv is not what the manifest says.
    const QString path = QDir(serverDir()).filePath(u"release-%1.zip"_s.arg(id));
    {
        api::ZipWriter zip;
        QVERIFY(zip.open(path, true));
        for (const auto &[name, original] : entries) {
            QByteArray content = original;
            if (name == u"entries.csv"_s)
                content[content.size() / 2] = char(content[content.size() / 2] ^ 0x01);
            QVERIFY(zip.beginEntry(name));
            QVERIFY(zip.write(content));
        }
        QVERIFY(zip.close());
    }
    QFile rewritten(path);
    QVERIFY(rewritten.open(QIODevice::ReadOnly));
    const QByteArray zip = rewritten.readAll();
    QVERIFY(exec(u"UPDATE releases SET sha256 = ?, byte_count = ? WHERE id = ?"_s,
                 { QString::fromLatin1(test::sha256Hex(zip)), qint64(zip.size()), id }));
    ReleaseJob *job = runJob(new ReleaseJob(m_api.get(), id, folder(), this));
    QVERIFY(job && job->error());
    QCOMPARE(job->error()->code, u"corrupt"_s);
    QVERIFY2(job->error()->message.contains(u"entries.csv does not match"_s), qPrintable(job->error()->message));
    QVERIFY(!QFile::exists(job->download()->filePath()));
}

QTEST_MAIN(TestReleaseClient)
#include "tst_releaseclient.moc"
