// OAuth2 against the Open Humans stand-in: the authorize page, the code
// exchange, refresh-token rotation, expiry and withdrawal.

#include "ohtestsupport.h"

#include <QNetworkReply>
#include <QRegularExpression>
#include <QUrlQuery>

using namespace openaps;
using namespace openaps::test;

class TestOhOAuth : public QObject
{
    Q_OBJECT

private:
    // GET the URL and return the reply after it finished (no redirects followed).
    std::unique_ptr<QNetworkReply> fetch(QNetworkAccessManager &nam, QNetworkRequest request,
                                         const QByteArray &postBody = {})
    {
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        QNetworkReply *reply = nullptr;
        if (postBody.isNull()) {
            reply = nam.get(request);
        } else {
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/x-www-form-urlencoded"));
            reply = nam.post(request, postBody);
        }
        QSignalSpy spy(reply, &QNetworkReply::finished);
        spy.wait(10000);
        return std::unique_ptr<QNetworkReply>(reply);
    }

private slots:
    void authorizeUrlCarriesStateAndRedirect()
    {
        OpenHumansFixture f;
        const QUrl url = f.client().authorizeUrl(QStringLiteral("st&ate 1"));
        const QUrlQuery query(url);
        QCOMPARE(url.path(), QStringLiteral("/direct-sharing/projects/oauth2/authorize/"));
        QCOMPARE(query.queryItemValue(QStringLiteral("client_id")), f.settings.clientId);
        QCOMPARE(query.queryItemValue(QStringLiteral("response_type")), QStringLiteral("code"));
        QCOMPARE(QUrl(query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded)), redirectUri());
        QCOMPARE(query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded), QStringLiteral("st&ate 1"));
    }

    void approveButtonRedirectsWithCodeAndSameState()
    {
        OpenHumansFixture f;
        const QString member = f.standIn->addMember(QStringLiteral("12345678"));
        const QString state = QStringLiteral("a+b/c=d");
        auto page = fetch(f.nam, QNetworkRequest(f.client().authorizeUrl(state)));
        QCOMPARE(page->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QString html = QString::fromUtf8(page->readAll());
        QVERIFY(html.contains(QLatin1String(">Approve</button>")));
        QVERIFY(html.contains(QLatin1String("Participant 12345678")));
        QVERIFY(html.contains(QLatin1String("<form method=\"post\">")));

        // Submit the form as a browser would: every hidden field plus the choice.
        QUrlQuery form;
        static const QRegularExpression hiddenField(QStringLiteral("name=\"(\\w+)\" value=\"([^\"]*)\""));
        auto it = hiddenField.globalMatch(html);
        while (it.hasNext()) {
            const auto match = it.next();
            const QString value = match.captured(2).replace(QLatin1String("&amp;"), QLatin1String("&"));
            form.addQueryItem(match.captured(1), QString::fromLatin1(QUrl::toPercentEncoding(value)));
        }
        form.addQueryItem(QStringLiteral("member"), member);
        form.addQueryItem(QStringLiteral("decision"), QStringLiteral("approve"));
        auto approved = fetch(f.nam, QNetworkRequest(f.client().authorizeUrl(state)),
                              form.toString(QUrl::FullyEncoded).toUtf8());
        QCOMPARE(approved->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 302);
        const QUrl location = approved->header(QNetworkRequest::LocationHeader).toUrl();
        QCOMPARE(location.adjusted(QUrl::RemoveQuery), redirectUri());
        const QUrlQuery back(location);
        QCOMPARE(back.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded), state);
        const QString code = back.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
        QVERIFY(!code.isEmpty());

        const auto tokens = runJob(f.client().exchangeCode(code));
        QVERIFY2(tokens.ok(), qPrintable(tokens.ok() ? QString() : tokens.error().toString()));
        QCOMPARE(tokens->expiresAt, f.clock.now.addSecs(36000));
        QCOMPARE(tokens->scope, QStringLiteral("read write"));
        const auto memberInfo = runJob(f.client().exchangeMember(tokens->accessToken));
        QVERIFY(memberInfo.ok());
        QCOMPARE(memberInfo->projectMemberId, member);

        // A code works once.
        const auto again = runJob(f.client().exchangeCode(code));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().code, QStringLiteral("invalid-grant"));
    }

    void authorizePageRefusesWrongProject_data()
    {
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QString>("redirect");
        QTest::addRow("unknown client id") << QStringLiteral("other") << redirectUri().toString();
        QTest::addRow("foreign redirect uri") << QString() << QStringLiteral("http://evil.example/cb");
    }

    void authorizePageRefusesWrongProject()
    {
        QFETCH(QString, clientId);
        QFETCH(QString, redirect);
        OpenHumansFixture f;
        oh::Settings settings = f.settings;
        if (!clientId.isEmpty())
            settings.clientId = clientId;
        settings.redirectUri = QUrl(redirect);
        auto page = fetch(f.nam, QNetworkRequest(oh::Client(&f.nam, settings).authorizeUrl(QStringLiteral("s"))));
        QCOMPARE(page->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 400);
    }

    void denyRedirectsWithError()
    {
        OpenHumansFixture f;
        QUrlQuery form(f.client().authorizeUrl(QStringLiteral("xyz")));
        form.addQueryItem(QStringLiteral("decision"), QStringLiteral("deny"));
        auto reply = fetch(f.nam, QNetworkRequest(f.client().authorizeUrl(QStringLiteral("xyz"))),
                           form.toString(QUrl::FullyEncoded).toUtf8());
        const QUrlQuery back(reply->header(QNetworkRequest::LocationHeader).toUrl());
        QCOMPARE(back.queryItemValue(QStringLiteral("error")), QStringLiteral("access_denied"));
        QCOMPARE(back.queryItemValue(QStringLiteral("state")), QStringLiteral("xyz"));
        QVERIFY(!back.hasQueryItem(QStringLiteral("code")));
    }

    void codeForAnotherRedirectUriIsRejected()
    {
        OpenHumansFixture f;
        const QString code = f.standIn->approve(f.standIn->addMember(),
                                                QUrl(QStringLiteral("http://127.0.0.1:9/other")));
        const auto tokens = runJob(f.client().exchangeCode(code));
        QVERIFY(!tokens.ok());
        QCOMPARE(tokens.error().code, QStringLiteral("invalid-grant"));
    }

    void wrongClientSecretIsInvalidClient()
    {
        OpenHumansFixture f;
        const QString code = f.standIn->approve(f.standIn->addMember(), redirectUri());
        oh::Settings settings = f.settings;
        settings.clientSecret = QStringLiteral("wrong");
        const auto tokens = runJob(oh::Client(&f.nam, settings, f.clock.clock()).exchangeCode(code));
        QVERIFY(!tokens.ok());
        QCOMPARE(tokens.error().code, QStringLiteral("invalid-client"));
    }

    void refreshTokensRotate()
    {
        OpenHumansFixture f;
        oh::TokenPair first;
        f.memberWithTokens(&first);
        f.clock.advance(100);
        const auto second = runJob(f.client().refresh(first.refreshToken));
        QVERIFY(second.ok());
        QVERIFY(second->refreshToken != first.refreshToken);
        QVERIFY(second->accessToken != first.accessToken);
        QCOMPARE(second->expiresAt, f.clock.now.addSecs(36000));

        // The old refresh token died when it was used.
        const auto reuse = runJob(f.client().refresh(first.refreshToken));
        QVERIFY(!reuse.ok());
        QCOMPARE(reuse.error().code, QStringLiteral("invalid-grant"));
        QVERIFY(!reuse.error().message.contains(first.refreshToken));

        // The handed-back pair works, and rotates again.
        QVERIFY(runJob(f.client().exchangeMember(second->accessToken)).ok());
        const auto third = runJob(f.client().refresh(second->refreshToken));
        QVERIFY(third.ok());
        QVERIFY(third->refreshToken != second->refreshToken);
    }

    void expiredAccessTokenThenRefresh()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        f.memberWithTokens(&tokens);
        f.clock.advance(36000);
        const auto member = runJob(f.client().exchangeMember(tokens.accessToken));
        QVERIFY(!member.ok());
        QCOMPARE(member.error().code, QStringLiteral("token-expired"));
        const auto fresh = runJob(f.client().refresh(tokens.refreshToken));
        QVERIFY(fresh.ok());
        QVERIFY(!fresh->expiredAt(f.clock.now));
        QVERIFY(runJob(f.client().exchangeMember(fresh->accessToken)).ok());
    }

    void withdrawnMemberLosesAccess()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const QString member = f.memberWithTokens(&tokens);
        f.standIn->revokeMember(member);
        const auto listing = runJob(f.client().exchangeMember(tokens.accessToken));
        QVERIFY(!listing.ok());
        QCOMPARE(listing.error().code, QStringLiteral("unauthorized"));
        const auto refreshed = runJob(f.client().refresh(tokens.refreshToken));
        QVERIFY(!refreshed.ok());
        QCOMPARE(refreshed.error().code, QStringLiteral("invalid-grant"));
    }
};

QTEST_MAIN(TestOhOAuth)
#include "tst_ohoauth.moc"
