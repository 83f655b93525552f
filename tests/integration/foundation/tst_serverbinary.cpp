#include "foundationtest.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace openaps;
using namespace Qt::StringLiterals;
using StringMap = QMap<QString, QString>;

// The real openaps-server binary (OPENAPS_SERVER_BINARY, set by CMake):
// migrate twice, bad configuration, and serve answering /healthz.
class TestServerBinary final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void migrateTwice();
    void migrateRoles();
    void badConfiguration_data();
    void badConfiguration();
    void checkConfigMasksSecrets();
    void serveAnswersHealthz();
    void serveWithoutWebhookSecretOnlyWithOverride();
    void filesArePrivateWhateverTheUmask();
    void onlyMigrateRewritesStoredRows();
};

namespace {

const QString secretKey = u"test-secret-key-0123456789-abcdefghijklmnop"_s;
const QString webhookSecret = u"test-webhook-secret"_s;
constexpr int processTimeoutMs = 60000;

struct Run
{
    bool finished = false;
    QProcess::ExitStatus status = QProcess::CrashExit;
    int exitCode = -1;
    QString out;
    QString err;
};

// The test's environment without any OPENAPS_* setting, plus `settings`.
QProcessEnvironment environment(const QMap<QString, QString> &settings)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QStringList keys = env.keys();
    for (const QString &key : keys) {
        if (key.startsWith(QLatin1String("OPENAPS_")))
            env.remove(key);
    }
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        env.insert(it.key(), it.value());
    return env;
}

Run run(const QStringList &arguments, const QProcessEnvironment &env)
{
    QProcess process;
    process.setProcessEnvironment(env);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(QStringLiteral(OPENAPS_SERVER_BINARY), arguments);
    Run result;
    if (!process.waitForStarted(processTimeoutMs)) {
        result.err = u"cannot start %1: %2"_s.arg(QStringLiteral(OPENAPS_SERVER_BINARY), process.errorString());
        return result;
    }
    result.finished = finished.wait(processTimeoutMs);
    if (!result.finished) {
        process.kill();
        finished.wait(processTimeoutMs);
    }
    result.status = process.exitStatus();
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString describe(const Run &r)
{
    return u"exit %1, stdout: %2\nstderr: %3"_s.arg(r.exitCode).arg(r.out, r.err);
}

} // namespace

void TestServerBinary::migrateTwice()
{
    OPEN_TEST_DATABASE(tdb);
    QTemporaryDir dataDir;
    const auto env = environment(
            { { u"OPENAPS_DATABASE_URL"_s, tdb.url() }, { u"OPENAPS_DATA_DIR"_s, dataDir.path() } });
    const Run first = run({ u"migrate"_s }, env);
    QVERIFY2(first.finished && first.status == QProcess::NormalExit && first.exitCode == 0,
             qPrintable(describe(first)));
    static const QRegularExpression applied(
            uR"(^Applied 0001_initial(, \d{4}_[a-z0-9_]+)*; schema version is now (\d+)\.\n$)"_s);
    const auto m = applied.match(first.out);
    QVERIFY2(m.hasMatch(), qPrintable(first.out));
    const QString version = m.captured(2);

    const Run second = run({ u"migrate"_s }, env);
    QVERIFY2(second.finished && second.status == QProcess::NormalExit && second.exitCode == 0,
             qPrintable(describe(second)));
    const QString backendName = backend == QLatin1String("sqlite") ? u"sqlite"_s : u"postgresql"_s;
    QCOMPARE(second.out, u"Database (%1) is up to date at schema version %2.\n"_s.arg(backendName, version));
    QVERIFY2(!second.err.contains(u"applied migration"_s), qPrintable(second.err));
}

void TestServerBinary::migrateRoles()
{
    OPEN_TEST_DATABASE(tdb);
    QTemporaryDir dataDir;
    const auto env = environment(
            { { u"OPENAPS_DATABASE_URL"_s, tdb.url() }, { u"OPENAPS_DATA_DIR"_s, dataDir.path() } });
    for (int i = 0; i < 2; ++i) {
        const Run r = run({ u"migrate"_s, u"--roles"_s }, env);
        QVERIFY2(r.finished && r.status == QProcess::NormalExit && r.exitCode == 0, qPrintable(describe(r)));
        if (backend == QLatin1String("sqlite"))
            QVERIFY2(r.out.endsWith(u"SQLite has no roles: nothing more to do.\n"_s), qPrintable(r.out));
        else
            QVERIFY2(r.out.endsWith(u"Applied the PostgreSQL roles and grants (openaps_owner, openaps_web, "
                                    "openaps_ingest, openaps_etl, openaps_api, openaps_viewer).\n"_s),
                     qPrintable(r.out));
    }
}

void TestServerBinary::badConfiguration_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<StringMap>("settings");
    QTest::addColumn<QString>("message");

    const QString missingFile = u"/nonexistent/openaps-secret"_s;
    QTest::addRow("unknown scheme")
            << QStringList { u"migrate"_s } << StringMap { { u"OPENAPS_DATABASE_URL"_s, u"mysql://u:pw@h/db"_s } }
            << u"OPENAPS_DATABASE_URL must start with sqlite:// or postgresql:// (the scheme 'mysql' is not supported)."_s;
    QTest::addRow("unreachable postgres")
            << QStringList { u"migrate"_s }
            << StringMap { { u"OPENAPS_DATABASE_URL"_s, u"postgresql://u:dbpw@127.0.0.1:1/db"_s } }
            << u"Cannot reach PostgreSQL at 127.0.0.1:1: the connection was refused (is the server running and accepting TCP/IP connections?)."_s;
    QTest::addRow("unreachable postgres in serve")
            << QStringList { u"serve"_s }
            << StringMap { { u"OPENAPS_DATABASE_URL"_s, u"postgresql://u:dbpw@127.0.0.1:1/db"_s },
                           { u"OPENAPS_SECRET_KEY"_s, secretKey },
                           { u"OPENAPS_OH_WEBHOOK_SECRET"_s, webhookSecret } }
            << u"Cannot reach PostgreSQL at 127.0.0.1:1: the connection was refused (is the server running and accepting TCP/IP connections?)."_s;
    QTest::addRow("missing webhook secret in serve (web role)")
            << QStringList { u"serve"_s, u"--roles"_s, u"web"_s }
            << StringMap { { u"OPENAPS_SECRET_KEY"_s, secretKey } }
            << u"OPENAPS_OH_WEBHOOK_SECRET is not set: the web role needs it to verify Open Humans' deauthorisation webhooks. Set it (or OPENAPS_OH_WEBHOOK_SECRET_FILE) to the webhook secret of the Open Humans project."_s;
    QTest::addRow("missing secret key in serve")
            << QStringList { u"serve"_s } << StringMap {}
            << u"OPENAPS_SECRET_KEY is not set: it encrypts stored tokens. Set it (or OPENAPS_SECRET_KEY_FILE) to a random string of at least 32 characters, for example the output of `openssl rand -base64 48`."_s;
    QTest::addRow("short secret key") << QStringList { u"serve"_s }
                                      << StringMap { { u"OPENAPS_SECRET_KEY"_s, u"tooshort"_s } }
                                      << u"OPENAPS_SECRET_KEY is too short: use at least 32 characters."_s;
    QTest::addRow("unreadable _FILE")
            << QStringList { u"migrate"_s } << StringMap { { u"OPENAPS_SECRET_KEY_FILE"_s, missingFile } }
            << u"OPENAPS_SECRET_KEY_FILE names the file /nonexistent/openaps-secret, which cannot be read (No such file or directory)."_s;
    QTest::addRow("both variable and _FILE")
            << QStringList { u"serve"_s }
            << StringMap { { u"OPENAPS_SECRET_KEY"_s, secretKey }, { u"OPENAPS_SECRET_KEY_FILE"_s, missingFile } }
            << u"Both OPENAPS_SECRET_KEY and OPENAPS_SECRET_KEY_FILE are set: set only one of them."_s;
    QTest::addRow("bad port") << QStringList { u"serve"_s }
                              << StringMap { { u"OPENAPS_HTTP_PORT"_s, u"99999"_s },
                                             { u"OPENAPS_SECRET_KEY"_s, secretKey } }
                              << u"OPENAPS_HTTP_PORT must be a number from 0 to 65535."_s;
    QTest::addRow("missing --config file")
            << QStringList { u"--config"_s, u"/nonexistent/openaps.ini"_s, u"migrate"_s } << StringMap {}
            << u"The configuration file /nonexistent/openaps.ini does not exist."_s;
    QTest::addRow("unknown migrate option")
            << QStringList { u"migrate"_s, u"--rolls"_s } << StringMap {}
            << u"migrate takes only --roles and --login USER=ROLES (unknown argument --rolls)."_s;
}

void TestServerBinary::badConfiguration()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("sqlite"))
        QSKIP("the configuration is checked before any database is used: one run is enough");
    QFETCH(QStringList, arguments);
    QFETCH(StringMap, settings);
    QFETCH(QString, message);
    QTemporaryDir dataDir;
    settings.insert(u"OPENAPS_DATA_DIR"_s, dataDir.path());
    const Run r = run(arguments, environment(settings));
    QVERIFY2(r.finished, qPrintable(describe(r)));
    QVERIFY2(r.status == QProcess::NormalExit, qPrintable(u"crashed: "_s + describe(r)));
    QVERIFY2(r.exitCode != 0, qPrintable(describe(r)));
    // One clear sentence and nothing else: no warnings, traces or secrets.
    QCOMPARE(r.err, u"openaps-server: "_s + message + QLatin1Char('\n'));
    QVERIFY(!r.err.contains(u"dbpw"_s) && !r.err.contains(secretKey));
}

void TestServerBinary::checkConfigMasksSecrets()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("sqlite"))
        QSKIP("no database is used: one run is enough");
    QTemporaryDir dataDir;
    const Run r = run({ u"check-config"_s },
                      environment({ { u"OPENAPS_DATA_DIR"_s, dataDir.path() },
                                    { u"OPENAPS_SECRET_KEY"_s, secretKey },
                                    { u"OPENAPS_DATABASE_URL"_s, u"postgresql://app:dbpw@db:5432/openaps"_s } }));
    QVERIFY2(r.finished && r.status == QProcess::NormalExit && r.exitCode == 0, qPrintable(describe(r)));
    QVERIFY(r.out.contains(u"OPENAPS_DATABASE_URL=postgresql://app:****@db:5432/openaps\n"_s));
    QVERIFY(r.out.contains(u"OPENAPS_SECRET_KEY=**** (set, %1 characters)\n"_s.arg(secretKey.size())));
    QVERIFY(r.out.endsWith(u"configuration OK\n"_s));
    QVERIFY(!r.out.contains(secretKey) && !r.out.contains(u"dbpw"_s));
}

// Starts `serve` on port 0 and returns the port its log names (0 when it
// never listened); `log` gets stderr so far.
static int startServe(QProcess &server, const StringMap &settings, QString *log)
{
    StringMap all = settings;
    all.insert(u"OPENAPS_HTTP_PORT"_s, u"0"_s);
    all.insert(u"OPENAPS_LOG_FORMAT"_s, u"json"_s);
    server.setProcessEnvironment(environment(all));
    server.start(QStringLiteral(OPENAPS_SERVER_BINARY), { u"serve"_s });
    if (!server.waitForStarted(processTimeoutMs))
        return 0;
    // Port 0: the kernel picks one, and the log line says which.
    static const QRegularExpression listening(uR"(listening on \S+ port (\d+))"_s);
    int port = 0;
    QElapsedTimer waited;
    waited.start();
    while (port == 0 && server.state() == QProcess::Running && waited.elapsed() < processTimeoutMs) {
        server.waitForReadyRead(1000);
        *log += QString::fromUtf8(server.readAllStandardError());
        const auto m = listening.match(*log);
        port = m.hasMatch() ? m.captured(1).toInt() : 0;
    }
    return port;
}

void TestServerBinary::serveAnswersHealthz()
{
    OPEN_TEST_DATABASE(tdb);
    QTemporaryDir dataDir;
    QProcess server;
    QSignalSpy finished(&server, &QProcess::finished);
    QString log;
    const int port = startServe(server,
                                { { u"OPENAPS_DATABASE_URL"_s, tdb.url() },
                                  { u"OPENAPS_DATA_DIR"_s, dataDir.path() },
                                  { u"OPENAPS_SECRET_KEY"_s, secretKey },
                                  { u"OPENAPS_OH_WEBHOOK_SECRET"_s, webhookSecret } },
                                &log);
    QVERIFY2(port > 0, qPrintable(log));
    // Every log line is one JSON object.
    const QStringList lines = log.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines)
        QVERIFY2(QJsonDocument::fromJson(line.toUtf8()).isObject(), qPrintable(line));

    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/healthz"_s.arg(port)));
    QNetworkReply *reply = nam.get(request);
    QSignalSpy replied(reply, &QNetworkReply::finished);
    QVERIFY(replied.wait(processTimeoutMs));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    QCOMPARE(body.value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(body.value(u"database"_s).toString(), backend == QLatin1String("sqlite") ? u"sqlite"_s : u"postgresql"_s);
    QVERIFY2(body.value(u"schemaVersion"_s).toInt() >= 1, QJsonDocument(body).toJson().constData());

    // SIGTERM ends it cleanly.
    server.terminate();
    QVERIFY(finished.count() > 0 || finished.wait(processTimeoutMs));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
}

void TestServerBinary::serveWithoutWebhookSecretOnlyWithOverride()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("sqlite"))
        QSKIP("a start-up check: one run is enough");
    QTemporaryDir dataDir;
    QProcess server;
    QString log;
    const int port = startServe(server,
                                { { u"OPENAPS_DATA_DIR"_s, dataDir.path() },
                                  { u"OPENAPS_SECRET_KEY"_s, secretKey },
                                  { u"OPENAPS_INSECURE_NO_WEBHOOK_SECRET"_s, u"1"_s } },
                                &log);
    QVERIFY2(port > 0, qPrintable(log));
    // The override is the operator's explicit choice, and the log says loudly what it costs.
    QVERIFY2(log.contains(u"INSECURE: no OPENAPS_OH_WEBHOOK_SECRET (OPENAPS_INSECURE_NO_WEBHOOK_SECRET is set)"_s),
             qPrintable(log));
    server.terminate();
    QVERIFY(server.waitForFinished(processTimeoutMs));
}

void TestServerBinary::filesArePrivateWhateverTheUmask()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("sqlite"))
        QSKIP("the data directory and SQLite file: one run is enough");
    QTemporaryDir parent;
    const QString dataDir = parent.filePath(u"data"_s);
    // A service manager or shell often hands down 022: world-readable files.
    const mode_t previous = ::umask(022);
    const Run r = run({ u"migrate"_s },
                      environment({ { u"OPENAPS_DATA_DIR"_s, dataDir }, { u"OPENAPS_SECRET_KEY"_s, secretKey } }));
    ::umask(previous);
    QVERIFY2(r.finished && r.exitCode == 0, qPrintable(describe(r)));
    const auto permissions = [](const QString &path) {
        struct stat info
        {
        };
        return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 0777) : -1;
    };
    QCOMPARE(permissions(dataDir), 0700);
    QCOMPARE(permissions(dataDir + u"/openaps.db"_s), 0600);

    // A serving process holds the SQLite write-ahead log and shared memory
    // files open (WAL mode): private too.
    QProcess server;
    QString log;
    ::umask(022);
    const int port = startServe(server,
                                { { u"OPENAPS_DATA_DIR"_s, dataDir },
                                  { u"OPENAPS_SECRET_KEY"_s, secretKey },
                                  { u"OPENAPS_OH_WEBHOOK_SECRET"_s, webhookSecret } },
                                &log);
    ::umask(previous);
    QVERIFY2(port > 0, qPrintable(log));
    const QStringList files = QDir(dataDir).entryList(QDir::Files | QDir::Hidden);
    QVERIFY2(files.contains(u"openaps.db-wal"_s) && files.contains(u"openaps.db-shm"_s), qPrintable(files.join(u' ')));
    for (const QString &file : files)
        QVERIFY2(permissions(dataDir + u'/' + file) == 0600, qPrintable(file));
    server.terminate();
    QVERIFY(server.waitForFinished(processTimeoutMs));
}

// Rows of an older version (a member id in user_id, identifiers not yet
// scrubbed) are rewritten by `migrate` alone: serve refuses to start on them
// with one line and leaves them as they are; migrate rewrites them.
void TestServerBinary::onlyMigrateRewritesStoredRows()
{
    OPEN_TEST_DATABASE(tdb);
    QTemporaryDir dataDir;
    const auto env = environment({ { u"OPENAPS_DATABASE_URL"_s, tdb.url() },
                                   { u"OPENAPS_DATA_DIR"_s, dataDir.path() },
                                   { u"OPENAPS_SECRET_KEY"_s, secretKey },
                                   { u"OPENAPS_OH_WEBHOOK_SECRET"_s, webhookSecret } });
    const Run migrated = run({ u"migrate"_s }, env);
    QVERIFY2(migrated.exitCode == 0, qPrintable(describe(migrated)));

    const db::Database database = tdb.database();
    auto query = [&database](const QString &sql) {
        QSqlQuery q(*database.connection());
        if (!q.exec(sql))
            qWarning("%s", qPrintable(q.lastError().text()));
        return q.next() ? q.value(0).toString() : QString();
    };
    query(u"INSERT INTO entries (user_id, id, sgv, type, device, source_entity, raw_json, \"date\") VALUES "
          "(12345678, 'old-1', 120, 'sgv', 'xDrip Zebulon', 0, '{\"device\": \"xDrip Zebulon\"}', "
          "'2024-02-01T00:00:00Z')"_s);
    query(u"DELETE FROM data_rewrites"_s);

    for (const QString &roles : { u"web"_s, u"etl"_s }) {
        const Run refused = run({ u"serve"_s, u"--roles"_s, roles }, env);
        QVERIFY2(refused.finished && refused.exitCode == 1, qPrintable(describe(refused)));
        // After the log's line about the schema, one line says what to do.
        QVERIFY2(refused.err.endsWith(
                         u"\nopenaps-server: The research tables hold rows from an older version (Open Humans member "
                         "ids instead of pseudonyms): run `openaps-server migrate` first.\n"_s),
                 qPrintable(refused.err));
        QCOMPARE(refused.err.count(u"openaps-server:"_s), 1);
        QCOMPARE(query(u"SELECT user_id FROM entries"_s), u"12345678"_s);
    }

    const Run rewritten = run({ u"migrate"_s }, env);
    QVERIFY2(rewritten.exitCode == 0, qPrintable(describe(rewritten)));
    QVERIFY(query(u"SELECT user_id FROM entries"_s).toLongLong() >= 1000000000000000LL);
    QCOMPARE(query(u"SELECT device FROM entries"_s), u"xdrip"_s);
    QCOMPARE(query(u"SELECT COUNT(*) FROM data_rewrites WHERE name = 'scrub-identifiers'"_s), u"1"_s);
    database.closeConnection();
}

QTEST_GUILESS_MAIN(TestServerBinary)
#include "tst_serverbinary.moc"
