// Every fault switch of the Open Humans stand-in, seen through the client:
// what is retried, what ends in which error, and which upload step failed.

#include "ohtestsupport.h"

using namespace openaps;
using namespace openaps::test;
using Endpoint = standins::OpenHumansStandIn::Endpoint;
using Failure = standins::StandInFaults::Failure;

namespace {
enum class Operation { Code, Refresh, Member, Download, Upload, Delete };
}
Q_DECLARE_METATYPE(Operation)
Q_DECLARE_METATYPE(Endpoint)
Q_DECLARE_METATYPE(Failure)

class TestOhFaults : public QObject
{
    Q_OBJECT

private slots:
    void faults_data()
    {
        QTest::addColumn<Operation>("operation");
        QTest::addColumn<Endpoint>("endpoint");
        QTest::addColumn<Failure>("failure");
        QTest::addColumn<int>("onlyRequest");
        QTest::addColumn<int>("latencyMs");
        QTest::addColumn<QString>("error"); // empty: the operation succeeds
        QTest::addColumn<int>("step"); // UploadJob::Step for uploads

        const int none = int(oh::UploadJob::Step::None);
        const int reg = int(oh::UploadJob::Step::Register);
        const int put = int(oh::UploadJob::Step::Transfer);
        const int done = int(oh::UploadJob::Step::Complete);
        const QString ok;
        const QString server = QStringLiteral("server-error");
        const QString timeout = QStringLiteral("timeout");
        const QString bad = QStringLiteral("bad-response");

        struct Group
        {
            const char *name;
            Operation operation;
            Endpoint endpoint;
            int step;
            bool json; // malformed JSON only matters where JSON is read
            QString truncatedError;
            bool slow; // also a latency longer than the client waits
        };
        const Group groups[] = {
            { "code exchange", Operation::Code, Endpoint::Token, none, true, bad, false },
            { "refresh", Operation::Refresh, Endpoint::Token, none, true, bad, true },
            { "exchange-member", Operation::Member, Endpoint::ExchangeMember, none, true, QStringLiteral("truncated"),
              true }, // a GET: retried, then reported as cut off
            { "download redirect", Operation::Download, Endpoint::DownloadRedirect, none, false, ok, false },
            { "storage get", Operation::Download, Endpoint::StorageGet, none, false, QStringLiteral("truncated"),
              true },
            { "upload direct", Operation::Upload, Endpoint::UploadDirect, reg, true, bad, false },
            { "storage put", Operation::Upload, Endpoint::StoragePut, put, false, ok, true },
            { "upload complete", Operation::Upload, Endpoint::UploadComplete, done, true, bad, false },
            { "delete", Operation::Delete, Endpoint::Delete, none, false, ok, false },
        };
        for (const Group &g : groups) {
            const auto row = [&](const char *what, Failure failure, int only, int latency, const QString &error,
                                 int step) {
                QTest::addRow("%s: %s", g.name, what)
                        << g.operation << g.endpoint << failure << only << latency << error << step;
            };
            row("no fault", Failure::None, 0, 0, ok, none);
            row("latency", Failure::None, 0, 100, ok, none);
            if (g.slow)
                row("latency past the timeout", Failure::None, 0, 3000, timeout, g.step);
            row("500 always", Failure::ServerError, 0, 0, server, g.step);
            row("500 on the first request, retried", Failure::ServerError, 1, 0, ok, none);
            row("hang", Failure::Hang, 0, 0, timeout, g.step);
            row("hang on the first request, retried", Failure::Hang, 1, 0, ok, none);
            if (g.json)
                row("malformed JSON", Failure::MalformedJson, 0, 0, bad, g.step);
            row("truncated body", Failure::TruncatedBody, 0, 0, g.truncatedError,
                g.truncatedError.isEmpty() ? none : g.step);
        }
    }

    void faults()
    {
        QFETCH(Operation, operation);
        QFETCH(Endpoint, endpoint);
        QFETCH(Failure, failure);
        QFETCH(int, onlyRequest);
        QFETCH(int, latencyMs);
        QFETCH(QString, error);
        QFETCH(int, step);

        OpenHumansFixture f;
        // Short waits keep hanging rows quick; two attempts show what is retried.
        f.settings.requestTimeout = std::chrono::milliseconds(800);
        f.settings.maxAttempts = 2;
        oh::TokenPair tokens;
        const auto listed = f.listedMember(&tokens, { { QStringLiteral("data.json"), QByteArray(20000, 'd') } });
        const QString member = listed.projectMemberId;
        const QString code = f.standIn->approve(member, redirectUri());
        f.standIn->resetCounts();
        f.standIn->setFaults(endpoint, { std::chrono::milliseconds(latencyMs), failure, onlyRequest });

        std::optional<Error> failed;
        int failedStep = int(oh::UploadJob::Step::None);
        const auto check = [&](const auto &result) {
            if (!result.ok())
                failed = result.error();
        };
        switch (operation) {
        case Operation::Code:
            check(runJob(f.client().exchangeCode(code)));
            break;
        case Operation::Refresh:
            check(runJob(f.client().refresh(tokens.refreshToken)));
            break;
        case Operation::Member: {
            const auto result = runJob(f.client().exchangeMember(tokens.accessToken));
            check(result);
            if (result.ok())
                QCOMPARE(result->files.size(), 1);
            break;
        }
        case Operation::Download: {
            const auto result = runJob(f.client().downloadAll(tokens.accessToken, listed.files.first()));
            check(result);
            if (result.ok())
                QCOMPARE(result->body, QByteArray(20000, 'd'));
            break;
        }
        case Operation::Upload: {
            auto *job = f.client().upload(tokens.accessToken, { QStringLiteral("up.json"), {}, "payload" });
            job->setAutoDelete(false);
            QSignalSpy spy(job, &oh::Job::finished);
            job->start();
            QVERIFY(spy.wait(20000));
            check(job->result());
            failedStep = int(job->failedStep());
            delete job;
            if (!failed)
                QCOMPARE(f.standIn->files(member).size(), 2);
            break;
        }
        case Operation::Delete:
            check(runJob(
                    f.client().deleteFiles(tokens.accessToken, oh::DeleteTarget::fileId(listed.files.first().id))));
            if (!failed)
                QVERIFY(f.standIn->files(member).isEmpty());
            break;
        }

        if (error.isEmpty()) {
            QVERIFY2(!failed, qPrintable(failed ? failed->toString() : QString()));
        } else {
            QVERIFY2(failed, "the operation should have failed");
            QCOMPARE(failed->code, error);
            QVERIFY(!failed->message.isEmpty());
            QVERIFY(!failed->message.contains(tokens.accessToken));
            QVERIFY(!failed->message.contains(QLatin1String("http://")));
        }
        if (operation == Operation::Upload)
            QCOMPARE(failedStep, step);
        QVERIFY(f.standIn->requestCount(endpoint) >= 1);
    }
};

QTEST_MAIN(TestOhFaults)
#include "tst_ohfaults.moc"
