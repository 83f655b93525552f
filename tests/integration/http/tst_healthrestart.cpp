// The real `openaps-server serve` on a private PostgreSQL cluster that is
// stopped and started under it: /healthz says 503 naming the database while
// it is down and 200 again once it is back, /livez stays 200 throughout, and
// the connection that serves requests (researcher API, metrics) works again
// at once, without a failed request to notice that the old one was dead.
//
// The cluster is this test's own (initdb into a temporary directory, its own
// port), never the shared one other tests use. Skips only when PostgreSQL's
// server programs are not installed (deploy/install-deps.sh test installs them).

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr int kProcessTimeoutMs = 120000;
constexpr int kHealthTimeoutMs = 60000;

// PostgreSQL's server programs: Debian keeps them out of PATH.
QString postgresBinDir()
{
    QDir lib(u"/usr/lib/postgresql"_s);
    QStringList versions = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(),
              [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
    for (const QString &version : std::as_const(versions)) {
        QString bin = lib.filePath(version + u"/bin"_s);
        if (QFile::exists(bin + u"/initdb"_s) && QFile::exists(bin + u"/pg_ctl"_s))
            return bin;
    }
    const QString initdb = QStandardPaths::findExecutable(u"initdb"_s);
    return initdb.isEmpty() ? QString() : QFileInfo(initdb).absolutePath();
}

// A throw-away cluster on 127.0.0.1 with trust authentication. initdb and
// the server refuse to run as root, so as root they run as `postgres`.
class PrivateCluster
{
public:
    explicit PrivateCluster(QString binDir) : m_bin(std::move(binDir)) { }
    ~PrivateCluster()
    {
        if (m_started)
            pgCtl({ u"stop"_s, u"-m"_s, u"immediate"_s });
    }

    QString error() const { return m_error; }
    quint16 port() const { return m_port; }
    QString url() const { return u"postgresql://openaps@127.0.0.1:%1/postgres"_s.arg(m_port); }

    bool init()
    {
        if (!m_dir.isValid())
            return fail(u"no temporary directory"_s);
        m_data = m_dir.filePath(u"data"_s);
        if (geteuid() == 0) {
            const passwd *pw = getpwnam("postgres");
            if (!pw)
                return fail(u"running as root and there is no postgres user to run the cluster"_s);
            m_uid = pw->pw_uid;
            m_gid = pw->pw_gid;
            // The temporary directory is root's; the cluster's user needs its own corner.
            chmod(QFile::encodeName(m_dir.path()).constData(), 0755);
        }
        QDir().mkpath(m_data);
        if (m_uid != uid_t(-1) && chown(QFile::encodeName(m_data).constData(), m_uid, m_gid) != 0)
            return fail(u"cannot hand the data directory to postgres"_s);
        return run(u"initdb"_s,
                   { u"-D"_s, m_data, u"-U"_s, u"openaps"_s, u"--auth=trust"_s, u"--no-sync"_s, u"-E"_s, u"UTF8"_s,
                     u"--locale=C"_s });
    }

    // A port below the kernel's ephemeral range (32768 and up on Linux), so
    // no other test's listen(port 0) or outgoing connection can take it
    // while the cluster is stopped (app_demo picks from 26000 up); a port in
    // use is tried again with another one.
    bool startOnFreePort()
    {
        for (int attempt = 0; attempt < 10; ++attempt) {
            m_port = quint16(QRandomGenerator::global()->bounded(20000, 26000));
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, m_port))
                continue;
            probe.close();
            if (start())
                return true;
        }
        return false;
    }

    bool start()
    {
        const QString options = u"-p %1 -c listen_addresses=127.0.0.1 -k %2 -c fsync=off"_s.arg(m_port).arg(m_data);
        m_started = pgCtl(
                { u"start"_s, u"-w"_s, u"-t"_s, u"90"_s, u"-l"_s, m_data + u"/server.log"_s, u"-o"_s, options });
        return m_started;
    }

    // A fast shutdown, as at a restart: the server ends every session and
    // waits for its processes to exit before pg_ctl returns.
    bool stop()
    {
        const bool stopped = pgCtl({ u"stop"_s, u"-m"_s, u"fast"_s, u"-w"_s, u"-t"_s, u"90"_s });
        m_started = !stopped;
        return stopped;
    }

private:
    bool fail(const QString &why)
    {
        m_error = why;
        return false;
    }

    bool pgCtl(QStringList arguments)
    {
        arguments.prepend(m_data);
        arguments.prepend(u"-D"_s);
        return run(u"pg_ctl"_s, arguments);
    }

    bool run(const QString &program, const QStringList &arguments)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        const QString path = m_bin + QLatin1Char('/') + program;
        if (m_uid != uid_t(-1)) {
            process.setWorkingDirectory(m_data); // the cluster's user may not enter the test's cwd
            process.start(
                    u"setpriv"_s,
                    QStringList { u"--reuid=%1"_s.arg(m_uid), u"--regid=%1"_s.arg(m_gid), u"--clear-groups"_s, path }
                            + arguments);
        } else {
            process.start(path, arguments);
        }
        if (!process.waitForFinished(kProcessTimeoutMs)) {
            process.kill();
            process.waitForFinished();
            return fail(program + u" did not finish"_s);
        }
        if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
            return fail(program + u" failed: "_s + QString::fromLocal8Bit(process.readAll()));
        return true;
    }

    QString m_bin;
    QTemporaryDir m_dir;
    QString m_data;
    QString m_error;
    uid_t m_uid = uid_t(-1);
    gid_t m_gid = gid_t(-1);
    quint16 m_port = 0;
    bool m_started = false;
};

struct Answer
{
    int status = 0;
    QByteArray body;
};

} // namespace

class TestHealthRestart final : public QObject
{
    Q_OBJECT

private slots:
    void readinessFollowsTheDatabase();

private:
    Answer get(quint16 port, const QString &path, const QByteArray &bearer = {});
    QJsonObject health(quint16 port, int *status);
    QNetworkAccessManager m_nam;
};

Answer TestHealthRestart::get(quint16 port, const QString &path, const QByteArray &bearer)
{
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(path)));
    if (!bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + bearer);
    QNetworkReply *reply = m_nam.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(30000))
        return {};
    reply->deleteLater();
    return { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll() };
}

QJsonObject TestHealthRestart::health(quint16 port, int *status)
{
    const Answer answer = get(port, u"/healthz"_s);
    *status = answer.status;
    return QJsonDocument::fromJson(answer.body).object();
}

void TestHealthRestart::readinessFollowsTheDatabase()
{
    const QString bin = postgresBinDir();
    if (bin.isEmpty())
        QSKIP("PostgreSQL's server programs (initdb, pg_ctl) are not installed: run deploy/install-deps.sh test");
    PrivateCluster cluster(bin);
    QVERIFY2(cluster.init(), qPrintable(cluster.error()));
    QVERIFY2(cluster.startOnFreePort(), qPrintable(cluster.error()));

    QTemporaryDir dataDir;
    QProcess server;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(u"OPENAPS_"_s))
            env.remove(key);
    }
    env.insert(u"OPENAPS_DATABASE_URL"_s, cluster.url());
    env.insert(u"OPENAPS_DATA_DIR"_s, dataDir.path());
    env.insert(u"OPENAPS_SECRET_KEY"_s, u"test-secret-key-0123456789-abcdefghijklmnop"_s);
    env.insert(u"OPENAPS_OH_WEBHOOK_SECRET"_s, u"test-webhook-secret"_s);
    env.insert(u"OPENAPS_HTTP_PORT"_s, u"0"_s);
    server.setProcessEnvironment(env);
    QByteArray log;
    connect(&server, &QProcess::readyReadStandardError, this, [&] { log += server.readAllStandardError(); });
    server.start(QStringLiteral(OPENAPS_SERVER_BINARY), { u"serve"_s }); // every role: web, api, ingest, etl
    QVERIFY2(server.waitForStarted(kProcessTimeoutMs), qPrintable(server.errorString()));
    auto stopServer = qScopeGuard([&server] {
        server.terminate();
        if (!server.waitForFinished(30000))
            server.kill();
    });

    static const QRegularExpression listening(uR"(listening on \S+ port (\d+))"_s);
    quint16 port = 0;
    QTRY_VERIFY2_WITH_TIMEOUT((port = quint16(listening.match(QString::fromUtf8(log)).captured(1).toUInt())) > 0
                                      || server.state() == QProcess::NotRunning,
                              log.constData(), kProcessTimeoutMs);
    QVERIFY2(port > 0, log.constData());

    int status = 0;
    QJsonObject body = health(port, &status);
    QCOMPARE(status, 200);
    QCOMPARE(body.value(u"status"_s).toString(), u"ok"_s);
    QVERIFY(body.value(u"schemaVersion"_s).toInt() > 0);
    // A made-up token: the API looks it up in the database and says 401.
    const QByteArray token("not-a-token-but-long-enough-to-be-looked-up");
    QCOMPARE(get(port, u"/api/v1/me"_s, token).status, 401);

    QVERIFY2(cluster.stop(), qPrintable(cluster.error()));
    QTRY_VERIFY_WITH_TIMEOUT((body = health(port, &status), status == 503), kHealthTimeoutMs);
    QCOMPARE(body.value(u"status"_s).toString(), u"unavailable"_s);
    QCOMPARE(body.value(u"failing"_s).toArray(), QJsonArray { u"database"_s });
    QCOMPARE(get(port, u"/livez"_s).status, 200);

    QVERIFY2(cluster.start(), qPrintable(cluster.error()));
    QTRY_VERIFY_WITH_TIMEOUT((body = health(port, &status), status == 200), kHealthTimeoutMs);
    QCOMPARE(body.value(u"status"_s).toString(), u"ok"_s);
    // The request connection was ended by the restart and not used since:
    // the first request after it must already succeed.
    QCOMPARE(get(port, u"/api/v1/me"_s, token).status, 401);
    const Answer metrics = get(port, u"/metrics"_s);
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.body.contains("\nopenaps_database_up 1\n"), metrics.body.constData());
    QCOMPARE(get(port, u"/livez"_s).status, 200);

    stopServer.dismiss();
    server.terminate();
    QVERIFY(server.waitForFinished(30000));
    QVERIFY2(server.exitStatus() == QProcess::NormalExit && server.exitCode() == 0, log.constData());
    QVERIFY2(log.contains("not ready: the database does not answer"), log.constData());
    QVERIFY2(log.contains("ready: the database answers again"), log.constData());
}

QTEST_GUILESS_MAIN(TestHealthRestart)
#include "tst_healthrestart.moc"
