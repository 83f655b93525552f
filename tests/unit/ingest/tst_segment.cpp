#include "ingest/gzipwriter.h"
#include "ingest/recentdigest.h"
#include "ingest/segment.h"
#include "records/ndjsonreader.h"

#include <QBuffer>
#include <QRandomGenerator>
#include <QTest>

using namespace openaps;
using namespace openaps::ingest;
using namespace openaps::records;

namespace {

QList<QByteArray> lines(const QByteArray &data)
{
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    records::NdjsonReader reader(&buffer);
    QList<QByteArray> out;
    while (auto record = reader.next())
        out.append(record->bytes);
    if (!reader.error().isEmpty())
        qWarning("reader: %s", qPrintable(reader.error()));
    return out;
}

QByteArray record(const char *id, int value)
{
    return QByteArray("{\"_id\":\"") + id + "\",\"sgv\":" + QByteArray::number(value) + "}";
}

QByteArray gzipOf(const QList<QByteArray> &records)
{
    GzipWriter writer;
    for (const QByteArray &r : records)
        writer.write(r + '\n');
    return writer.finish();
}

} // namespace

// Segment files: compression, merging by record id, the recent-records digest.
class TestSegment : public QObject
{
    Q_OBJECT

private slots:
    void gzipRoundTrip()
    {
        // Random, so incompressible: several output chunks and a real gzip trailer.
        QList<QByteArray> records;
        for (int i = 0; i < 3000; ++i)
            records.append(QByteArray("{\"_id\":\"") + QByteArray::number(i) + "\",\"x\":\""
                           + QByteArray::number(QRandomGenerator::global()->generate64()) + "\"}");
        const QByteArray gz = gzipOf(records);
        QCOMPARE(quint8(gz[0]), quint8(0x1f));
        QCOMPARE(quint8(gz[1]), quint8(0x8b));
        QCOMPARE(lines(gz), records);
        GzipWriter empty;
        QVERIFY(lines(empty.finish()).isEmpty());
    }

    void batchRefusesARepeatedId()
    {
        SegmentBatch batch(QDate(2024, 1, 1));
        QVERIFY(batch.add("a", record("a", 1)));
        QVERIFY(!batch.add("a", record("a", 2)));
        QVERIFY(batch.add("b", record("b", 3)));
        QCOMPARE(batch.count(), 2);
        QCOMPARE(lines(batch.takeGzip()), (QList<QByteArray> { record("a", 1), record("b", 3) }));
    }

    void mergeIntoNothing()
    {
        const QByteArray fresh = gzipOf({ record("a", 1), record("b", 2) });
        const MergedSegment m = mergeSegment({}, { "a", "b" }, fresh);
        QCOMPARE(m.records, 2);
        QCOMPARE(lines(m.gzip), (QList<QByteArray> { record("a", 1), record("b", 2) }));
    }

    void newVersionWins()
    {
        const QByteArray old = gzipOf({ record("a", 1), record("b", 2), record("c", 3) });
        const QByteArray fresh = gzipOf({ record("b", 20), record("d", 4) });
        const MergedSegment m = mergeSegment({ old }, { "b", "d" }, fresh);
        QCOMPARE(m.kept, 2);
        QCOMPARE(m.replaced, 1);
        QCOMPARE(m.records, 4);
        QCOMPARE(lines(m.gzip),
                 (QList<QByteArray> { record("a", 1), record("c", 3), record("b", 20), record("d", 4) }));
    }

    void versionsLeftByAnInterruptedRunFoldIntoOne()
    {
        // Two versions under one name (upload confirmed, delete of the old one failed).
        const QByteArray v1 = gzipOf({ record("a", 1), record("b", 2) });
        const QByteArray v2 = gzipOf({ record("a", 1), record("b", 2), record("c", 3) });
        const MergedSegment m = mergeSegment({ v1, v2 }, {}, {});
        QCOMPARE(m.duplicates, 2);
        QCOMPARE(lines(m.gzip), (QList<QByteArray> { record("a", 1), record("b", 2), record("c", 3) }));
    }

    void plainAndOddLinesAreKept()
    {
        // A plain (not gzip) version, a line that is not JSON, an id-less record.
        const QByteArray plain = record("a", 1) + "\nnot json at all\n{\"sgv\":5,\"date\":1}\n";
        const MergedSegment m = mergeSegment({ plain, plain }, {}, {});
        const auto out = lines(m.gzip);
        QCOMPARE(out.size(), 3);
        QVERIFY(out.contains("not json at all"));
        QVERIFY(!m.problems.isEmpty());
        QVERIFY(!m.problems.join(QLatin1Char(' ')).contains(QLatin1String("not json")));
    }

    void lineIdMatchesRecordId_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QByteArray>("id");
        QTest::addRow("fast path") << QByteArray(R"({"_id":"65a1","sgv":1})") << QByteArray("65a1");
        QTest::addRow("id not first") << QByteArray(R"({"A":{"_id":"inner"},"_id":"outer"})") << QByteArray("outer");
        QTest::addRow("mongoexport oid") << QByteArray(R"({"_id":{"$oid":"65a2"}})") << QByteArray("65a2");
        QTest::addRow("escaped") << QByteArray("{\"_id\":\"a\\\"b\"}") << QByteArray("a\"b");
        QTest::addRow("not an object") << QByteArray("[1,2]") << QByteArray();
    }
    void lineIdMatchesRecordId()
    {
        QFETCH(QByteArray, line);
        QFETCH(QByteArray, id);
        QCOMPARE(lineId(line), id);
    }

    void digestRoundTripAndPrune()
    {
        RecentDigest d;
        d.insert(1, 1000000);
        d.insert(2, 2000000);
        d.insert(0xffffffffffffffffULL, 3000000);
        const RecentDigest back = RecentDigest::decode(d.encode());
        QCOMPARE(back.size(), 3);
        QVERIFY(back.contains(0xffffffffffffffffULL));
        RecentDigest pruned = back;
        pruned.pruneBefore(2000000);
        QVERIFY(!pruned.contains(1));
        QVERIFY(pruned.contains(2));
        QCOMPARE(RecentDigest::decode("not base64 of entries!").size(), 0);
        QCOMPARE(RecentDigest::decode(QByteArray()).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSegment)
#include "tst_segment.moc"
