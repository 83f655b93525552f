// `openaps-demo` (deploy/demo.sh) as a newcomer meets it: the real binary, its printed
// URLs, and data flowing from the Nightscout stand-in through ingest and ETL
// into the research database.

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

class TestDemo final : public QObject
{
    Q_OBJECT

private slots:
    void demoShowsTheWholeSystem();
    void demoHonoursTheOperatorsSettings();

private:
    QByteArray get(const QUrl &url, int *status);
    QByteArray post(const QUrl &url, const QJsonObject &body, int *status);
    QNetworkAccessManager m_nam;
};

QByteArray TestDemo::get(const QUrl &url, int *status)
{
    QNetworkReply *reply = m_nam.get(QNetworkRequest(url));
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(20000);
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
}

QByteArray TestDemo::post(const QUrl &url, const QJsonObject &body, int *status)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_nam.post(request, QJsonDocument(body).toJson());
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(20000);
    *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QByteArray answer = reply->readAll();
    reply->deleteLater();
    return answer;
}

// The demo needs its port before it starts (the site's public URL). A port
// from the kernel's ephemeral range could be handed to another test's
// listen(0) or outgoing connection before the demo binds it; one below that
// range (32768 and up on Linux) is only taken by someone choosing it.
static quint16 freePort()
{
    for (;;) {
        const auto port = quint16(QRandomGenerator::global()->bounded(26000, 32000));
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, port))
            return port;
    }
}

// openaps-demo on a free port with its data in `dataDir`; stopped (Ctrl-C,
// then killed) when it goes out of scope.
struct DemoProcess : QProcess
{
    const quint16 port = freePort();

    DemoProcess(const QString &dataDir, int participants, const QProcessEnvironment &environment)
    {
        setProcessEnvironment(environment);
        setProcessChannelMode(QProcess::SeparateChannels);
        start(QStringLiteral(OPENAPS_DEMO_BINARY),
              { QStringLiteral("--data-dir"), dataDir, QStringLiteral("--port"), QString::number(port),
                QStringLiteral("--participants"), QString::number(participants) });
    }
    ~DemoProcess() override
    {
        terminate();
        if (!waitForFinished(10000))
            kill();
    }
};

// The first column of the first row of `sql`, read-only beside the running demo.
static QVariant scalar(const QString &dbPath, const QString &sql)
{
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("demo-check"));
        db.setDatabaseName(dbPath);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                value = q.value(0);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("demo-check"));
    return value;
}

static qint64 countRows(const QString &dbPath, const QString &table)
{
    const QVariant n = scalar(dbPath, QStringLiteral("SELECT COUNT(*) FROM ") + table);
    return n.isValid() ? n.toLongLong() : -1;
}

void TestDemo::demoShowsTheWholeSystem()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    DemoProcess demo(dir.path(), 2, QProcessEnvironment::systemEnvironment());
    const quint16 port = demo.port;
    QVERIFY(demo.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += demo.readAllStandardOutput()).contains("Stop with Ctrl-C"), 30000);

    const auto urlAfter = [&out](const char *label) {
        const QRegularExpression re(QString::fromLatin1(label) + QStringLiteral(R"(\s+(http://\S+))"));
        return QUrl(re.match(QString::fromUtf8(out)).captured(1));
    };
    const QUrl site = urlAfter("Participant site:");
    const QUrl health = urlAfter("Health:");
    QCOMPARE(site.port(), int(port));
    const QRegularExpression nsLine(QStringLiteral(R"((http://127\.0\.0\.1:\d+/p1)\s+\(open\))"));
    const QUrl nightscout(nsLine.match(QString::fromUtf8(out)).captured(1));
    QVERIFY2(nightscout.isValid() && !nightscout.isEmpty(), out.constData());

    int status = 0;
    const QJsonObject healthBody = QJsonDocument::fromJson(get(health, &status)).object();
    QCOMPARE(status, 200);
    QCOMPARE(healthBody.value(QStringLiteral("database")).toString(), QStringLiteral("sqlite"));
    QVERIFY(healthBody.value(QStringLiteral("schemaVersion")).toInt() > 0);

    // The researcher API with the printed administrator, and the mailbox page.
    const QRegularExpression apiLine(QStringLiteral(R"(Researcher API:\s+(http://\S+)\s+admin:\s+(\S+) / (\S+))"));
    const auto api = apiLine.match(QString::fromUtf8(out));
    QVERIFY2(api.hasMatch(), out.constData());
    const QJsonObject login = QJsonDocument::fromJson(post(QUrl(api.captured(1) + QStringLiteral("/login")),
                                                           { { QStringLiteral("email"), api.captured(2) },
                                                             { QStringLiteral("password"), api.captured(3) } },
                                                           &status))
                                      .object();
    QCOMPARE(status, 200);
    QVERIFY(!login.value(QStringLiteral("token")).toString().isEmpty());
    QVERIFY(login.value(QStringLiteral("researcher")).toObject().value(QStringLiteral("is_admin")).toBool());
    get(urlAfter("Mailbox:"), &status);
    QCOMPARE(status, 200);

    const QByteArray landing = get(site, &status);
    QCOMPARE(status, 200);
    QVERIFY(landing.contains("Open Humans"));

    // What the README tells a newcomer to try: the stand-in has glucose
    // readings, none from the future. Like Nightscout it also serves `cal`
    // and `mbg` entries (no `sgv` field), so the newest three of any type
    // depend on the clock: ask for the newest sensor readings. Some uploaders
    // write numbers as strings ("sgv": "123"), and the stand-in does too.
    const QJsonArray entries = QJsonDocument::fromJson(
                                       get(QUrl(nightscout.toString()
                                                + QStringLiteral("/api/v1/entries.json?count=3&find[type]=sgv")),
                                           &status))
                                       .array();
    QCOMPARE(status, 200);
    QCOMPARE(entries.size(), 3);
    for (const QJsonValue &entry : entries) {
        QCOMPARE(entry.toObject().value(QStringLiteral("type")).toString(), QStringLiteral("sgv"));
        QVERIFY(entry.toObject().value(QStringLiteral("sgv")).toVariant().toDouble() > 0);
        QVERIFY(qint64(entry.toObject().value(QStringLiteral("date")).toDouble())
                <= QDateTime::currentMSecsSinceEpoch());
    }

    // Ingest moves the data to Open Humans at once, ETL loads it on its next
    // cycle (every minute): entries arrive in the research database.
    const QString dbPath = dir.filePath(QStringLiteral("openaps.db"));
    QTRY_VERIFY_WITH_TIMEOUT(countRows(dbPath, QStringLiteral("entries")) > 1000, 150000);
    QTRY_VERIFY_WITH_TIMEOUT(countRows(dbPath, QStringLiteral("treatments")) > 0, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(countRows(dbPath, QStringLiteral("device_status")) > 0, 30000);

    // The member of the old Data Commons who never logged in here: the
    // master token lists them, the ETL loads the old whole-history files
    // under the old default consent (OpenAPS), the ingest adds segments.
    const QRegularExpression legacyLine(
            QStringLiteral(R"(/legacy\s+\(open\), Open Humans member (\d+) of the old Data Commons)"));
    const QString legacy = legacyLine.match(QString::fromUtf8(out)).captured(1);
    QVERIFY2(!legacy.isEmpty(), out.constData());
    const auto legacyRows = [&](const char *files) {
        return scalar(dbPath,
                      QStringLiteral("SELECT COALESCE(SUM(f.records), 0) FROM etl_files f JOIN participants p ON "
                                     "p.id = f.participant_id WHERE p.member_id = '%1' AND f.data_type = 'entries' "
                                     "AND f.status = 'loaded' AND f.basename LIKE '%2'")
                              .arg(legacy, QLatin1String(files)))
                .toLongLong();
    };
    QTRY_VERIFY_WITH_TIMEOUT(legacyRows("%_entries.json") > 1000, 120000);
    QTRY_VERIFY_WITH_TIMEOUT(legacyRows("%.ndjson.gz") > 0, 120000);
    QCOMPARE(scalar(dbPath,
                    QStringLiteral("SELECT (p.access_token_enc IS NULL) || '/' || e.consent FROM participants p "
                                   "JOIN etl_participants e ON e.participant_id = p.id WHERE p.member_id = '%1'")
                            .arg(legacy))
                     .toString(),
             QStringLiteral("1/openaps"));

    // A member leaves on the Open Humans stand-in with erasure: its notice,
    // signed with the secret the demo generated, erases them here.
    const QString member = scalar(dbPath, QStringLiteral("SELECT member_id FROM participants ORDER BY id LIMIT 1"))
                                   .toString();
    QVERIFY(!member.isEmpty());
    QNetworkRequest leave(urlAfter("Open Humans stand-in:").resolved(QUrl(QStringLiteral("/member/leave/"))));
    leave.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    QNetworkReply *left = m_nam.post(leave, "erasure_requested=true&project_member_id=" + member.toUtf8());
    QSignalSpy leftDone(left, &QNetworkReply::finished);
    QVERIFY(left->isFinished() || leftDone.wait(20000));
    const QJsonObject leaveBody = QJsonDocument::fromJson(left->readAll()).object();
    left->deleteLater();
    QCOMPARE(leaveBody.value(QStringLiteral("webhook_status")).toInt(), 200);
    QCOMPARE(scalar(dbPath, QStringLiteral("SELECT COUNT(*) FROM participants WHERE member_id = '%1'").arg(member))
                     .toInt(),
             0);
    QCOMPARE(demo.state(), QProcess::Running);
}

void TestDemo::demoHonoursTheOperatorsSettings()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("OPENAPS_SITE_CONTACT"), QStringLiteral("operator@example.org"));
    env.insert(QStringLiteral("OPENAPS_OH_WEBHOOK_SECRET"), QStringLiteral("operator-webhook-secret"));
    env.insert(QStringLiteral("OPENAPS_INGEST_INTERVAL"), QStringLiteral("2h"));
    // Owned by the demo: its database starts empty beside the stand-ins.
    env.insert(QStringLiteral("OPENAPS_DATABASE_URL"), QStringLiteral("sqlite:///nonexistent-dir/never.db"));
    env.insert(QStringLiteral("OPENAPS_OH_BASE_URL"), QStringLiteral("https://www.openhumans.org"));
    DemoProcess demo(dir.path(), 0, env);
    const quint16 port = demo.port;
    QVERIFY(demo.waitForStarted());
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += demo.readAllStandardOutput()).contains("Stop with Ctrl-C"), 30000);
    QVERIFY2(out.contains("Your settings:       OPENAPS_OH_WEBHOOK_SECRET, OPENAPS_INGEST_INTERVAL, "
                          "OPENAPS_SITE_CONTACT\n"),
             out.constData());
    QVERIFY2(!out.contains("operator-webhook-secret"), "values are never printed");
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("openaps.db"))));

    const QUrl site(QStringLiteral("http://127.0.0.1:%1").arg(port));
    int status = 0;
    const QByteArray privacy = get(site.resolved(QUrl(QStringLiteral("/privacy"))), &status);
    QCOMPARE(status, 200);
    QVERIFY(privacy.contains("href=\"mailto:operator@example.org\""));
    // The stand-in Open Humans is still the one the site logs in with.
    QVERIFY(get(site.resolved(QUrl(QStringLiteral("/"))), &status).contains("http://127.0.0.1:"));
    // The webhook secret is in force: an unsigned erasure request is refused.
    post(site.resolved(QUrl(QStringLiteral("/deauth"))),
         { { QStringLiteral("project_member_id"), QStringLiteral("12345678") },
           { QStringLiteral("erasure_requested"), true },
           { QStringLiteral("timestamp"), QStringLiteral("2024-01-01T00:00:00Z") } },
         &status);
    QCOMPARE(status, 401);
}

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
