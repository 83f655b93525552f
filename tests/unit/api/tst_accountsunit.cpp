// Pieces of the researcher accounts that need no server: request bodies,
// email codes, the mail text and the SMTP settings.

#include "api/accountmail.h"
#include "api/jsonbody.h"
#include "mail/smtpsend.h"
#include "mail/smtpsettings.h"

#include <QSet>
#include <QTest>

using namespace openaps;

class TestAccountsUnit final : public QObject
{
    Q_OBJECT

private slots:
    void jsonFieldErrors_data();
    void jsonFieldErrors();
    void emailAddresses_data();
    void emailAddresses();
    void codesAreSixDigitsAndBound();
    void messageHeadersCannotBeInjected();
    void smtpSettings_data();
    void smtpSettings();
};

void TestAccountsUnit::jsonFieldErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions"); // empty: accepted
    QTest::addRow("fine") << QByteArray(R"({"name":" Ada "})") << QString();
    QTest::addRow("missing") << QByteArray(R"({})") << "'name' is missing";
    QTest::addRow("null") << QByteArray(R"({"name":null})") << "'name' is missing";
    QTest::addRow("number") << QByteArray(R"({"name":5})") << "'name' must be a string";
    QTest::addRow("blank") << QByteArray(R"({"name":"   "})") << "'name' is empty";
    QTest::addRow("too long") << QByteArray(R"({"name":")") + QByteArray(201, 'x') + "\"}"
                              << "at most 200";
    QTest::addRow("truncated") << QByteArray(R"({"name":)") << "not valid JSON";
    QTest::addRow("array") << QByteArray("[]") << "must be a JSON object";
}

void TestAccountsUnit::jsonFieldErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    auto parsed = api::JsonBody::parse(body);
    Result<QString> name = parsed ? parsed->text(QStringLiteral("name"), 200) : Result<QString>(parsed.error());
    if (mentions.isEmpty()) {
        QVERIFY(name.ok());
        QCOMPARE(*name, QStringLiteral("Ada"));
        return;
    }
    QVERIFY(!name.ok());
    QCOMPARE(name.error().code, QStringLiteral("bad-request"));
    QVERIFY2(name.error().message.contains(mentions), qPrintable(name.error().message));
}

void TestAccountsUnit::emailAddresses_data()
{
    QTest::addColumn<QString>("email");
    QTest::addColumn<bool>("plausible");
    QTest::addRow("plain") << "ada@example.org" << true;
    QTest::addRow("plus") << "ada+data@uni.example.ac.uk" << true;
    QTest::addRow("no at") << "ada.example.org" << false;
    QTest::addRow("two at") << "a@b@example.org" << false;
    QTest::addRow("no dot in domain") << "ada@localhost" << false;
    QTest::addRow("space") << "ada lovelace@example.org" << false;
    QTest::addRow("header injection") << "ada@example.org\r\nBcc: x@example.org" << false;
    QTest::addRow("angle") << "<ada@example.org>" << false;
}

void TestAccountsUnit::emailAddresses()
{
    QFETCH(QString, email);
    QFETCH(bool, plausible);
    QCOMPARE(api::isPlausibleEmail(email), plausible);
}

void TestAccountsUnit::codesAreSixDigitsAndBound()
{
    QSet<QString> seen;
    for (int i = 0; i < 200; ++i) {
        const QString code = api::EmailCodes::generate();
        QVERIFY(api::EmailCodes::looksLikeCode(code));
        seen.insert(code);
    }
    QVERIFY(seen.size() > 190); // random, not a counter
    QVERIFY(!api::EmailCodes::looksLikeCode(QStringLiteral("12345")));
    QVERIFY(!api::EmailCodes::looksLikeCode(QStringLiteral("12345a")));
    const api::EmailCodes codes("key-one-0123456789abcdef0123456789");
    const api::EmailCodes other("key-two-0123456789abcdef0123456789");
    const QString h = codes.hash(1, api::CodePurpose::Verify, QStringLiteral("123456"));
    QCOMPARE(codes.hash(1, api::CodePurpose::Verify, QStringLiteral("123456")), h);
    QVERIFY(codes.hash(2, api::CodePurpose::Verify, QStringLiteral("123456")) != h);
    QVERIFY(codes.hash(1, api::CodePurpose::Reset, QStringLiteral("123456")) != h);
    QVERIFY(other.hash(1, api::CodePurpose::Verify, QStringLiteral("123456")) != h);
    QVERIFY(!h.contains(QStringLiteral("123456")));
}

void TestAccountsUnit::messageHeadersCannotBeInjected()
{
    const mail::Message message { QStringLiteral("ada@example.org"), QStringLiteral("Grüße\r\nBcc: evil@example.org"),
                                  QStringLiteral("line one\nline two\n") };
    const QByteArray text = mail::formatMessage(QStringLiteral("from@example.org"), message,
                                                QDateTime(QDate(2026, 11, 28), QTime(3, 4, 5), Qt::UTC));
    QVERIFY(text.contains("Date: Sat, 28 Nov 2026 03:04:05 +0000\r\n"));
    QVERIFY(text.contains("To: <ada@example.org>\r\n"));
    QVERIFY(text.contains("Subject: =?UTF-8?B?"));
    QVERIFY(!text.contains("\r\nBcc:"));
    QVERIFY(text.endsWith("\r\n\r\nline one\r\nline two\r\n"));
}

void TestAccountsUnit::smtpSettings_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("from");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<bool>("requireTls");
    QTest::addRow("unset") << ""
                           << "" << true << false;
    QTest::addRow("smtp") << "smtp://mail.example.org:25"
                          << "dc@example.org" << true << false;
    QTest::addRow("starttls") << "smtp+starttls://mail.example.org:587"
                              << "dc@example.org" << true << true;
    QTest::addRow("smtps") << "smtps://mail.example.org:465"
                           << "dc@example.org" << true << false;
    QTest::addRow("http") << "http://mail.example.org"
                          << "dc@example.org" << false << false;
    QTest::addRow("password in url") << "smtp://u:p@mail.example.org"
                                     << "dc@example.org" << false << false;
    QTest::addRow("no sender") << "smtp://mail.example.org"
                               << "" << false << false;
}

void TestAccountsUnit::smtpSettings()
{
    QFETCH(QString, url);
    QFETCH(QString, from);
    QFETCH(bool, ok);
    QFETCH(bool, requireTls);
    const auto settings = mail::SmtpSettings::make(url, from);
    QCOMPARE(settings.ok(), ok);
    if (ok) {
        QCOMPARE(settings->isConfigured(), !url.isEmpty());
        QCOMPARE(settings->requireTls, requireTls);
        if (requireTls)
            QCOMPARE(settings->url.scheme(), QStringLiteral("smtp"));
    } else {
        QVERIFY(settings.error().message.contains(QStringLiteral("OPENAPS_")));
    }
}

QTEST_GUILESS_MAIN(TestAccountsUnit)
#include "tst_accountsunit.moc"
