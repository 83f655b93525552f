#include "ingestharness.h"
#include "records/datatype.h"

#include "ingest/filelayout.h"

#include <QSqlQuery>
#include <QTest>

using namespace openaps;
using namespace openaps::test::ingest;
using namespace openaps::records;
using Endpoint = standins::OpenHumansStandIn::Endpoint;
using Failure = standins::StandInFaults::Failure;

namespace {

constexpr quint64 kSeed = 7;

void addSynthetic(Harness &h, const Member &m, const QDateTime &from, const QDateTime &to)
{
    for (DataType type : kAllTypes)
        h.site(m).store().add(collectionOf(type), syntheticRecords(kSeed, type, from, to));
}

QString storedAccessToken(const db::Database &database, qint64 participantId)
{
    auto connection = database.connection();
    QSqlQuery q(*connection);
    q.prepare(QStringLiteral("SELECT access_token_enc FROM participants WHERE id = ?"));
    q.addBindValue(participantId);
    return q.exec() && q.next() ? q.value(0).toString() : QString();
}

} // namespace

// Every fault leaves a clean retry: afterwards Open Humans holds every record
// exactly once.
class TestIngestFaults : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void faultMidCycleThenRetry_data()
    {
        QTest::addColumn<bool>("nightscout"); // else an Open Humans endpoint
        QTest::addColumn<int>("endpoint");
        QTest::addColumn<int>("failure");
        QTest::addColumn<QString>("errorClass"); // empty: the run itself may succeed
        const auto ns = [](const char *name, Failure f, const char *klass) {
            QTest::addRow("%s", name) << true << 0 << int(f) << QString::fromLatin1(klass);
        };
        const auto oh = [](const char *name, Endpoint e, Failure f, const char *klass) {
            QTest::addRow("%s", name) << false << int(e) << int(f) << QString::fromLatin1(klass);
        };
        ns("nightscout 500 mid-paging", Failure::ServerError, "unreachable");
        ns("nightscout timeout", Failure::Hang, "unreachable");
        ns("nightscout malformed JSON", Failure::MalformedJson, "bad_data");
        ns("nightscout truncated body", Failure::TruncatedBody, "*");
        oh("upload PUT fails", Endpoint::StoragePut, Failure::ServerError, "oh_unavailable");
        oh("completion fails", Endpoint::UploadComplete, Failure::ServerError, "oh_unavailable");
        oh("completion answer lost", Endpoint::UploadComplete, Failure::TruncatedBody, "oh_unavailable");
        oh("registration hangs", Endpoint::UploadDirect, Failure::Hang, "oh_unavailable");
        oh("old version download fails", Endpoint::StorageGet, Failure::ServerError, "oh_unavailable");
        oh("old version delete fails", Endpoint::Delete, Failure::ServerError, "");
    }
    void faultMidCycleThenRetry()
    {
        QFETCH_GLOBAL(QString, backend);
        QFETCH(bool, nightscout);
        QFETCH(int, endpoint);
        QFETCH(int, failure);
        QFETCH(QString, errorClass);
        Harness h(backend);
        QVERIFY(h.isValid());
        h.settings.nightscout.pageSize = 250; // fewer round trips; page edges are tested elsewhere
        const Member m = h.addMember();
        const QDateTime start = h.now;
        addSynthetic(h, m, start.addDays(-7), start);
        QCOMPARE(h.run(m).errorCode, QString());
        QCOMPARE(h.exactlyOnce(m), QString());

        // Three more days; the faulted run replaces the current month's segments.
        h.now = start.addDays(3);
        addSynthetic(h, m, start, h.now);
        h.site(m).setFaults({ std::chrono::milliseconds(5), Failure::None, 0 });
        const int nsBefore = h.site(m).requestCount();
        const int completesBefore = h.openHumans->requestCount(Endpoint::UploadComplete);
        ParticipantIngest *job = h.start(m);
        if (nightscout) {
            QVERIFY(waitUntil([&] { return h.site(m).requestCount() >= nsBefore + 4; }));
            h.site(m).setFaults({ std::chrono::milliseconds(0), Failure(failure), 0 });
        } else {
            // After the first segment is in: the fault hits the middle of the run.
            QVERIFY(waitUntil([&] { return h.openHumans->requestCount(Endpoint::UploadComplete) > completesBefore; }));
            h.openHumans->setFaults(Endpoint(endpoint), { std::chrono::milliseconds(0), Failure(failure), 0 });
        }
        const ParticipantReport faulted = h.wait(job);
        if (errorClass == QLatin1String("*"))
            QVERIFY(!faulted.errorCode.isEmpty());
        else
            QCOMPARE(faulted.errorCode, errorClass);

        h.site(m).setFaults({});
        h.openHumans->clearFaults();
        const ParticipantReport retry = h.run(m);
        QCOMPARE(retry.errorCode, QString());
        QVERIFY2(h.exactlyOnce(m).isEmpty(), qPrintable(h.exactlyOnce(m)));
        // And one more: any leftover version is folded in, nothing changes otherwise.
        h.now = h.now.addSecs(60);
        QCOMPARE(h.run(m).errorCode, QString());
        QCOMPARE(h.exactlyOnce(m), QString());
        QSet<QString> names;
        for (const auto &f : h.openHumans->files(m.memberId)) {
            QVERIFY2(!names.contains(f.basename), qPrintable(f.basename));
            names.insert(f.basename);
        }
    }

    void expiredTokenMidCycle()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = h.addMember();
        h.settings.nightscout.pageSize = 250;
        addSynthetic(h, m, h.now.addDays(-14), h.now);
        const QString tokenBefore = storedAccessToken(h.database, m.id);
        h.site(m).setFaults({ std::chrono::milliseconds(5), Failure::None, 0 });
        ParticipantIngest *job = h.start(m);
        QVERIFY(waitUntil([&] { return h.openHumans->requestCount(Endpoint::UploadComplete) >= 1; }));
        // Open Humans ends the access token early (it said 10 hours).
        h.openHumans->store().expireAccessTokens();
        const ParticipantReport r = h.wait(job);
        QCOMPARE(r.errorCode, QString());
        QCOMPARE(h.exactlyOnce(m), QString());
        QVERIFY(storedAccessToken(h.database, m.id) != tokenBefore); // the rotated pair was stored
        QVERIFY(h.openHumans->requestCount(Endpoint::Token) >= 1);
    }

    void oneParticipantsFailureLeavesOthersAlone()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member broken = h.addMember();
        const Member fine = h.addMember();
        addSynthetic(h, broken, h.now.addDays(-3), h.now);
        addSynthetic(h, fine, h.now.addDays(-3), h.now);
        h.site(broken).setFaults({ std::chrono::milliseconds(0), Failure::ServerError, 0 });
        ParticipantIngest *a = h.start(broken);
        ParticipantIngest *b = h.start(fine);
        QCOMPARE(h.wait(a).errorCode, QStringLiteral("unreachable"));
        QCOMPARE(h.wait(b).errorCode, QString());
        QCOMPARE(h.exactlyOnce(fine), QString());
        QCOMPARE(h.segmentFileCount(broken), 0);
        // The failure is recorded for the status panel and backs off.
        auto connection = h.database.connection();
        QSqlQuery q(*connection);
        q.prepare(QStringLiteral("SELECT failures, next_attempt_ms FROM ingest_participants WHERE participant_id = ?"));
        q.addBindValue(broken.id);
        QVERIFY(q.exec() && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
        QVERIFY(q.value(1).toLongLong() > h.now.toMSecsSinceEpoch());
    }
};

QTEST_GUILESS_MAIN(TestIngestFaults)
#include "tst_ingestfaults.moc"
