#include "exportharness.h"

#include <QJsonObject>
#include <QSqlDatabase>

#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

// Streaming behaviour of an export: a client that leaves mid-download stops
// the query and is audited `aborted`; a database failure mid-stream breaks
// the connection (never a clean end) and is audited `failed`; the server
// keeps serving either way.
class TestExportStreaming final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void clientLeavesMidStream();
    void databaseFailsMidStream();
    void chunkedAndComplete();
    void exportsPerResearcherAreCapped();
    void aSlowCountHoldsUpNoOtherRequest();
    void auditWritesHoldUpNoOtherRequest();
};

namespace {

// About 18 MB of entries: far more than the socket buffers, the stream's
// queue and the kernel's loopback buffers hold while the client reads
// slowly, so a client that stops reading holds the export in the middle
// (measured: the server ran 0.5 to 3.6 MB ahead of such a client).
constexpr int bulkRows = 1800;
constexpr int bulkJson = 10000;

QString lastOutcome(const test::ExportHarness &h)
{
    const auto rows = h.auditRows();
    return rows.isEmpty() ? QString() : rows.last().value(u"outcome"_s).toString();
}

} // namespace

void TestExportStreaming::clientLeavesMidStream()
{
    QFETCH_GLOBAL(QString, backend);
    test::ExportHarness h(backend);
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    QVERIFY(h.seedBulk(bulkRows, bulkJson));

    QNetworkReply *reply = h.startSlowDownload(u"/api/v1/export/entries?format=ndjson"_s);
    QVERIFY(reply);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->rawHeader("X-Export-Rows-Estimate"), QByteArray::number(bulkRows + 9));
    QCOMPARE(h.api().runningExports(), 1);
    reply->abort();
    delete reply;

    QTRY_COMPARE_WITH_TIMEOUT(lastOutcome(h), u"aborted"_s, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(h.api().runningExports(), 0, 20000);
    const auto row = h.auditRows().last();
    QVERIFY(row.value(u"row_count"_s).toLongLong() < bulkRows);
    QVERIFY(row.value(u"byte_count"_s).toLongLong() > 0);

    // The server still answers, and a whole export works.
    const auto next = h.get(u"/api/v1/export/profile?format=csv"_s);
    QCOMPARE(next.status, 200);
    QCOMPARE(next.error, QNetworkReply::NoError);
    QTRY_COMPARE_WITH_TIMEOUT(lastOutcome(h), u"complete"_s, 10000);
}

void TestExportStreaming::databaseFailsMidStream()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != u"postgres"_s)
        QSKIP("a failure mid-read is injected by ending the PostgreSQL session");
    test::ExportHarness h(backend);
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    QVERIFY(h.seedBulk(bulkRows, bulkJson));

    QNetworkReply *reply = h.startSlowDownload(u"/api/v1/export/entries?format=csv"_s);
    QVERIFY(reply);
    // End the export's database session from outside, as a failover or an
    // administrator would.
    auto conn = h.database().connection();
    QVERIFY(conn);
    QSqlQuery kill(*conn);
    const auto terminate = [&kill] {
        return kill.exec(u"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE query LIKE 'COPY (SELECT%' AND pid <> pg_backend_pid()"_s)
                && kill.next() && kill.value(0).toBool();
    };
    bool terminated = false; // QTRY_* evaluates once more at the end: terminate once
    QTRY_VERIFY_WITH_TIMEOUT(terminated || (terminated = terminate()), 10000);
    reply->setReadBufferSize(0); // read the rest as fast as it comes
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(30000));
    // The body is incomplete, and the client can tell.
    QVERIFY2(reply->error() != QNetworkReply::NoError, "the export ended as if it were complete");
    delete reply;

    QTRY_COMPARE_WITH_TIMEOUT(lastOutcome(h), u"failed"_s, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(h.api().runningExports(), 0, 20000);
    const auto next = h.get(u"/api/v1/export/treatments"_s);
    QCOMPARE(next.status, 200);
    QCOMPARE(next.error, QNetworkReply::NoError);
}

void TestExportStreaming::chunkedAndComplete()
{
    QFETCH_GLOBAL(QString, backend);
    test::ExportHarness h(backend);
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    QVERIFY(h.seedBulk(500, 1000));
    // A slow reader still gets every row, in order, from a chunked body.
    QNetworkReply *reply = h.startSlowDownload(u"/api/v1/export/entries?format=ndjson&participants=101"_s);
    QVERIFY(reply);
    QByteArray body;
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [&] { body += reply->readAll(); });
    body += reply->readAll();
    QVERIFY(finished.wait(20000) || reply->isFinished());
    body += reply->readAll();
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(reply->rawHeader("Transfer-Encoding").toLower(), QByteArray("chunked"));
    QCOMPARE(reply->hasRawHeader("Content-Length"), false);
    QCOMPARE(body.count('\n'), 503);
    delete reply;
    QTRY_COMPARE_WITH_TIMEOUT(lastOutcome(h), u"complete"_s, 10000);
    QCOMPARE(h.auditRows().last().value(u"row_count"_s).toLongLong(), 503);
}

void TestExportStreaming::exportsPerResearcherAreCapped()
{
    QFETCH_GLOBAL(QString, backend);
    test::ExportHarness h(backend);
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    QVERIFY(h.seedBulk(bulkRows, bulkJson));
    // Two slow downloads of one researcher hold their slots...
    std::unique_ptr<QNetworkReply> first(h.startSlowDownload(u"/api/v1/export/entries?format=ndjson"_s));
    std::unique_ptr<QNetworkReply> second(h.startSlowDownload(u"/api/v1/export/entries?format=ndjson"_s));
    QVERIFY(first && second);
    QCOMPARE(h.api().runningExports(), 2);
    // ...so a third waits its turn, with a time to come back,
    const auto third = h.get(u"/api/v1/export/profile?format=csv"_s);
    QCOMPARE(third.status, 429);
    QCOMPARE(third.json().value(u"error"_s).toString(), u"too-many-exports"_s);
    QVERIFY(third.header("Retry-After").toInt() > 0);
    // while another researcher is served at once.
    const auto other = h.get(u"/api/v1/export/profile?format=csv"_s, test::tokens::openaps);
    QCOMPARE(other.status, 200);
    first->abort();
    first.reset();
    QTRY_COMPARE_WITH_TIMEOUT(h.api().runningExports(), 1, 20000);
    QCOMPARE(h.get(u"/api/v1/export/profile?format=csv"_s).status, 200);
    second->abort();
}

void TestExportStreaming::aSlowCountHoldsUpNoOtherRequest()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("postgres"))
        QSKIP("a table lock from another connection makes the count wait: PostgreSQL");
    test::ExportHarness h(backend);
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    test::TableLock lock(h.database(), u"entries"_s);
    QVERIFY(lock.isLocked());
    std::unique_ptr<QNetworkReply> count(h.nam().get(h.request(u"/api/v1/export/entries/count"_s, test::tokens::all)));
    // The count is waiting for the lock...
    QTRY_VERIFY_WITH_TIMEOUT(h.someoneWaitsForALock(), 20000);
    // ...and the server still answers everyone else meanwhile.
    const auto datasets = h.get(u"/api/v1/datasets"_s);
    QCOMPARE(datasets.status, 200);
    QVERIFY2(!count->isFinished(), "the other request waited for the count");
    lock.release();
    QSignalSpy done(count.get(), &QNetworkReply::finished);
    QVERIFY(count->isFinished() || done.wait(20000));
    QCOMPARE(count->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
}

void TestExportStreaming::auditWritesHoldUpNoOtherRequest()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("postgres"))
        QSKIP("a table lock from another connection makes the audit write wait: PostgreSQL");
    test::ExportHarness h(backend);
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    test::TableLock lock(h.database(), u"download_audit"_s);
    QVERIFY(lock.isLocked());
    // Downloads end while their audit rows wait for the lock, and the
    // server answers the next requests meanwhile.
    QCOMPARE(h.get(u"/api/v1/export/profile?format=csv"_s).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(h.someoneWaitsForALock(), 20000);
    QCOMPARE(h.get(u"/api/v1/export/treatments?format=csv"_s).status, 200);
    QCOMPARE(h.get(u"/api/v1/datasets"_s).status, 200);
    QVERIFY2(lock.stillHeld(), "the server waited for the audit table");
    lock.release();
    QTRY_COMPARE_WITH_TIMEOUT(h.auditRows().size(), 2, 20000);
    QCOMPARE(lastOutcome(h), u"complete"_s);
}

QTEST_MAIN(TestExportStreaming)
#include "tst_exportstreaming.moc"
