// /healthz (readiness: the database answers) and /livez (the process runs)
// on both backends, and a database that accepts connections but never
// answers: the readiness answer still comes within its budget, and the
// event loop keeps serving meanwhile.
#include "db/migrations.h"
#include "http/webserver.h"
#include "testdatabase.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

namespace {

struct Answer
{
    int status = 0;
    QJsonObject body;
    QByteArray contentType;
};

Answer get(QNetworkAccessManager &nam, quint16 port, const QString &path)
{
    QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(path))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(20000))
        return {};
    reply->deleteLater();
    return { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
             QJsonDocument::fromJson(reply->readAll()).object(),
             reply->header(QNetworkRequest::ContentTypeHeader).toByteArray() };
}

QByteArray describe(const Answer &answer)
{
    return QByteArray::number(answer.status) + ' ' + QJsonDocument(answer.body).toJson(QJsonDocument::Compact);
}

} // namespace

class TestHealth final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void readyAndLive()
    {
        QFETCH_GLOBAL(QString, backend);
        test::TestDatabase tdb(backend);
        QVERIFY(tdb.isValid());
        const db::Database database = tdb.database();
        QVERIFY(db::migrate(database));
        http::WebServer web(database);
        const auto port = web.listen(QHostAddress::LocalHost, 0);
        QVERIFY(port);
        QNetworkAccessManager nam;

        const Answer ready = get(nam, *port, u"/healthz"_s);
        QCOMPARE(ready.status, 200);
        QVERIFY(ready.contentType.startsWith("application/json"));
        QCOMPARE(ready.body.value(u"status"_s).toString(), u"ok"_s);
        QCOMPARE(ready.body.value(u"database"_s).toString(), backend == "sqlite"_L1 ? u"sqlite"_s : u"postgresql"_s);
        QCOMPARE(ready.body.value(u"schemaVersion"_s).toInt(), *db::schemaVersion(database));
        QVERIFY(!ready.body.contains(u"failing"_s));

        const Answer live = get(nam, *port, u"/livez"_s);
        QCOMPARE(live.status, 200);
        QCOMPARE(live.body.value(u"status"_s).toString(), u"ok"_s);
    }

    // The database answers but the check's query fails: not ready (before,
    // a failed query read as "schema version 0" and the answer said ok).
    void failingQueryIsNotReady()
    {
        QFETCH_GLOBAL(QString, backend);
        test::TestDatabase tdb(backend);
        QVERIFY(tdb.isValid());
        http::WebServer web(tdb.database()); // never migrated: no schema_migrations
        const auto port = web.listen(QHostAddress::LocalHost, 0);
        QVERIFY(port);
        QNetworkAccessManager nam;
        const Answer answer = get(nam, *port, u"/healthz"_s);
        QCOMPARE(answer.status, 503);
        QCOMPARE(answer.body.value(u"status"_s).toString(), u"unavailable"_s);
        QCOMPARE(answer.body.value(u"failing"_s).toArray(), QJsonArray { u"database"_s });
        QCOMPARE(get(nam, *port, u"/livez"_s).status, 200);
    }

    // A "database" that accepts the connection and then says nothing, like a
    // hung server: /healthz answers 503 after its budget, not when libpq
    // gives up (30 s here), and /livez answers all the while.
    void hungDatabaseAnswersWithinTheBudget()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != "sqlite"_L1)
            QSKIP("the hung server is a plain TCP listener: one run is enough");
        QTcpServer silent; // the kernel completes the handshake; nothing is ever read or sent
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        const db::Database database(*db::DatabaseUrl::parse(
                u"postgresql://u:pw@127.0.0.1:%1/openaps?connect_timeout=30"_s.arg(silent.serverPort())));
        const auto budget = std::chrono::milliseconds(300);
        http::WebServer web(database, nullptr, budget);
        const auto port = web.listen(QHostAddress::LocalHost, 0);
        QVERIFY(port);
        QNetworkAccessManager nam;

        QElapsedTimer clock;
        clock.start();
        QNetworkReply *health = nam.get(QNetworkRequest(QUrl(u"http://127.0.0.1:%1/healthz"_s.arg(*port))));
        QSignalSpy healthDone(health, &QNetworkReply::finished);
        // While the check waits for the silent server, the process serves.
        const Answer live = get(nam, *port, u"/livez"_s);
        QCOMPARE(live.status, 200);
        QVERIFY(healthDone.count() == 1 || healthDone.wait(20000));
        const qint64 took = clock.elapsed();
        QCOMPARE(health->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
        const QJsonObject body = QJsonDocument::fromJson(health->readAll()).object();
        QCOMPARE(body.value(u"failing"_s).toArray(), QJsonArray { u"database"_s });
        // Far from libpq's own 30 s, whatever the machine's load.
        QVERIFY2(took < 15000, qPrintable(u"took %1 ms"_s.arg(took)));
        health->deleteLater();

        // A second probe while the first check still hangs waits one budget too.
        const Answer again = get(nam, *port, u"/healthz"_s);
        QVERIFY2(again.status == 503, describe(again).constData());
        // Closing the listener resets the waiting connection, so the check's
        // thread ends now rather than after libpq's timeout.
        silent.close();
    }
};

QTEST_GUILESS_MAIN(TestHealth)
#include "tst_health.moc"
