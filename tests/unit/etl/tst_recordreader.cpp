#include "../../integration/etl/etltestsupport.h"
#include "records/ndjsonreader.h"

#include <QBuffer>
#include <QFile>
#include <QTest>

using namespace openaps::records;
using openaps::test::etl::gzipped;

namespace {

struct Read
{
    QList<qint64> lines;
    QList<QByteArray> records;
    QStringList problems;
    QString error;
};

Read readAll(const QByteArray &data, qint64 maxRecord = 64 * 1024 * 1024)
{
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    NdjsonReader reader(&buffer, maxRecord);
    Read read;
    while (auto r = reader.next()) {
        read.lines << r->line;
        read.records << r->bytes;
        read.problems << r->problem;
    }
    read.error = reader.error();
    return read;
}

// Produces `lines` NDJSON lines on demand without holding them.
class GeneratedDevice : public QIODevice
{
public:
    explicit GeneratedDevice(qint64 lines) : m_lines(lines) { open(QIODevice::ReadOnly); }

protected:
    qint64 readData(char *data, qint64 max) override
    {
        qint64 written = 0;
        while (written < max) {
            if (m_pending.isEmpty()) {
                if (m_next >= m_lines)
                    break;
                m_pending = QByteArrayLiteral("{\"_id\":\"") + QByteArray::number(m_next++)
                        + QByteArrayLiteral("\",\"type\":\"sgv\",\"sgv\":120,\"date\":1705600000000,"
                                            "\"device\":\"xDrip-DexcomG6\",\"direction\":\"Flat\"}\n");
            }
            const qint64 n = std::min<qint64>(max - written, m_pending.size());
            memcpy(data + written, m_pending.constData(), size_t(n));
            m_pending.remove(0, n);
            written += n;
        }
        return written;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    qint64 m_lines;
    qint64 m_next = 0;
    QByteArray m_pending;
};

qint64 peakRssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

} // namespace

class TestRecordReader : public QObject
{
    Q_OBJECT

private slots:
    void readsLines_data()
    {
        QTest::addColumn<bool>("compressed");
        QTest::addRow("plain") << false;
        QTest::addRow("gzip") << true;
    }
    void readsLines()
    {
        QFETCH(bool, compressed);
        const QByteArray data =
                "\xEF\xBB\xBF{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}"; // BOM, CRLF, blanks, no final newline
        const Read read = readAll(compressed ? gzipped(data) : data);
        QCOMPARE(read.records, (QList<QByteArray> { "{\"a\":1}", "{\"b\":2}", "{\"c\":3}" }));
        QCOMPARE(read.lines, (QList<qint64> { 1, 4, 5 }));
        QVERIFY(read.error.isEmpty());
    }

    void readsConcatenatedGzipMembers()
    {
        const Read read = readAll(gzipped("{\"a\":1}\n") + gzipped("{\"b\":2}\n"));
        QCOMPARE(read.records.size(), 2);
        QVERIFY(read.error.isEmpty());
    }

    void truncatedGzipKeepsEarlierRecords()
    {
        QByteArray many;
        for (int i = 0; i < 20000; ++i)
            many += "{\"_id\":\"" + QByteArray::number(i) + "\",\"sgv\":" + QByteArray::number(i % 400) + "}\n";
        const QByteArray packed = gzipped(many);
        const Read read = readAll(packed.left(packed.size() / 2));
        QVERIFY(!read.error.isEmpty());
        QVERIFY(read.records.size() > 1000);
        QVERIFY(read.records.size() < 20000);
        for (const QByteArray &r : read.records)
            QVERIFY(r.endsWith('}')); // no torn record is returned
    }

    void corruptGzipIsAnError()
    {
        QByteArray packed = gzipped("{\"a\":1}\n{\"b\":2}\n");
        packed[12] = char(0xff);
        packed[13] = char(0xff);
        const Read read = readAll(packed);
        QVERIFY(!read.error.isEmpty());
    }

    void readsJsonArrayFiles()
    {
        const QByteArray data =
                "[\n {\"a\":\"x,}]\\\"\",\"n\":{\"m\":[1,2]}},\n {\"b\":2}\n ,3, {\"c\":\n\"multi\"}\n]\n";
        const Read read = readAll(data);
        QCOMPARE(read.records,
                 (QList<QByteArray> { "{\"a\":\"x,}]\\\"\",\"n\":{\"m\":[1,2]}}", "{\"b\":2}", "3",
                                      "{\"c\":\n\"multi\"}" }));
        QCOMPARE(read.lines, (QList<qint64> { 2, 3, 4, 4 }));
    }

    // Found by fuzzing: a stray '}' between elements ended an empty element
    // again and again, and next() never returned.
    void strayBraceInAnArrayEnds_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QList<QByteArray>>("records");
        QTest::addRow("after an element")
                << QByteArray("[{\"a\":1}}, {\"b\":2}]") << QList<QByteArray> { "{\"a\":1}", "}", "{\"b\":2}" };
        QTest::addRow("first") << QByteArray("[}]") << QList<QByteArray> { "}" };
        QTest::addRow("unterminated") << QByteArray("[1,}") << QList<QByteArray> { "1", "}" };
    }

    void strayBraceInAnArrayEnds()
    {
        QFETCH(QByteArray, data);
        QFETCH(QList<QByteArray>, records);
        QCOMPARE(readAll(data).records, records);
    }

    void stripsNul()
    {
        static const char raw[] = "{\"device\":\"dex\0com\\u0000\",\"k\":\"\\\\u0000\"}\n";
        const QByteArray data(raw, sizeof raw - 1);
        const Read read = readAll(data);
        QCOMPARE(read.records.size(), 1);
        // The raw NUL and the \u0000 escape go; an escaped backslash stays.
        QCOMPARE(read.records.first(), QByteArray("{\"device\":\"dexcom\",\"k\":\"\\\\u0000\"}"));
    }

    void skipsOverlongRecords()
    {
        const QByteArray data = "{\"a\":1}\n{\"long\":\"" + QByteArray(5000, 'x') + "\"}\n{\"b\":2}\n";
        const Read read = readAll(data, 1024);
        QCOMPARE(read.records.size(), 3);
        QVERIFY(read.problems[0].isEmpty());
        QVERIFY(read.problems[1].contains(QLatin1String("longer than")));
        QVERIFY(read.records[1].isEmpty()); // the content is not kept
        QCOMPARE(read.records[2], QByteArray("{\"b\":2}"));
        QCOMPARE(read.lines, (QList<qint64> { 1, 2, 3 }));
    }

    // 1.5 million lines (about 170 MB) pass through with the reader holding
    // only a chunk: peak memory must not grow with the file.
    void memoryStaysFlat()
    {
        const qint64 before = peakRssKb();
        GeneratedDevice device(1500000);
        NdjsonReader reader(&device);
        qint64 count = 0;
        qint64 lastLine = 0;
        while (auto r = reader.next()) {
            ++count;
            lastLine = r->line;
        }
        QCOMPARE(count, qint64(1500000));
        QCOMPARE(lastLine, qint64(1500000));
        QVERIFY(reader.bytesRead() > 150 * 1024 * 1024);
#ifdef __SANITIZE_ADDRESS__
        // AddressSanitizer keeps freed memory in quarantine: RSS says nothing here.
        Q_UNUSED(before);
#else
        const qint64 growth = peakRssKb() - before;
        QVERIFY2(growth < 32 * 1024, qPrintable(QStringLiteral("peak RSS grew by %1 kB").arg(growth)));
#endif
    }
};

QTEST_GUILESS_MAIN(TestRecordReader)
#include "tst_recordreader.moc"
