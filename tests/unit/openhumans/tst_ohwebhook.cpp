// The deauthorisation webhook helpers: HMAC-SHA1 signatures checked in
// constant time, and payloads in the single and the older double encoding.

#include "openhumans/webhook.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace openaps;
using Check = oh::SignatureCheck;

namespace {
// JSON written with single quotes, for readability (and because moc cannot
// read raw string literals).
QByteArray j(const char *text)
{
    QByteArray json(text);
    json.replace('\'', '"');
    return json;
}

// The JSON string holding `json`: the older, double encoding.
QByteArray quoted(const QByteArray &json)
{
    const QByteArray array = QJsonDocument(QJsonArray { QString::fromUtf8(json) }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

} // namespace

Q_DECLARE_METATYPE(oh::SignatureCheck)

class TestOhWebhook : public QObject
{
    Q_OBJECT

private slots:
    // RFC 2202 test cases: the signature is plain HMAC-SHA1 in lower-case hex.
    void signatureIsHmacSha1_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("hex");
        QTest::addRow("rfc2202 case 1") << QByteArray(20, '\x0b') << QByteArray("Hi There")
                                        << QByteArray("b617318655057264e28bc0b6fb378c8ef146be00");
        QTest::addRow("rfc2202 case 2") << QByteArray("Jefe") << QByteArray("what do ya want for nothing?")
                                        << QByteArray("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        QTest::addRow("rfc2202 case 3") << QByteArray(20, '\xaa') << QByteArray(50, '\xdd')
                                        << QByteArray("125d7342b9ac11cd91a39af48aa17b4f63f175d3");
        QTest::addRow("rfc2202 case 6, key longer than a block")
                << QByteArray(80, '\xaa') << QByteArray("Test Using Larger Than Block-Size Key - Hash Key First")
                << QByteArray("aa4ae5e15272d00e95705637ce8a3b55ed402112");
    }

    void signatureIsHmacSha1()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, hex);
        QCOMPARE(oh::webhookSignature(key, data), "sha1=" + hex);
        QCOMPARE(oh::checkWebhookSignature(key, data, "sha1=" + hex), Check::Valid);
    }

    void checks_data()
    {
        const QByteArray secret = "abcdefghijklmnop";
        const QByteArray body = j("{'project_member_id': '12345678', 'erasure_requested': true}");
        const QByteArray good = oh::webhookSignature(secret, body);
        QByteArray flipped = good;
        flipped[flipped.size() - 1] = flipped.endsWith('0') ? '1' : '0';

        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<Check>("expected");
        QTest::addRow("good") << secret << body << good << Check::Valid;
        QTest::addRow("good, upper-case hex and spaces")
                << secret << body << "  " + good.toUpper() + " " << Check::Valid;
        QTest::addRow("last digit wrong") << secret << body << flipped << Check::Mismatch;
        QTest::addRow("other body") << secret << body + " " << good << Check::Mismatch;
        QTest::addRow("other secret") << QByteArray("abcdefghijklmnoq") << body << good << Check::Mismatch;
        QTest::addRow("missing") << secret << body << QByteArray() << Check::Missing;
        QTest::addRow("no prefix") << secret << body << good.mid(5) << Check::Malformed;
        QTest::addRow("sha256 prefix") << secret << body << "sha256=" + good.mid(5) << Check::Malformed;
        QTest::addRow("too short") << secret << body << good.left(good.size() - 1) << Check::Malformed;
        QTest::addRow("not hex") << secret << body << good.left(good.size() - 1) + "g" << Check::Malformed;
        QTest::addRow("no secret configured") << QByteArray() << body << good << Check::NoSecret;
    }

    void checks()
    {
        QFETCH(QByteArray, secret);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, header);
        QFETCH(Check, expected);
        QCOMPARE(oh::checkWebhookSignature(secret, body, header), expected);
    }

    void parses_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("memberId");
        QTest::addColumn<bool>("erasure");
        QTest::addColumn<QDateTime>("timestamp");
        const QDateTime when(QDate(2019, 1, 22), QTime(18, 3, 5, 123), Qt::UTC);
        QTest::addRow("single encoded") << j("{'project_member_id': '12345678', 'erasure_requested': true, "
                                             "'timestamp': '2019-01-22T18:03:05.123456Z'}")
                                        << QStringLiteral("12345678") << true << when;
        QTest::addRow("double encoded") << quoted(j("{'project_member_id': '12345678', 'erasure_requested': false, "
                                                    "'timestamp': '2019-01-22T18:03:05.123456+00:00'}"))
                                        << QStringLiteral("12345678") << false << when;
        QTest::addRow("member id as a number, erasure as text")
                << QByteArray(j("{'project_member_id': 87654321, 'erasure_requested': 'True'}"))
                << QStringLiteral("87654321") << true << QDateTime();
        QTest::addRow("surrounding white space")
                << QByteArray("\n  {\"project_member_id\":\"1\"}  \n") << QStringLiteral("1") << false << QDateTime();
    }

    void parses()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, memberId);
        QFETCH(bool, erasure);
        QFETCH(QDateTime, timestamp);
        const auto notice = oh::parseDeauthNotice(body);
        QVERIFY2(notice.ok(), qPrintable(notice.ok() ? QString() : notice.error().toString()));
        QCOMPARE(notice->projectMemberId, memberId);
        QCOMPARE(notice->erasureRequested, erasure);
        QCOMPARE(notice->timestamp, timestamp);
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("not JSON") << QByteArray("project_member_id=1");
        QTest::addRow("array") << QByteArray(j("[{'project_member_id': '1'}]"));
        QTest::addRow("string holding no JSON") << QByteArray(j("'hello'"));
        QTest::addRow("triple encoded") << quoted(quoted(j("{'project_member_id': '1'}")));
        QTest::addRow("no member id") << QByteArray(j("{'erasure_requested': true}"));
        // Found by fuzzing: cast to qint64, 1e300 became a member id.
        QTest::addRow("member id beyond qint64") << QByteArray(j("{'project_member_id': 1e300}"));
        QTest::addRow("fractional member id") << QByteArray(j("{'project_member_id': 12.5}"));
        QTest::addRow("two documents") << QByteArray(j("{'project_member_id': '1'}, {'project_member_id': '2'}"));
    }

    void rejects()
    {
        QFETCH(QByteArray, body);
        const auto notice = oh::parseDeauthNotice(body);
        QVERIFY(!notice.ok());
        QCOMPARE(notice.error().code, QStringLiteral("bad-webhook"));
    }

    void builtBodiesParseBack_data()
    {
        QTest::addColumn<bool>("doubleEncoded");
        QTest::addRow("single") << false;
        QTest::addRow("double") << true;
    }

    void builtBodiesParseBack()
    {
        QFETCH(bool, doubleEncoded);
        const oh::DeauthNotice notice { QStringLiteral("12345678"), true,
                                        QDateTime(QDate(2024, 3, 1), QTime(12, 0), Qt::UTC) };
        const QByteArray body = oh::deauthNoticeBody(notice, doubleEncoded);
        QCOMPARE(body.startsWith('"'), doubleEncoded);
        const auto parsed = oh::parseDeauthNotice(body);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->projectMemberId, notice.projectMemberId);
        QCOMPARE(parsed->erasureRequested, true);
        QCOMPARE(parsed->timestamp, notice.timestamp);
    }
};

QTEST_GUILESS_MAIN(TestOhWebhook)
#include "tst_ohwebhook.moc"
