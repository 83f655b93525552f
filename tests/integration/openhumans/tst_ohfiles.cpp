// Member files against the Open Humans stand-in: listing across pages,
// upload → list → download round trips, streaming, expired download URLs,
// deletion; a `next` that loops is an error.

#include "ohtestsupport.h"
#include "openhumans/api.h"

#include <QBuffer>
#include <QHttpServer>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryFile>

using namespace openaps;
using namespace openaps::test;
using namespace Qt::StringLiterals;

class TestOhFiles : public QObject
{
    Q_OBJECT

private slots:
    void listingFollowsPages_data()
    {
        QTest::addColumn<int>("pageSize");
        QTest::addColumn<int>("files");
        QTest::addColumn<int>("requests");
        QTest::addRow("no files") << 3 << 0 << 1;
        QTest::addRow("one short page") << 3 << 2 << 1;
        QTest::addRow("exactly one page") << 3 << 3 << 1;
        QTest::addRow("one over a page") << 3 << 4 << 2;
        QTest::addRow("page size one") << 1 << 5 << 5;
        QTest::addRow("many pages") << 7 << 50 << 8;
    }

    void listingFollowsPages()
    {
        QFETCH(int, pageSize);
        QFETCH(int, files);
        QFETCH(int, requests);
        standins::OpenHumansStandIn::Options options;
        options.pageSize = pageSize;
        OpenHumansFixture f(options);
        oh::TokenPair tokens;
        const QString member = f.memberWithTokens(&tokens);
        const QString other = f.standIn->addMember();
        f.standIn->addFile(other, QStringLiteral("not-mine.json"), "{}");
        for (int i = 0; i < files; ++i)
            f.standIn->addFile(member, QStringLiteral("%1_entries.json").arg(i), QByteArray::number(i),
                               QStringLiteral("entries"), { QStringLiteral("json"), QStringLiteral("entries") });

        const auto result = runJob(f.client().exchangeMember(tokens.accessToken));
        QVERIFY(result.ok());
        QCOMPARE(result->projectMemberId, member);
        QCOMPARE(result->files.size(), files);
        QCOMPARE(f.standIn->requestCount(standins::OpenHumansStandIn::Endpoint::ExchangeMember), requests);
        QSet<QString> ids;
        for (int i = 0; i < files; ++i) {
            const oh::MemberFile &file = result->files.at(i);
            ids.insert(file.id);
            QCOMPARE(file.basename, QStringLiteral("%1_entries.json").arg(i));
            QCOMPARE(file.metadata.description, QStringLiteral("entries"));
            QCOMPARE(file.metadata.tags, QStringList({ QStringLiteral("json"), QStringLiteral("entries") }));
            QCOMPARE(file.created, f.clock.now);
            QCOMPARE(file.source, QStringLiteral("direct-sharing-1"));
            QVERIFY(!file.size.has_value()); // not documented, not sent by default
            QVERIFY(file.downloadUrl.isValid());
        }
        QCOMPARE(ids.size(), files); // no file twice
    }

    void sizesAreReadWhenReported()
    {
        standins::OpenHumansStandIn::Options options;
        options.reportFileSizes = true;
        OpenHumansFixture f(options);
        oh::TokenPair tokens;
        const QString member = f.memberWithTokens(&tokens);
        f.standIn->addFile(member, QStringLiteral("a.json"), "12345");
        const auto result = runJob(f.client().exchangeMember(tokens.accessToken));
        QVERIFY(result.ok());
        QCOMPARE(result->files.first().size.value_or(-1), 5);
    }

    void uploadListDownloadRoundTrip()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const QString member = f.memberWithTokens(&tokens);
        const QByteArray data = "{\"sgv\":120,\"date\":1709294400000}\n{\"sgv\":\"121\"}\n";
        oh::UploadRequest upload { QStringLiteral("%1_entries_2024-03.json").arg(member),
                                   { { QStringLiteral("Nightscout"), QStringLiteral("entries") },
                                     QStringLiteral("Nightscout entries, March 2024") },
                                   data };
        const auto uploaded = runJob(f.client().upload(tokens.accessToken, upload));
        QVERIFY2(uploaded.ok(), qPrintable(uploaded.ok() ? QString() : uploaded.error().toString()));
        QCOMPARE(uploaded->size, data.size());

        // Qt must not have added a Content-Type to the storage PUT.
        const auto puts = f.standIn->puts();
        QCOMPARE(puts.size(), 1);
        QCOMPARE(puts.first().fileId, uploaded->fileId);
        QVERIFY2(!puts.first().hadContentType, puts.first().contentType.constData());

        const auto listed = runJob(f.client().exchangeMember(tokens.accessToken));
        QVERIFY(listed.ok());
        QCOMPARE(listed->files.size(), 1);
        const oh::MemberFile file = listed->files.first();
        QCOMPARE(file.id, uploaded->fileId);
        QCOMPARE(file.basename, upload.filename);
        QCOMPARE(file.metadata.description, upload.metadata.description);
        QCOMPARE(file.metadata.tags, upload.metadata.tags);

        const auto whole = runJob(f.client().downloadAll(tokens.accessToken, file));
        QVERIFY(whole.ok());
        QCOMPARE(whole->body, data);
        QCOMPARE(whole->bytes, data.size());
        QVERIFY(!whole->urlRefreshed);
        using E = standins::OpenHumansStandIn::Endpoint;
        // The 302 was followed. At least once each: Qt resends a GET by itself
        // when the server closed the kept-alive connection it picked (seen
        // under load), which is not a retry of the job.
        QVERIFY(f.standIn->requestCount(E::DownloadRedirect) >= 1);
        QVERIFY(f.standIn->requestCount(E::StorageGet) >= 1);

        QCOMPARE(f.standIn->files(member).first().content, data);
    }

    void streamsLargeFilesToDeviceAndHandler()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        QByteArray big(3 * 1024 * 1024 + 17, Qt::Uninitialized);
        for (char &c : big)
            c = char(QRandomGenerator::global()->bounded(256));
        const auto listed = f.listedMember(&tokens, { { QStringLiteral("big.json.gz"), big } });

        QTemporaryFile target;
        QVERIFY(target.open());
        const auto toFile = runJob(f.client().download(tokens.accessToken, listed.files.first(), &target));
        QVERIFY(toFile.ok());
        QCOMPARE(toFile->bytes, big.size());
        QVERIFY(toFile->body.isEmpty()); // streamed, not kept
        target.seek(0);
        QCOMPARE(target.readAll(), big);

        QByteArray collected;
        int chunks = 0;
        const auto toHandler = runJob(
                f.client().download(tokens.accessToken, listed.files.first(), [&](const QByteArray &chunk) {
                    ++chunks;
                    collected.append(chunk);
                    return true;
                }));
        QVERIFY(toHandler.ok());
        QVERIFY(chunks >= 1);
        QCOMPARE(collected, big);
    }

    void sinkFailuresStopTheDownload()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const auto listed = f.listedMember(&tokens, { { QStringLiteral("url.txt"), QByteArray(5000, 'x') } });

        const auto tooBig = runJob(f.client().downloadAll(tokens.accessToken, listed.files.first(), 1000));
        QVERIFY(!tooBig.ok());
        QCOMPARE(tooBig.error().code, QStringLiteral("too-large"));

        const auto refused = runJob(f.client().download(tokens.accessToken, listed.files.first(),
                                                        [](const QByteArray &) { return false; }));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("write-failed"));

        QBuffer closed; // never opened: writes fail
        QTest::ignoreMessage(QtWarningMsg, "QIODevice::write (QBuffer): device not open");
        const auto unwritable = runJob(f.client().download(tokens.accessToken, listed.files.first(), &closed));
        QVERIFY(!unwritable.ok());
        QCOMPARE(unwritable.error().code, QStringLiteral("write-failed"));
    }

    void expiredDownloadUrlIsRefreshedOnce()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const auto listed = f.listedMember(
                &tokens, { { QStringLiteral("a.json"), "first" }, { QStringLiteral("b.json"), "second" } });

        f.clock.advance(3601); // download URLs live an hour, access tokens ten
        const auto downloaded = runJob(f.client().downloadAll(tokens.accessToken, listed.files.at(1)));
        QVERIFY2(downloaded.ok(), qPrintable(downloaded.ok() ? QString() : downloaded.error().toString()));
        QCOMPARE(downloaded->body, QByteArray("second"));
        QVERIFY(downloaded->urlRefreshed);
        QCOMPARE(f.standIn->requestCount(standins::OpenHumansStandIn::Endpoint::ExchangeMember), 2);
    }

    void expiredUrlOfDeletedFileIsNotFound()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const auto listed = f.listedMember(&tokens, { { QStringLiteral("a.json"), "first" } });
        QVERIFY(runJob(f.client().deleteFiles(tokens.accessToken, oh::DeleteTarget::basename(QStringLiteral("a.json"))))
                        .ok());

        const auto downloaded = runJob(f.client().downloadAll(tokens.accessToken, listed.files.first()));
        QVERIFY(!downloaded.ok());
        QCOMPARE(downloaded.error().code, QStringLiteral("not-found"));
    }

    void expiredUrlAndExpiredTokenAsksForRefresh()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const auto listed = f.listedMember(&tokens, { { QStringLiteral("a.json"), "first" } });
        f.clock.advance(36001);
        const auto downloaded = runJob(f.client().downloadAll(tokens.accessToken, listed.files.first()));
        QVERIFY(!downloaded.ok());
        QCOMPARE(downloaded.error().code, QStringLiteral("token-expired"));
    }

    void deleteTargets_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QStringList>("left");
        QTest::addRow("by id") << int(oh::DeleteTarget::Kind::FileId)
                               << QStringList { QStringLiteral("b.json"), QStringLiteral("a.json"),
                                                QStringLiteral("c.json") };
        QTest::addRow("by basename removes every copy")
                << int(oh::DeleteTarget::Kind::Basename)
                << QStringList { QStringLiteral("b.json"), QStringLiteral("c.json") };
        QTest::addRow("all files") << int(oh::DeleteTarget::Kind::AllFiles) << QStringList();
    }

    void deleteTargets()
    {
        QFETCH(int, kind);
        QFETCH(QStringList, left);
        OpenHumansFixture f;
        oh::TokenPair tokens;
        const QString member = f.memberWithTokens(&tokens);
        const QString other = f.standIn->addMember();
        const QString firstA = f.standIn->addFile(member, QStringLiteral("a.json"), "1");
        f.standIn->addFile(member, QStringLiteral("b.json"), "2");
        f.standIn->addFile(member, QStringLiteral("a.json"), "3");
        f.standIn->addFile(member, QStringLiteral("c.json"), "4");
        f.standIn->addFile(other, QStringLiteral("a.json"), "other member's");

        oh::DeleteTarget target = oh::DeleteTarget::allFiles();
        if (kind == int(oh::DeleteTarget::Kind::FileId))
            target = oh::DeleteTarget::fileId(firstA);
        else if (kind == int(oh::DeleteTarget::Kind::Basename))
            target = oh::DeleteTarget::basename(QStringLiteral("a.json"));
        QVERIFY(runJob(f.client().deleteFiles(tokens.accessToken, target)).ok());

        QStringList names;
        const auto files = f.standIn->files(member);
        for (const auto &file : files)
            names.append(file.basename);
        QCOMPARE(names, left);
        QCOMPARE(f.standIn->files(other).size(), 1);

        const auto listed = runJob(f.client().exchangeMember(tokens.accessToken));
        QVERIFY(listed.ok());
        QCOMPARE(listed->files.size(), left.size());
    }

    void deleteNeedsATarget()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        f.memberWithTokens(&tokens);
        const auto result = runJob(f.client().deleteFiles(tokens.accessToken, oh::DeleteTarget::basename(QString())));
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("bad-request"));
        QCOMPARE(f.standIn->requestCount(standins::OpenHumansStandIn::Endpoint::Delete), 0);
    }

    void uploadErrorsNameTheStep()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        f.memberWithTokens(&tokens);
        f.clock.advance(40000);
        auto *job = f.client().upload(tokens.accessToken, { QStringLiteral("x.json"), {}, "1" });
        job->setAutoDelete(false);
        QSignalSpy spy(job, &oh::Job::finished);
        job->start();
        QVERIFY(spy.wait(10000));
        QVERIFY(!job->result().ok());
        QCOMPARE(job->result().error().code, QStringLiteral("token-expired"));
        QCOMPARE(job->failedStep(), oh::UploadJob::Step::Register);
        QVERIFY(job->result().error().message.contains(QLatin1String("step 1 of 3")));
        QVERIFY(!job->result().error().message.contains(tokens.accessToken));
        delete job;
    }

    void abortStopsAJob()
    {
        OpenHumansFixture f;
        oh::TokenPair tokens;
        f.memberWithTokens(&tokens);
        f.standIn->setFaults(standins::OpenHumansStandIn::Endpoint::ExchangeMember,
                             { {}, standins::StandInFaults::Failure::Hang, 0 });
        auto *job = f.client().exchangeMember(tokens.accessToken);
        job->setAutoDelete(false);
        QSignalSpy spy(job, &oh::Job::finished);
        job->start();
        job->abort();
        QCOMPARE(spy.count(), 1);
        QCOMPARE(job->result().error().code, QStringLiteral("aborted"));
        delete job;
    }

    // A server whose `next` leads back to a page already read: a clear
    // error after two requests, not a loop (MemberJob and ProjectMembersJob
    // share the guard, oh::PagedJob).
    void loopingNextIsAnError()
    {
        QHttpServer server;
        QString base;
        int memberPages = 0;
        int memberListPages = 0;
        server.route(QString::fromLatin1(oh::api::exchangeMemberPath),
                     [&](const QHttpServerRequest &) -> QHttpServerResponse {
                         ++memberPages;
                         return QHttpServerResponse(QJsonObject {
                                 { u"project_member_id"_s, u"12345678"_s },
                                 { u"next"_s,
                                   QString(base + QString::fromLatin1(oh::api::exchangeMemberPath) + u"?offset=1"_s) },
                                 { u"data"_s, QJsonArray() } });
                     });
        server.route(QString::fromLatin1(oh::api::projectMembersPath),
                     [&](const QHttpServerRequest &) -> QHttpServerResponse {
                         ++memberListPages;
                         return QHttpServerResponse(QJsonObject {
                                 { u"next"_s,
                                   QString(base + QString::fromLatin1(oh::api::projectMembersPath) + u"?offset=1"_s) },
                                 { u"results"_s, QJsonArray() } });
                     });
        const quint16 port = server.listen(QHostAddress::LocalHost);
        QVERIFY(port != 0);
        base = u"http://127.0.0.1:%1"_s.arg(port);
        QNetworkAccessManager nam;
        oh::Settings settings;
        settings.baseUrl = QUrl(base);
        FakeClock clock;
        const oh::Client client(&nam, settings, clock.clock());

        // The first page, then its `next`, whose `next` is itself.
        const auto member = runJob(client.exchangeMember(u"t"_s));
        QVERIFY(!member.ok());
        QCOMPARE(member.error().code, u"bad-response"_s);
        QVERIFY2(member.error().message.contains(u"the file list pages never end"_s),
                 qPrintable(member.error().message));
        QCOMPARE(memberPages, 2);

        const auto members = runJob(client.projectMembers(u"master"_s));
        QVERIFY(!members.ok());
        QCOMPARE(members.error().code, u"bad-response"_s);
        QVERIFY2(members.error().message.contains(u"the member list pages never end"_s),
                 qPrintable(members.error().message));
        QCOMPARE(memberListPages, 2);
    }
};

QTEST_MAIN(TestOhFiles)
#include "tst_ohfiles.moc"
