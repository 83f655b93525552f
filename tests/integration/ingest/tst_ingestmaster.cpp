// Issue 17, item 1: with the project's master token the ingest goes on for
// members of the old system who never logged in here: their Nightscout
// address comes from the URL file in their Open Humans account, and new
// segments are uploaded with the master token acting for them.

#include "ingest/filelayout.h"
#include "ingest/ingestservice.h"
#include "ingestharness.h"
#include "records/filenames.h"

#include <QSqlQuery>

#include <QSignalSpy>
#include <QTest>

using namespace openaps;
using namespace openaps::test::ingest;
using namespace openaps::records;
using Endpoint = openaps::standins::OpenHumansStandIn::Endpoint;

class TestIngestMaster : public QObject
{
    Q_OBJECT

    static CycleSummary runCycle(Harness &h, const QString &masterToken)
    {
        IngestService::Options o;
        o.once = true;
        o.all = true;
        o.participant = h.settings;
        o.masterToken.value = masterToken;
        IngestService service(h.database, &h.nam, h.ohSettings, o);
        QSignalSpy stopped(&service, &IngestService::stopped);
        service.start();
        if (!stopped.wait(120000))
            qWarning("the ingest cycle did not finish");
        return service.lastCycle();
    }

    // A member of the old system: a URL file of their open site, no consent
    // file (the old default, OpenAPS), no account here and no tokens of
    // their own.
    static Member addLegacyMember(Harness &h)
    {
        Member m;
        m.site = QStringLiteral("legacy");
        m.memberId = h.openHumans->addMember();
        h.nightscout.site(m.site).setOpen();
        h.writeUrlFile(m);
        return m;
    }

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void uploadsForMembersWhoNeverLoggedIn()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = addLegacyMember(h);
        h.now = QDateTime(QDate(2024, 2, 27), QTime(12, 0), Qt::UTC);
        for (DataType type : kAllTypes)
            h.site(m).store().add(collectionOf(type), syntheticRecords(7, type, h.now.addDays(-3), h.now));

        const QString master = h.openHumans->issueMasterToken(std::chrono::seconds(0)); // expiry turned off
        const CycleSummary first = runCycle(h, master);
        QCOMPARE(first.participants, 1);
        QCOMPARE(first.ok, 1);
        QVERIFY(first.recordsAdded > 0);
        QCOMPARE(h.exactlyOnce(m), QString());
        QVERIFY(h.segmentFileCount(m) >= 3);

        // A day later: the new readings go up as a new segment of March.
        const int uploads = h.openHumans->requestCount(Endpoint::UploadComplete);
        const QDateTime before = h.now;
        h.now = QDateTime(QDate(2024, 3, 1), QTime(6, 0), Qt::UTC);
        h.site(m).store().add(ns::Collection::Entries, syntheticRecords(7, DataType::Entries, before, h.now));
        const CycleSummary second = runCycle(h, master);
        QCOMPARE(second.ok, 1);
        QVERIFY(h.openHumans->requestCount(Endpoint::UploadComplete) > uploads);
        QCOMPARE(h.exactlyOnce(m), QString());
        bool march = false;
        for (const auto &file : h.openHumans->files(m.memberId))
            march = march || file.basename == QStringLiteral("%1_entries_2024-03.ndjson.gz").arg(m.memberId);
        QVERIFY(march);
    }

    // An expired master token fails the member's run with a clear code; it
    // is never taken for the member's withdrawal.
    void expiredMasterTokenIsNoWithdrawal()
    {
        QFETCH_GLOBAL(QString, backend);
        Harness h(backend);
        QVERIFY(h.isValid());
        const Member m = addLegacyMember(h);
        const QString master = h.openHumans->issueMasterToken();
        QCOMPARE(runCycle(h, master).ok, 1);
        h.openHumans->expireMasterTokens();
        h.now = h.now.addSecs(3600);
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("master token .* has EXPIRED")));
        const CycleSummary expired = runCycle(h, master);
        QCOMPARE(expired.ok, 0);
        QCOMPARE(expired.failed, 1);
        auto conn = h.database.connection();
        QSqlQuery q(*conn);
        QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM participants WHERE deauthorized_at IS NULL")) && q.next());
        QCOMPARE(q.value(0).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestIngestMaster)
#include "tst_ingestmaster.moc"
