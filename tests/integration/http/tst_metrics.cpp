// /metrics: the Prometheus text the web server answers, who may read it,
// and the database-wide families every instance reports.
#include "app/runtimemetrics.h"
#include "db/migrations.h"
#include "db/sqlhelpers.h"
#include "http/webserver.h"
#include "testdatabase.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

namespace {

struct Answer
{
    int status = 0;
    QString body;
};

Answer get(quint16 port, const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    QNetworkAccessManager nam;
    QNetworkRequest request(QUrl(u"http://127.0.0.1:%1/metrics"_s.arg(port)));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = nam.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(10000))
        return {};
    reply->deleteLater();
    return { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), QString::fromUtf8(reply->readAll()) };
}

} // namespace

class TestMetrics final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void labelValuesAreEscaped()
    {
        http::PrometheusText out;
        out.family("x_total", "counter", "Help text.");
        out.sample("x_total", 2.5, { { u"a"_s, u"q\"b\\s\nn"_s }, { u"b"_s, u"plain"_s } });
        QCOMPARE(out.text(),
                 u"# HELP x_total Help text.\n# TYPE x_total counter\n"
                 "x_total{a=\"q\\\"b\\\\s\\nn\",b=\"plain\"} 2.5\n"_s);
    }

    void databaseFamiliesCountEveryInstancesWork()
    {
        QFETCH_GLOBAL(QString, backend);
        test::TestDatabase tdb(backend);
        QVERIFY(tdb.isValid());
        const db::Database database = tdb.database();
        QVERIFY(db::migrate(database));
        const QSqlDatabase db = *database.connection();
        const QList<QVariantList> participants {
            { u"m1"_s, u"both"_s, QVariant() },
            { u"m2"_s, u"openaps"_s, QVariant() },
            { u"m3"_s, u"openaps"_s, QVariant() },
            { u"m4"_s, QVariant(), QVariant() },
            { u"m5"_s, u"nsf"_s, u"2026-01-02T03:04:05Z"_s },
        };
        for (const QVariantList &p : participants) {
            QVERIFY(sql::exec(db,
                              u"INSERT INTO participants (member_id, sharing_consent, deauthorized_at) "
                              "VALUES (?, ?, ?)"_s,
                              { p[0], p[1].isNull() ? sql::nullText() : p[1], p[2].isNull() ? sql::nullText() : p[2] },
                              "insert participant"));
        }
        // m1 and m2 saved the same Nightscout site (m5, on it too, left).
        QVERIFY(sql::exec(db,
                          u"UPDATE participants SET nightscout_site = 'a.example' "
                          "WHERE member_id IN ('m1', 'm2', 'm5')"_s,
                          {}, "mark one site"));
        const QList<QVariantList> files {
            { u"f1"_s, u"loaded"_s, 100, 0 },
            { u"f2"_s, u"loaded"_s, 50, 2 },
            { u"f3"_s, u"failed"_s, 7, 7 },
        };
        for (const QVariantList &f : files) {
            QVERIFY(sql::exec(db,
                              u"INSERT INTO etl_files (participant_id, file_id, basename, data_type, status, "
                              "records, bad_lines) VALUES ((SELECT id FROM participants WHERE member_id = 'm1'), "
                              "?, ?, 'entries', ?, ?, ?)"_s,
                              { f[0], f[0], f[1], f[2], f[3] }, "insert file"));
        }

        http::WebServer web(database);
        web.addMetricsSource([&database](http::PrometheusText &out) { app::addDatabaseMetrics(database, out); });
        const auto port = web.listen(QHostAddress::LocalHost, 0);
        QVERIFY(port);
        const Answer answer = get(*port);
        QCOMPARE(answer.status, 200);
        const QStringList expected {
            u"openaps_database_up 1"_s,
            u"openaps_participants{state=\"active\"} 4"_s,
            u"openaps_participants{state=\"deauthorized\"} 1"_s,
            u"openaps_participants_duplicate_sites 1"_s,
            u"openaps_participants_consent{consent=\"openaps\"} 2"_s,
            u"openaps_participants_consent{consent=\"both\"} 1"_s,
            u"openaps_participants_consent{consent=\"unset\"} 1"_s,
            u"openaps_etl_files{status=\"loaded\"} 2"_s,
            u"openaps_etl_files{status=\"failed\"} 1"_s,
            u"openaps_etl_records{status=\"loaded\"} 150"_s,
            u"openaps_etl_bad_lines{status=\"loaded\"} 2"_s,
            u"openaps_etl_bad_lines{status=\"failed\"} 7"_s,
            u"# TYPE openaps_participants gauge"_s,
        };
        const QStringList lines = answer.body.split(u'\n');
        for (const QString &line : expected)
            QVERIFY2(lines.contains(line), qPrintable(line + u" missing in:\n"_s + answer.body));
        // Deauthorized members are not counted under any consent.
        QVERIFY(!answer.body.contains(u"consent=\"nsf\""_s));
    }

    void whoMayRead_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<QByteArray>("forwardedFor");
        QTest::addColumn<int>("status");
        QTest::addRow("no token, local") << QByteArray() << QByteArray() << QByteArray() << 200;
        QTest::addRow("no token, through a proxy") << QByteArray() << QByteArray() << QByteArray("203.0.113.9") << 403;
        QTest::addRow("token, none sent") << QByteArray("s3cret-metrics") << QByteArray() << QByteArray() << 403;
        QTest::addRow("token, wrong") << QByteArray("s3cret-metrics") << QByteArray("Bearer s3cret-metricz")
                                      << QByteArray() << 403;
        QTest::addRow("token, right, through a proxy")
                << QByteArray("s3cret-metrics") << QByteArray("Bearer s3cret-metrics") << QByteArray("203.0.113.9")
                << 200;
    }

    void whoMayRead()
    {
        QFETCH_GLOBAL(QString, backend);
        if (backend != "sqlite"_L1)
            QSKIP("access rules do not depend on the backend");
        QFETCH(QByteArray, token);
        QFETCH(QByteArray, authorization);
        QFETCH(QByteArray, forwardedFor);
        QFETCH(int, status);
        test::TestDatabase tdb(backend);
        http::WebServer web(tdb.database());
        web.setMetricsToken(token);
        const auto port = web.listen(QHostAddress::LocalHost, 0);
        QVERIFY(port);
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!authorization.isEmpty())
            headers.append({ "Authorization", authorization });
        if (!forwardedFor.isEmpty())
            headers.append({ "X-Forwarded-For", forwardedFor });
        const Answer answer = get(*port, headers);
        QCOMPARE(answer.status, status);
        QCOMPARE(answer.body.contains(u"openaps_build_info"_s), status == 200);
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
