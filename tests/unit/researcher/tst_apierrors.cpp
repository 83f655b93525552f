#include "researcher/apiclient.h"
#include "researcher/apierrors.h"
#include "researcher/apitypes.h"

#include <QNetworkAccessManager>
#include <QTest>
#include <QTimeZone>

using namespace openaps;
using namespace openaps::researcher;
using namespace Qt::StringLiterals;

namespace {
QByteArray answer(const char *code, const char *message)
{
    return QByteArray("{\"error\":\"") + code + "\",\"message\":\"" + message + "\"}";
}
} // namespace

class TestApiErrors final : public QObject
{
    Q_OBJECT

private slots:
    void contractCodes_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::addRow("bad credentials: our words")
                << 401 << answer("bad-credentials", "Wrong email or password.") << QStringLiteral("bad-credentials")
                << QStringLiteral("The email address or the password is wrong.");
        QTest::addRow("bad token: sign in again") << 401 << answer("bad-token", "x") << QStringLiteral("bad-token")
                                                  << QStringLiteral("Your sign-in has expired. Please sign in again.");
        QTest::addRow("no token: not signed in") << 401 << answer("no-token", "x") << QStringLiteral("no-token")
                                                 << QStringLiteral("You are not signed in. Please sign in first.");
        QTest::addRow("bad request: the server names the field")
                << 400 << answer("bad-request", "The parameter 'from' is not a date.") << QStringLiteral("bad-request")
                << QStringLiteral("The parameter 'from' is not a date.");
        QTest::addRow("bad code: tries remaining from the server")
                << 400 << answer("bad-code", "Wrong code: 3 tries remain.") << QStringLiteral("bad-code")
                << QStringLiteral("Wrong code: 3 tries remain.");
        QTest::addRow("bad code without a message")
                << 400 << QByteArray("{\"error\":\"bad-code\"}") << QStringLiteral("bad-code")
                << QStringLiteral("That code is wrong or has expired. Please check it or ask for a new code.");
        QTest::addRow("not approved")
                << 403 << answer("not-approved", "") << QStringLiteral("not-approved")
                << QStringLiteral("Your application has not been approved yet. You will get an email when it is.");
        QTest::addRow("unknown dataset") << 404 << answer("unknown-dataset", "no") << QStringLiteral("unknown-dataset")
                                         << QStringLiteral("The server has no data set of that name.");
        QTest::addRow("mail unavailable")
                << 503 << answer("mail-unavailable", "") << QStringLiteral("mail-unavailable")
                << QStringLiteral(
                           "The server cannot send email right now, so this cannot be done. Please try again later.");
        QTest::addRow("proxy error page")
                << 502 << QByteArray("<html>Bad Gateway</html>") << QStringLiteral("http-502")
                << QStringLiteral("The server had a problem (error 502). Please try again later.");
        QTest::addRow("unknown code keeps the server's words")
                << 418 << answer("teapot", "I am a teapot.") << QStringLiteral("teapot")
                << QStringLiteral("I am a teapot.");
    }
    void contractCodes()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, message);
        const Error e = errorFromAnswer(status, body);
        QCOMPARE(e.code, code);
        QCOMPARE(e.message, message);
        QCOMPARE(isSignInRequired(e), code == QLatin1String("bad-token") || code == QLatin1String("no-token"));
    }

    void rateLimitedSaysHowLong()
    {
        const Error e = errorFromAnswer(429, answer("rate-limited", "slow down"), "30");
        QCOMPARE(e.message, QStringLiteral("Too many attempts. Please wait 30 seconds and try again."));
    }

    void everyTransportCodeHasWords()
    {
        for (const char *code :
             { "timeout", "unreachable", "truncated", "too-large", "cancelled", "disk", "bad-answer" })
            QVERIFY2(!plainWords(QString::fromLatin1(code)).isEmpty(), code);
    }

    void exportQuery()
    {
        ExportFilter f;
        f.dataset = QStringLiteral("treatments");
        f.format = QStringLiteral("ndjson");
        f.from = QDateTime(QDate(2024, 3, 1), QTime(0, 0), QTimeZone::utc());
        f.to = QDateTime(QDate(2024, 4, 1), QTime(0, 0), QTimeZone::utc());
        f.participants = { QStringLiteral("12"), QStringLiteral("34") };
        f.gzip = true;
        QCOMPARE(f.query().toString(QUrl::FullyDecoded),
                 QStringLiteral(
                         "format=ndjson&from=2024-03-01T00:00:00Z&to=2024-04-01T00:00:00Z&participants=12,34&gzip=1"));
        // `to` is exclusive: up to 1 April 00:00 is "to 31 March, inclusive".
        QCOMPARE(f.defaultFileName(), QStringLiteral("treatments_20240301_20240331.ndjson.gz"));
        f.to = QDateTime(QDate(2024, 4, 1), QTime(12, 0), QTimeZone::utc());
        QCOMPARE(f.defaultFileName(), QStringLiteral("treatments_20240301_20240401.ndjson.gz"));
        QCOMPARE(ExportFilter {}.defaultFileName(), QStringLiteral("entries_start_now.csv"));
        QCOMPARE(ExportFilter {}.query().toString(), QStringLiteral("format=csv"));
        ExportFilter safe;
        safe.spreadsheetSafe = true;
        QCOMPARE(safe.query().toString(), QStringLiteral("format=csv&spreadsheet_safe=1"));
        safe.format = QStringLiteral("ndjson"); // CSV only
        QCOMPARE(safe.query().toString(), QStringLiteral("format=ndjson"));
    }

    void serverAddresses_data()
    {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("url"); // empty: refused
        QTest::addColumn<QString>("code");
        QTest::addRow("https") << u"https://data.example.org"_s << u"https://data.example.org"_s << QString();
        QTest::addRow("no scheme means https") << u"data.example.org"_s << u"https://data.example.org"_s << QString();
        QTest::addRow("plain http elsewhere") << u"http://data.example.org"_s << QString() << u"insecure-address"_s;
        QTest::addRow("plain http to a LAN address")
                << u"http://192.168.1.5:8080"_s << QString() << u"insecure-address"_s;
        QTest::addRow("loopback http") << u"http://127.0.0.1:8080"_s << u"http://127.0.0.1:8080"_s << QString();
        QTest::addRow("loopback without scheme") << u"127.0.0.1:8080"_s << u"http://127.0.0.1:8080"_s << QString();
        QTest::addRow("localhost") << u"http://LOCALHOST:8080/"_s << u"http://localhost:8080/"_s << QString();
        QTest::addRow("IPv6 loopback") << u"http://[::1]:8080"_s << u"http://[::1]:8080"_s << QString();
        QTest::addRow("a name that starts like loopback")
                << u"http://127.0.0.1.evil.example"_s << QString() << u"insecure-address"_s;
        QTest::addRow("ftp") << u"ftp://x.org"_s << QString() << u"bad-address"_s;
        QTest::addRow("empty") << u"  "_s << QString() << u"bad-address"_s;
    }

    void serverAddresses()
    {
        QFETCH(QString, typed);
        QFETCH(QString, url);
        QFETCH(QString, code);
        const auto parsed = parseServerUrl(typed);
        if (url.isEmpty()) {
            QVERIFY(!parsed);
            QCOMPARE(parsed.error().code, code);
            QVERIFY(!parsed.error().message.isEmpty());
        } else {
            QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
            QCOMPARE(parsed->toString(), url);
        }
    }

    void safeFileNames_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("safe");
        QTest::addRow("plain") << u"device_status"_s << u"device_status"_s;
        QTest::addRow("parent directories") << u"../../.bashrc"_s << u"____.bashrc"_s;
        QTest::addRow("absolute path") << u"/etc/cron.d/x"_s << u"_etc_cron.d_x"_s;
        QTest::addRow("backslashes") << u"..\\..\\Startup\\evil"_s << u"____Startup_evil"_s;
        QTest::addRow("control characters") << u"a\nb\u0000c\u001bd"_s << u"a_b_c_d"_s;
        QTest::addRow("right-to-left override") << u"a\u202Egpj.exe"_s << u"a_gpj.exe"_s;
        QTest::addRow("Windows characters") << u"a<b>c:d\"e|f?g*h"_s << u"a_b_c_d_e_f_g_h"_s;
        QTest::addRow("Windows device") << u"CON"_s << u"_CON"_s;
        QTest::addRow("Windows device with extension") << u"nul.txt"_s << u"_nul.txt"_s;
        QTest::addRow("COM1") << u"com1"_s << u"_com1"_s;
        QTest::addRow("not a device") << u"console"_s << u"console"_s;
        QTest::addRow("trailing dots and spaces") << u" x. . "_s << u"x"_s;
        QTest::addRow("only dots") << u"..."_s << u"_"_s;
        QTest::addRow("empty") << QString() << u"download"_s;
        QTest::addRow("long") << QString(300, u'a') << QString(64, u'a');
        QTest::addRow("unicode kept") << u"données"_s << u"données"_s;
    }

    void safeFileNames()
    {
        QFETCH(QString, name);
        QFETCH(QString, safe);
        QCOMPARE(safeFileNamePart(name), safe);
        ExportFilter f;
        f.dataset = name;
        QVERIFY(!f.defaultFileName().contains(u'/'));
        QVERIFY(!f.defaultFileName().contains(u'\\'));
    }

    void endpoints_data()
    {
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("login");
        QTest::addRow("bare") << QStringLiteral("http://127.0.0.1:8080")
                              << QStringLiteral("http://127.0.0.1:8080/api/v1/login");
        QTest::addRow("slash") << QStringLiteral("https://x.org/") << QStringLiteral("https://x.org/api/v1/login");
        QTest::addRow("under a path") << QStringLiteral("https://x.org/data")
                                      << QStringLiteral("https://x.org/data/api/v1/login");
        QTest::addRow("the API's own address") << QStringLiteral("http://127.0.0.1:8080/api/v1/")
                                               << QStringLiteral("http://127.0.0.1:8080/api/v1/login");
    }
    void endpoints()
    {
        QFETCH(QString, server);
        QFETCH(QString, login);
        QNetworkAccessManager nam;
        ApiClient client(&nam);
        client.setServerUrl(QUrl(server));
        QCOMPARE(client.endpoint(QStringLiteral("login")).toString(), login);
        QVERIFY(!client.isSignedIn());
    }

    void datasetsAnswer()
    {
        const auto d = parseDatasets(
                R"({"datasets":[{"name":"entries","columns":[{"name":"sgv","type":"real"}],"time_column":"date"}]})");
        QVERIFY(d);
        QCOMPARE(d->size(), 1);
        QCOMPARE(d->first().columns.first().name, QStringLiteral("sgv"));
        QCOMPARE(d->first().timeColumn, QStringLiteral("date"));
        QCOMPARE(parseDatasets("<html>").error().code, QStringLiteral("bad-answer"));
    }
};

QTEST_GUILESS_MAIN(TestApiErrors)
#include "tst_apierrors.moc"
