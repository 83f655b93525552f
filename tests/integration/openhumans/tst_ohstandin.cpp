// The Open Humans stand-in behaves like the documented API when spoken to
// directly: status codes and bodies for the cases the client never
// provokes, and the signed deauthorisation webhook it sends.

#include "ohtestsupport.h"
#include "openhumans/webhook.h"

#include <QHttpServer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QUrlQuery>

using namespace openaps;
using namespace openaps::test;
using Endpoint = standins::OpenHumansStandIn::Endpoint;

namespace {

struct Raw
{
    int status = 0;
    QByteArray body;
    QUrl location;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

const QString apiPrefix = QStringLiteral("/api/direct-sharing/project/");

} // namespace

class TestOhStandIn : public QObject
{
    Q_OBJECT

private:
    Raw send(QNetworkAccessManager &nam, const QByteArray &verb, const QUrl &url, const QByteArray &body = {},
             const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QNetworkRequest request(url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        for (const auto &header : headers)
            request.setRawHeader(header.first, header.second);
        std::unique_ptr<QNetworkReply> reply(nam.sendCustomRequest(request, verb, body));
        QSignalSpy spy(reply.get(), &QNetworkReply::finished);
        if (!reply->isFinished())
            spy.wait(10000);
        return { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(),
                 reply->header(QNetworkRequest::LocationHeader).toUrl() };
    }

    QUrl api(OpenHumansFixture &f, const QString &path, const QString &token)
    {
        QUrl url = f.standIn->baseUrl();
        url.setPath(apiPrefix + path);
        QUrlQuery query;
        if (!token.isEmpty())
            query.addQueryItem(QStringLiteral("access_token"), token);
        url.setQuery(query);
        return url;
    }

    Raw form(OpenHumansFixture &f, const QString &path, const QString &token, const QByteArray &body)
    {
        return send(f.nam, "POST", api(f, path, token), body,
                    { { "Content-Type", "application/x-www-form-urlencoded" } });
    }

private slots:
    void completeBeforePutIsFileNotPresent()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const QString member = f.memberWithTokens(&tokens);
        const Raw started = form(f, QStringLiteral("files/upload/direct/"), tokens.accessToken,
                                 "filename=a.json&metadata=%7B%22description%22%3A%22d%22%2C%22tags%22%3A%5B%5D%7D");
        QCOMPARE(started.status, 201);
        const QString id = QString::number(started.json().value(QLatin1String("id")).toInteger());
        QVERIFY(started.json().value(QLatin1String("url")).toString().startsWith(f.standIn->baseUrl().toString()));

        const Raw early = form(f, QStringLiteral("files/upload/complete/"), tokens.accessToken,
                               "file_id=" + id.toUtf8());
        QCOMPARE(early.status, 400);
        QCOMPARE(early.json().value(QLatin1String("detail")).toString(), QStringLiteral("file not present"));

        // Not listed until it is complete.
        QVERIFY(f.standIn->files(member).isEmpty());
        const QUrl putUrl(started.json().value(QLatin1String("url")).toString());
        QCOMPARE(send(f.nam, "PUT", putUrl, "data").status, 200);
        QVERIFY(f.standIn->files(member).isEmpty());
        const Raw done = form(f, QStringLiteral("files/upload/complete/"), tokens.accessToken,
                              "file_id=" + id.toUtf8());
        QCOMPARE(done.status, 200);
        QCOMPARE(done.json().value(QLatin1String("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(done.json().value(QLatin1String("size")).toInt(), 4);
        QCOMPARE(f.standIn->files(member).size(), 1);
    }

    void storagePutChecks_data()
    {
        QTest::addColumn<bool>("contentType");
        QTest::addColumn<int>("tamper"); // 0 none, 1 signature, 2 expiry passed
        QTest::addColumn<int>("status");
        QTest::addRow("plain PUT") << false << 0 << 200;
        QTest::addRow("with Content-Type") << true << 0 << 403;
        QTest::addRow("forged signature") << false << 1 << 403;
        QTest::addRow("expired URL") << false << 2 << 403;
    }

    void storagePutChecks()
    {
        QFETCH(bool, contentType);
        QFETCH(int, tamper);
        QFETCH(int, status);
        OpenHumansFixture f;
        oh::TokenPair tokens;
        f.memberWithTokens(&tokens);
        const Raw started = form(f, QStringLiteral("files/upload/direct/"), tokens.accessToken,
                                 "filename=a.json&metadata=%7B%22description%22%3A%22%22%2C%22tags%22%3A%5B%5D%7D");
        QUrl putUrl(started.json().value(QLatin1String("url")).toString());
        if (tamper == 1) {
            QUrlQuery query(putUrl);
            query.removeAllQueryItems(QStringLiteral("signature"));
            query.addQueryItem(QStringLiteral("signature"), QStringLiteral("00"));
            putUrl.setQuery(query);
        } else if (tamper == 2) {
            f.clock.advance(3601);
        }
        QList<QPair<QByteArray, QByteArray>> headers;
        if (contentType)
            headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
        const Raw put = send(f.nam, "PUT", putUrl, "{}", headers);
        QCOMPARE(put.status, status);
        if (status == 403)
            QVERIFY(put.body.contains("<Error>"));
        if (tamper == 0) {
            QCOMPARE(f.standIn->puts().size(), 1);
            QCOMPARE(f.standIn->puts().first().hadContentType, contentType);
            if (contentType)
                QCOMPARE(f.standIn->puts().first().contentType, QByteArray("application/json"));
        }
    }

    void uploadDirectNeedsNameAndMetadata_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        QTest::addRow("no filename") << QByteArray("metadata=%7B%22description%22%3A%22%22%2C%22tags%22%3A%5B%5D%7D")
                                     << QStringLiteral("filename");
        QTest::addRow("no metadata") << QByteArray("filename=a.json") << QStringLiteral("metadata");
        QTest::addRow("metadata without tags")
                << QByteArray("filename=a.json&metadata=%7B%22description%22%3A%22%22%7D")
                << QStringLiteral("metadata");
        QTest::addRow("metadata not JSON") << QByteArray("filename=a.json&metadata=x") << QStringLiteral("metadata");
    }

    void uploadDirectNeedsNameAndMetadata()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        OpenHumansFixture f;
        oh::TokenPair tokens;
        f.memberWithTokens(&tokens);
        const Raw answer = form(f, QStringLiteral("files/upload/direct/"), tokens.accessToken, body);
        QCOMPARE(answer.status, 400);
        QVERIFY(answer.json().contains(field));
    }

    void deleteTakesExactlyOneTarget_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addRow("none") << QByteArray() << 400;
        QTest::addRow("id and basename") << QByteArray("file_id=1&file_basename=a.json") << 400;
        QTest::addRow("basename and all") << QByteArray("file_basename=a.json&all_files=true") << 400;
        QTest::addRow("all_files=false alone") << QByteArray("all_files=false") << 400;
        QTest::addRow("unknown id") << QByteArray("file_id=999") << 200;
        QTest::addRow("basename") << QByteArray("file_basename=a.json") << 200;
    }

    void deleteTakesExactlyOneTarget()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const QString member = f.memberWithTokens(&tokens);
        f.standIn->addFile(member, QStringLiteral("a.json"), "1");
        const Raw answer = form(f, QStringLiteral("files/delete/"), tokens.accessToken, body);
        QCOMPARE(answer.status, status);
        QCOMPARE(f.standIn->files(member).size(), body == "file_basename=a.json" ? 0 : 1);
    }

    void tokensAreChecked_data()
    {
        QTest::addColumn<int>("kind"); // 0 none, 1 unknown, 2 expired
        QTest::addColumn<QString>("detail");
        QTest::addRow("missing") << 0 << QStringLiteral("Authentication credentials were not provided.");
        QTest::addRow("unknown") << 1 << QStringLiteral("Invalid token.");
        QTest::addRow("expired") << 2 << QStringLiteral("Expired token.");
    }

    void tokensAreChecked()
    {
        QFETCH(int, kind);
        QFETCH(QString, detail);
        OpenHumansFixture f;
        oh::TokenPair tokens;
        f.memberWithTokens(&tokens);
        QString token = kind == 0 ? QString() : kind == 1 ? QStringLiteral("nope") : tokens.accessToken;
        if (kind == 2)
            f.standIn->store().expireAccessTokens();
        const QStringList paths { QStringLiteral("exchange-member/"), QStringLiteral("files/upload/direct/"),
                                  QStringLiteral("files/upload/complete/"), QStringLiteral("files/delete/") };
        for (const QString &path : paths) {
            const Raw answer = path.startsWith(QLatin1String("exchange")) ? send(f.nam, "GET", api(f, path, token))
                                                                          : form(f, path, token, "file_id=1");
            QCOMPARE(answer.status, 401);
            QCOMPARE(answer.json().value(QLatin1String("detail")).toString(), detail);
        }
    }

    void tokenEndpointErrors_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        const QByteArray good = "Basic " + QByteArray("standin-client:standin-secret").toBase64();
        QTest::addRow("no credentials") << QByteArray() << QByteArray("grant_type=refresh_token&refresh_token=x") << 401
                                        << QStringLiteral("invalid_client");
        QTest::addRow("wrong secret") << "Basic " + QByteArray("standin-client:x").toBase64()
                                      << QByteArray("grant_type=refresh_token&refresh_token=x") << 401
                                      << QStringLiteral("invalid_client");
        QTest::addRow("unknown refresh token") << good << QByteArray("grant_type=refresh_token&refresh_token=x") << 401
                                               << QStringLiteral("invalid_grant");
        QTest::addRow("unknown code") << good << QByteArray("grant_type=authorization_code&code=x&redirect_uri=y")
                                      << 401 << QStringLiteral("invalid_grant");
        QTest::addRow("unknown grant type")
                << good << QByteArray("grant_type=password") << 400 << QStringLiteral("unsupported_grant_type");
    }

    void tokenEndpointErrors()
    {
        QFETCH(QByteArray, authorization);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, error);
        OpenHumansFixture f;
        QUrl url = f.standIn->baseUrl();
        url.setPath(QStringLiteral("/oauth2/token/"));
        QList<QPair<QByteArray, QByteArray>> headers { { "Content-Type", "application/x-www-form-urlencoded" } };
        if (!authorization.isEmpty())
            headers.append(qMakePair(QByteArray("Authorization"), authorization));
        const Raw answer = send(f.nam, "POST", url, body, headers);
        QCOMPARE(answer.status, status);
        QCOMPARE(answer.json().value(QLatin1String("error")).toString(), error);
    }

    void downloadUrlRedirectsToStorageAndExpires()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const QString member = f.memberWithTokens(&tokens);
        f.standIn->addFile(member, QStringLiteral("a.json"), "contents");
        const Raw listing = send(f.nam, "GET", api(f, QStringLiteral("exchange-member/"), tokens.accessToken));
        const QUrl downloadUrl(listing.json()
                                       .value(QLatin1String("data"))
                                       .toArray()
                                       .first()
                                       .toObject()
                                       .value(QLatin1String("download_url"))
                                       .toString());
        const Raw redirect = send(f.nam, "GET", downloadUrl);
        QCOMPARE(redirect.status, 302);
        QVERIFY(redirect.location.path().startsWith(QLatin1String("/storage/")));
        const Raw stored = send(f.nam, "GET", redirect.location);
        QCOMPARE(stored.status, 200);
        QCOMPARE(stored.body, QByteArray("contents"));

        f.clock.advance(3600);
        QCOMPARE(send(f.nam, "GET", downloadUrl).status, 403);
        QCOMPARE(send(f.nam, "GET", redirect.location).status, 403);
    }

    void sendsTheDeauthorisationWebhook_data()
    {
        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<bool>("doubleEncoded");
        QTest::addRow("signed") << QByteArray("abcdefghijklmnop") << false;
        QTest::addRow("signed, double encoded") << QByteArray("abcdefghijklmnop") << true;
        QTest::addRow("unsigned") << QByteArray() << false;
    }

    void sendsTheDeauthorisationWebhook()
    {
        QFETCH(QByteArray, secret);
        QFETCH(bool, doubleEncoded);
        OpenHumansFixture f;
        const QString member = f.standIn->addMember(QStringLiteral("12345678"));

        QHttpServer receiver;
        QByteArray body;
        QByteArray signature;
        bool signatureSent = false;
        receiver.route(QStringLiteral("/oh/deauth"), QHttpServerRequest::Method::Post,
                       [&](const QHttpServerRequest &request) {
                           body = request.body();
                           for (const auto &header : request.headers()) {
                               if (header.first.compare(oh::webhookSignatureHeader, Qt::CaseInsensitive) == 0) {
                                   signature = header.second;
                                   signatureSent = true;
                               }
                           }
                           return QHttpServerResponse(QHttpServerResponse::StatusCode::Ok);
                       });
        const quint16 port = receiver.listen(QHostAddress::LocalHost, 0);
        QVERIFY(port != 0);

        std::optional<Result<int>> outcome;
        QObject context;
        f.standIn->sendDeauthWebhook(QUrl(QStringLiteral("http://127.0.0.1:%1/oh/deauth").arg(port)), member,
                                     { secret, true, doubleEncoded }, &context,
                                     [&](const Result<int> &status) { outcome = status; });
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 10000);
        QVERIFY(outcome->ok());
        QCOMPARE(outcome->value(), 200);

        QCOMPARE(body.startsWith('"'), doubleEncoded);
        QCOMPARE(signatureSent, !secret.isEmpty());
        if (!secret.isEmpty()) {
            QCOMPARE(oh::checkWebhookSignature(secret, body, signature), oh::SignatureCheck::Valid);
            QCOMPARE(oh::checkWebhookSignature("another secret", body, signature), oh::SignatureCheck::Mismatch);
        }
        const auto notice = oh::parseDeauthNotice(body);
        QVERIFY(notice.ok());
        QCOMPARE(notice->projectMemberId, member);
        QVERIFY(notice->erasureRequested);
        QCOMPARE(notice->timestamp, f.clock.now);
    }
};

QTEST_MAIN(TestOhStandIn)
#include "tst_ohstandin.moc"
