// The Open Humans wire format: answers parsed into values, and HTTP answers
// mapped to error codes callers act on.

#include "openhumans/api.h"
#include "openhumans/client.h"

#include <QNetworkAccessManager>
#include <QTest>
#include <QUrlQuery>

using namespace openaps;

namespace {
// JSON written with single quotes, for readability (and because moc cannot
// read raw string literals).
QByteArray j(const char *text)
{
    QByteArray json(text);
    json.replace('\'', '"');
    return json;
}

HttpResponse answer(int status, const QByteArray &body, const QUrl &url = {})
{
    HttpResponse response;
    response.status = status;
    response.body = body;
    response.url = url;
    return response;
}
}

class TestOhApi : public QObject
{
    Q_OBJECT

private slots:
    void endpointsKeepTheBasePath_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("expected");
        QTest::addRow("plain") << QStringLiteral("https://www.openhumans.org")
                               << QStringLiteral("https://www.openhumans.org/oauth2/token/");
        QTest::addRow("trailing slash") << QStringLiteral("https://www.openhumans.org/")
                                        << QStringLiteral("https://www.openhumans.org/oauth2/token/");
        QTest::addRow("path prefix") << QStringLiteral("http://127.0.0.1:8000/oh/")
                                     << QStringLiteral("http://127.0.0.1:8000/oh/oauth2/token/");
        QTest::addRow("query dropped") << QStringLiteral("https://example.org/?x=1")
                                       << QStringLiteral("https://example.org/oauth2/token/");
    }

    void endpointsKeepTheBasePath()
    {
        QFETCH(QString, base);
        QFETCH(QString, expected);
        oh::Settings settings;
        settings.baseUrl = QUrl(base);
        QCOMPARE(oh::api::endpoint(settings, oh::api::tokenPath).toString(), expected);
    }

    void accessTokenIsReplacedNotDuplicated()
    {
        const QUrl url(QStringLiteral("https://x.org/api/?limit=2&access_token=old&offset=4"));
        const QUrlQuery query(oh::api::withAccessToken(url, QStringLiteral("new+token")));
        QCOMPARE(query.allQueryItemValues(QStringLiteral("access_token"), QUrl::FullyDecoded),
                 QStringList { QStringLiteral("new+token") });
        QCOMPARE(query.queryItemValue(QStringLiteral("offset")), QStringLiteral("4"));
    }

    void tokenPairExpiryUsesTheClock_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<qint64>("seconds");
        QTest::addRow("number") << QByteArray(
                j("{'access_token':'a','refresh_token':'r','expires_in':36000,'scope':'read write'}"))
                                << qint64(36000);
        QTest::addRow("text") << QByteArray(j("{'access_token':'a','refresh_token':'r','expires_in':'600'}"))
                              << qint64(600);
        QTest::addRow("missing: assume an hour")
                << QByteArray(j("{'access_token':'a','refresh_token':'r'}")) << qint64(3600);
        // Found by fuzzing: a number beyond qint64 overflowed the conversion
        // (undefined; on x86 it gave the smallest qint64, so an expired token).
        QTest::addRow("huge: ten years at most")
                << QByteArray(j("{'access_token':'a','refresh_token':'r','expires_in':1e300}"))
                << qint64(10LL * 366 * 86400);
        QTest::addRow("negative: expired")
                << QByteArray(j("{'access_token':'a','refresh_token':'r','expires_in':-5e26}")) << qint64(0);
    }

    void tokenPairExpiryUsesTheClock()
    {
        QFETCH(QByteArray, body);
        QFETCH(qint64, seconds);
        const QDateTime now(QDate(2024, 1, 2), QTime(3, 4, 5), Qt::UTC);
        const auto pair = oh::api::parseTokenPair(answer(200, body), now);
        QVERIFY(pair.ok());
        QCOMPARE(pair->accessToken, QStringLiteral("a"));
        QCOMPARE(pair->refreshToken, QStringLiteral("r"));
        QCOMPARE(pair->expiresAt, now.addSecs(seconds));
        QCOMPARE(pair->expiredAt(now), seconds == 0);
        QVERIFY(pair->expiredAt(now.addSecs(seconds)));
    }

    void tokenPairNeedsBothTokens()
    {
        const auto pair = oh::api::parseTokenPair(answer(200, j("{'access_token':'a'}")),
                                                  QDateTime::currentDateTimeUtc());
        QVERIFY(!pair.ok());
        QCOMPARE(pair.error().code, QStringLiteral("bad-response"));
    }

    void memberPage()
    {
        const QByteArray body = j(
                "{"
                "'project_member_id': 12345678, 'created': '2018-01-01T00:00:00Z',"
                "'next': '/api/direct-sharing/project/exchange-member/?access_token=t&limit=2&offset=2',"
                "'data': ["
                "{'id': 101, 'basename': '1514764800000_12345678_entries.json',"
                "'created': '2018-03-07T17:51:20.123456Z',"
                "'download_url': 'https://s3.example/f?Signature=abc',"
                "'metadata': {'tags': ['json', 'entries'], 'description': 'Nightscout entries'},"
                "'source': 'direct-sharing-31', 'size': 1234},"
                "{'id': '102', 'basename': '12345678_open_aps_data_sharing_consent.txt',"
                "'created': '2018-03-07T17:51:21Z', 'download_url': 'https://s3.example/g',"
                "'metadata': {}, 'source': 'direct-sharing-31'}"
                "]}");
        const QUrl pageUrl(QStringLiteral(
                "https://www.openhumans.org/api/direct-sharing/project/exchange-member/?access_token=t"));
        const auto page = oh::api::parseMemberPage(answer(200, body, pageUrl));
        QVERIFY(page.ok());
        QCOMPARE(page->projectMemberId, QStringLiteral("12345678"));
        QCOMPARE(page->files.size(), 2);
        const oh::MemberFile &first = page->files.at(0);
        QCOMPARE(first.id, QStringLiteral("101"));
        QCOMPARE(first.created, QDateTime(QDate(2018, 3, 7), QTime(17, 51, 20, 123), Qt::UTC));
        QCOMPARE(first.size.value_or(-1), 1234);
        QCOMPARE(first.metadata.tags, QStringList({ QStringLiteral("json"), QStringLiteral("entries") }));
        QCOMPARE(first.metadata.description, QStringLiteral("Nightscout entries"));
        QCOMPARE(first.source, QStringLiteral("direct-sharing-31"));
        const oh::MemberFile &second = page->files.at(1);
        QCOMPARE(second.id, QStringLiteral("102"));
        QVERIFY(!second.size.has_value());
        QVERIFY(second.metadata.tags.isEmpty());
        // A relative `next` is resolved against the page it came from.
        QCOMPARE(page->next.host(), QStringLiteral("www.openhumans.org"));
        QCOMPARE(QUrlQuery(page->next).queryItemValue(QStringLiteral("offset")), QStringLiteral("2"));
    }

    void lastPageHasNoNext()
    {
        const auto page = oh::api::parseMemberPage(answer(200, j("{'project_member_id':'1','next':null,'data':[]}")));
        QVERIFY(page.ok());
        QVERIFY(page->next.isEmpty());
        QVERIFY(page->files.isEmpty());
    }

    void memberPageRejects_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("not JSON") << QByteArray("<html>");
        QTest::addRow("cut short") << QByteArray(j("{'project_member_id': '1', 'data': [{'id': "));
        QTest::addRow("no member id") << QByteArray(j("{'data': []}"));
        QTest::addRow("data not a list") << QByteArray(j("{'project_member_id': '1', 'data': {}}"));
        QTest::addRow("file without id") << QByteArray(j("{'project_member_id': '1', 'data': [{'basename': 'x'}]}"));
    }

    void memberPageRejects()
    {
        QFETCH(QByteArray, body);
        const auto page = oh::api::parseMemberPage(answer(200, body));
        QVERIFY(!page.ok());
        QCOMPARE(page.error().code, QStringLiteral("bad-response"));
    }

    void uploadAnswers()
    {
        const auto target = oh::api::parseUploadTarget(
                answer(201, j("{'id': 77, 'url': 'https://s3.example/put?sig=1'}")));
        QVERIFY(target.ok());
        QCOMPARE(target->fileId, QStringLiteral("77"));
        QVERIFY(!oh::api::parseUploadTarget(answer(201, j("{'id': 77, 'url': '/relative'}"))).ok());
        const auto size = oh::api::parseUploadComplete(answer(200, j("{'status':'ok','size':12}")));
        QVERIFY(size.ok());
        QCOMPARE(*size, 12);
        QVERIFY(!oh::api::parseUploadComplete(answer(200, j("{'status':'error'}"))).ok());
        // Sizes and ids that are not whole numbers within qint64 are refused, not cast.
        QVERIFY(!oh::api::parseUploadComplete(answer(200, j("{'status':'ok','size':1e300}"))).ok());
        QVERIFY(!oh::api::parseUploadComplete(answer(200, j("{'status':'ok','size':-1}"))).ok());
        QVERIFY(!oh::api::parseUploadTarget(answer(201, j("{'id': 1e300, 'url': 'https://s3.example/put'}"))).ok());
    }

    void errorCodes_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addRow("invalid grant") << 401 << QByteArray(j("{'error':'invalid_grant'}"))
                                       << QStringLiteral("invalid-grant");
        QTest::addRow("invalid grant as 400")
                << 400 << QByteArray(j("{'error':'invalid_grant'}")) << QStringLiteral("invalid-grant");
        QTest::addRow("invalid client") << 401 << QByteArray(j("{'error':'invalid_client'}"))
                                        << QStringLiteral("invalid-client");
        QTest::addRow("expired token") << 401 << QByteArray(j("{'detail':'Expired token.'}"))
                                       << QStringLiteral("token-expired");
        QTest::addRow("invalid token") << 401 << QByteArray(j("{'detail':'Invalid token.'}"))
                                       << QStringLiteral("unauthorized");
        QTest::addRow("401 without body") << 401 << QByteArray() << QStringLiteral("unauthorized");
        QTest::addRow("forbidden") << 403 << QByteArray("<Error/>") << QStringLiteral("forbidden");
        QTest::addRow("not found") << 404 << QByteArray(j("{'detail':'Not found.'}")) << QStringLiteral("not-found");
        QTest::addRow("gone") << 410 << QByteArray() << QStringLiteral("not-found");
        QTest::addRow("file not present")
                << 400 << QByteArray(j("{'detail':'file not present'}")) << QStringLiteral("bad-request");
        QTest::addRow("field errors") << 400 << QByteArray(j("{'metadata':['bad']}")) << QStringLiteral("bad-request");
        QTest::addRow("rate limited") << 429 << QByteArray() << QStringLiteral("rate-limited");
        QTest::addRow("server error") << 502 << QByteArray("<html>bad gateway</html>")
                                      << QStringLiteral("server-error");
        QTest::addRow("unexpected") << 418 << QByteArray() << QStringLiteral("http");
    }

    void errorCodes()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        const Error error = oh::api::errorFor(answer(status, body));
        QCOMPARE(error.code, code);
        QVERIFY(!error.message.isEmpty());
    }

    void badRequestSaysWhy()
    {
        const Error error = oh::api::errorFor(answer(400, j("{'detail':'file not present'}")));
        QVERIFY(error.message.contains(QLatin1String("file not present")));
    }

    void authorizeUrlFromSettings()
    {
        QNetworkAccessManager nam;
        oh::Settings settings;
        settings.baseUrl = QUrl(QStringLiteral("https://www.openhumans.org"));
        settings.clientId = QStringLiteral("abc123");
        settings.redirectUri = QUrl(QStringLiteral("https://commons.example/oh/callback?x=1"));
        const QUrl url = oh::Client(&nam, settings).authorizeUrl(QStringLiteral("s t"));
        QCOMPARE(url.host(), QStringLiteral("www.openhumans.org"));
        QCOMPARE(url.path(), QStringLiteral("/direct-sharing/projects/oauth2/authorize/"));
        const QUrlQuery query(url);
        QCOMPARE(query.queryItemValue(QStringLiteral("client_id")), QStringLiteral("abc123"));
        QCOMPARE(query.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
        QCOMPARE(query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded),
                 QStringLiteral("https://commons.example/oh/callback?x=1"));
        QCOMPARE(query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded), QStringLiteral("s t"));
    }
};

QTEST_GUILESS_MAIN(TestOhApi)
#include "tst_ohapi.moc"
