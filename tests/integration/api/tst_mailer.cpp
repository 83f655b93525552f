// The libcurl mailer against the SMTP stand-in: what is sent arrives intact
// (dot-stuffing, UTF-8 subject), the mailbox page lists it, and a refusing
// server is a clear failure.

#include "mail/mailer.h"
#include "standins/smtpstandin.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace openaps;

class TestMailer final : public QObject
{
    Q_OBJECT

private slots:
    void messageArrivesIntact();
    void refusedMailIsAFailure();
    void unconfiguredMailerFails();
    void credentialsNeverGoInCleartext();
    void requiredStartTlsNeverFallsBack();

private:
    Status sendAndWait(mail::Mailer &mailer, const mail::Message &message);
    // A short message to ada@example.org through a new Mailer on `settings`.
    Status sendToAda(const mail::SmtpSettings &settings);
};

Status TestMailer::sendAndWait(mail::Mailer &mailer, const mail::Message &message)
{
    std::optional<Status> result;
    mailer.send(message, this, [&result](const Status &sent) { result = sent; });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 20000))
        return makeError("test", QStringLiteral("no result"));
    return *result;
}

Status TestMailer::sendToAda(const mail::SmtpSettings &settings)
{
    mail::Mailer mailer(settings);
    return sendAndWait(mailer, { QStringLiteral("ada@example.org"), QStringLiteral("s"), QStringLiteral("b") });
}

void TestMailer::messageArrivesIntact()
{
    standins::SmtpStandIn smtp;
    QVERIFY(smtp.listen().ok());
    QVERIFY(smtp.listenMailbox().ok());
    auto settings = mail::SmtpSettings::make(smtp.smtpUrl().toString(), QStringLiteral("from@test.invalid"));
    QVERIFY(settings.ok());
    mail::Mailer mailer(*settings);
    const QString body = QStringLiteral(".a line starting with a dot\n..two dots\nGrüße <b>not html</b>\n.\nend\n");
    const Status sent = sendAndWait(mailer,
                                    { QStringLiteral("ada@example.org"), QStringLiteral("Grüße: 123456"), body });
    QVERIFY2(sent.ok(), sent.ok() ? "" : qPrintable(sent.error().message));
    QCOMPARE(smtp.messages().size(), 1);
    const auto message = smtp.messages().constFirst();
    QCOMPARE(message.to, QStringList { QStringLiteral("ada@example.org") });
    QCOMPARE(message.from, QStringLiteral("from@test.invalid"));
    QCOMPARE(message.subject, QStringLiteral("Grüße: 123456"));
    QCOMPARE(message.body, body);

    // The mailbox page a demo user reads, as JSON and as escaped HTML.
    QNetworkAccessManager nam;
    QNetworkReply *json = nam.get(QNetworkRequest(smtp.mailboxUrl().resolved(QUrl(QStringLiteral("messages")))));
    QSignalSpy jsonDone(json, &QNetworkReply::finished);
    QVERIFY(jsonDone.wait(10000));
    const QJsonArray listed =
            QJsonDocument::fromJson(json->readAll()).object().value(QStringLiteral("messages")).toArray();
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed.first().toObject().value(QStringLiteral("body")).toString(), body);
    json->deleteLater();
    QNetworkReply *html = nam.get(QNetworkRequest(smtp.mailboxUrl()));
    QSignalSpy htmlDone(html, &QNetworkReply::finished);
    QVERIFY(htmlDone.wait(10000));
    const QString page = QString::fromUtf8(html->readAll());
    QVERIFY(page.contains(QStringLiteral("&lt;b&gt;not html&lt;/b&gt;")));
    QVERIFY(!page.contains(QStringLiteral("<b>not html")));
    html->deleteLater();
}

void TestMailer::refusedMailIsAFailure()
{
    standins::SmtpStandIn smtp;
    QVERIFY(smtp.listen().ok());
    smtp.setRefuseMail(true);
    auto settings = mail::SmtpSettings::make(smtp.smtpUrl().toString(), QStringLiteral("from@test.invalid"));
    QVERIFY(settings.ok());
    const Status sent = sendToAda(*settings);
    QVERIFY(!sent.ok());
    QCOMPARE(sent.error().code, QStringLiteral("mail-unavailable"));
    QVERIFY(!sent.error().message.contains(QStringLiteral("ada@example.org")));
    QCOMPARE(smtp.messages().size(), 0);
}

void TestMailer::credentialsNeverGoInCleartext()
{
    // smtp:// tries STARTTLS; a server (or someone in between) that does not
    // offer it must not get the password.
    standins::SmtpStandIn smtp;
    QVERIFY(smtp.listen().ok());
    auto settings = mail::SmtpSettings::make(smtp.smtpUrl().toString(), QStringLiteral("from@test.invalid"));
    QVERIFY(settings.ok());
    settings->user = QStringLiteral("mailer");
    settings->password = QStringLiteral("smtp-password-42");
    const Status sent = sendToAda(*settings);
    QVERIFY(!sent.ok());
    QCOMPARE(sent.error().code, QStringLiteral("mail-unavailable"));
    QCOMPARE(smtp.authAttempts(), 0);
    QCOMPARE(smtp.messages().size(), 0);
    // Without a login, mail still goes out where TLS is not offered (the demo).
    settings->user.clear();
    settings->password.clear();
    QVERIFY(sendToAda(*settings).ok());
}

void TestMailer::requiredStartTlsNeverFallsBack()
{
    // smtp+starttls:// requires STARTTLS even without a login: a server that
    // does not offer it gets no mail at all, not a cleartext one.
    standins::SmtpStandIn smtp;
    QVERIFY(smtp.listen().ok());
    QUrl url = smtp.smtpUrl();
    url.setScheme(QStringLiteral("smtp+starttls"));
    auto settings = mail::SmtpSettings::make(url.toString(), QStringLiteral("from@test.invalid"));
    QVERIFY(settings.ok());
    const Status sent = sendToAda(*settings);
    QVERIFY(!sent.ok());
    QCOMPARE(sent.error().code, QStringLiteral("mail-unavailable"));
    QCOMPARE(smtp.messages().size(), 0);
}

void TestMailer::unconfiguredMailerFails()
{
    QVERIFY(!mail::Mailer(mail::SmtpSettings {}).isConfigured());
    const Status sent = sendToAda(mail::SmtpSettings {});
    QVERIFY(!sent.ok());
    QVERIFY(sent.error().message.contains(QStringLiteral("OPENAPS_SMTP_URL")));
}

QTEST_GUILESS_MAIN(TestMailer)
#include "tst_mailer.moc"
