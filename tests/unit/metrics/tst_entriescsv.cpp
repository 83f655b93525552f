#include "core/gzip.h"
#include "metrics/entriescsv.h"

#include <QBuffer>
#include <QTemporaryDir>
#include <QTest>

using namespace openaps::metrics;
using openaps::Result;

namespace {

Result<EntriesData> load(const QByteArray &csv, const LoadProgress &progress = {})
{
    QBuffer buffer;
    buffer.setData(csv);
    buffer.open(QIODevice::ReadOnly);
    return loadEntriesCsv(buffer, progress);
}

const QByteArray header = "user_id,id,sgv,direction,raw_json,date,utc_offset\n";

QByteArray gzip(const QByteArray &data)
{
    return openaps::gzip::compress(data);
}

} // namespace

class TestEntriesCsv final : public QObject
{
    Q_OBJECT

private slots:
    void isoTimes_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<qint64>("ms");
        QTest::addRow("seconds") << QByteArray("2024-03-10T12:00:00Z") << qint64(1710072000000);
        QTest::addRow("milliseconds") << QByteArray("2024-03-10T12:00:00.250Z") << qint64(1710072000250);
        QTest::addRow("tenths") << QByteArray("2024-03-10T12:00:00.5Z") << qint64(1710072000500);
        QTest::addRow("offset") << QByteArray("2024-03-10T07:00:00-05:00") << qint64(1710072000000);
        QTest::addRow("offset without colon") << QByteArray("2024-03-10T17:30:00+0530") << qint64(1710072000000);
        QTest::addRow("+00:00 with ms") << QByteArray("2024-03-10T12:00:00.250+00:00") << qint64(1710072000250);
        QTest::addRow("space, no zone") << QByteArray("2024-03-10 12:00:00") << qint64(1710072000000);
        QTest::addRow("month 13") << QByteArray("2024-13-10T12:00:00Z") << qint64(-1);
        QTest::addRow("trailing text") << QByteArray("2024-03-10T12:00:00Zx") << qint64(-1);
        QTest::addRow("leap day") << QByteArray("2024-02-29T00:00:00Z") << qint64(1709164800000);
        QTest::addRow("epoch") << QByteArray("1970-01-01T00:00:00Z") << qint64(0);
        QTest::addRow("garbage") << QByteArray("yesterday") << qint64(-1);
        QTest::addRow("empty") << QByteArray() << qint64(-1);
    }
    void isoTimes()
    {
        QFETCH(QByteArray, text);
        QFETCH(qint64, ms);
        QCOMPARE(parseIsoUtcMs(text), ms);
    }

    void quotingAndParticipants()
    {
        const QByteArray csv = header
                + "7,a,120,Flat,\"{\"\"sgv\"\":120,\"\"note\"\":\"\"a, b\nc\"\"}\",2024-03-10T12:00:00Z,-300\n"
                  "7,b,,Flat,,2024-03-10T12:05:00Z,-300\n" // meter entry: no sgv
                  "7,c,130,Flat,,not a time,-300\r\n"
                  "9,d,200,Up,\"{}\",2024-03-10T12:00:00.000Z,60\r\n"
                  "\n"
                  "9,e,210,Up,\"{}\",2024-03-10T12:05:00.000Z,60";
        const auto data = load(csv);
        QVERIFY2(data.ok(), qPrintable(data ? QString() : data.error().message));
        QCOMPARE(data->rows, 5);
        QCOMPARE(data->skipped, 2);
        QCOMPARE(data->participants, (QStringList { QStringLiteral("7"), QStringLiteral("9") }));
        const auto seven = data->readings.value(QStringLiteral("7"));
        QCOMPARE(seven.size(), 1);
        QCOMPARE(seven[0].mgdl, 120.0);
        QCOMPARE(seven[0].offsetMinutes, -300);
        QCOMPARE(seven[0].utcMs, qint64(1710072000000));
        const auto nine = data->readings.value(QStringLiteral("9"));
        QCOMPARE(nine.size(), 2);
        QCOMPARE(nine[1].mgdl, 210.0);
        QCOMPARE(nine[1].offsetMinutes, 60);
    }

    // Records that straddle the 1 MiB read chunks are joined, not split.
    void recordsAcrossChunks()
    {
        QByteArray csv = header;
        const QByteArray padding(5000, 'x');
        int expected = 0;
        while (csv.size() < 3 * 1024 * 1024) {
            csv += "1,id,100,Flat,\"" + padding + "\"\"" + padding + "\",2024-03-10T12:00:00Z,0\n";
            ++expected;
        }
        qint64 lastProgress = 0;
        const auto data = load(csv, [&](qint64 bytes) {
            lastProgress = bytes;
            return true;
        });
        QVERIFY(data.ok());
        QCOMPARE(data->rows, expected);
        QCOMPARE(data->skipped, 0);
        QCOMPARE(lastProgress, csv.size());
    }

    void cancelled()
    {
        QByteArray csv = header;
        for (int i = 0; i < 60000; ++i)
            csv += "1,id,100,Flat,,2024-03-10T12:00:00Z,0\n";
        const auto data = load(csv, [](qint64) { return false; });
        QVERIFY(!data.ok());
        QCOMPARE(data.error().code, QStringLiteral("cancelled"));
    }

    void notEntries_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("treatments") << QByteArray("user_id,id,event_type,created_at\n1,a,Bolus,2024-03-10T12:00:00Z\n");
    }
    void notEntries()
    {
        QFETCH(QByteArray, csv);
        const auto data = load(csv);
        QVERIFY(!data.ok());
        QCOMPARE(data.error().code, QStringLiteral("not-entries"));
        QVERIFY(!data.error().message.isEmpty());
    }

    // Downloads with gzip=1 open without unpacking: several members, as
    // concatenated gzip files are; a cut-off or damaged file is an error.
    void gzipFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("error");
        QByteArray csv = header;
        for (int i = 0; i < 30000; ++i)
            csv += "5,id" + QByteArray::number(i) + ",123,Flat,\"{}\",2024-03-10T12:00:00Z,0\n";
        const qsizetype half = csv.size() / 2;
        const QByteArray whole = gzip(csv);
        QTest::addRow("one member") << whole << QString();
        QTest::addRow("two members") << gzip(csv.left(half)) + gzip(csv.mid(half)) << QString();
        QTest::addRow("cut off") << whole.left(whole.size() / 2) << QStringLiteral("truncated");
        QByteArray damaged = whole;
        damaged[20] = char(damaged[20] ^ 0x55);
        damaged[21] = char(damaged[21] ^ 0x55);
        QTest::addRow("damaged") << damaged << QStringLiteral("corrupt");
    }
    void gzipFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, error);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("entries.csv.gz"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
        file.close();
        qint64 lastProgress = 0;
        const auto data = loadEntriesCsvFile(path, [&](qint64 read) {
            lastProgress = read;
            return true;
        });
        if (!error.isEmpty()) {
            QVERIFY(!data.ok());
            QCOMPARE(data.error().code, error);
            return;
        }
        QVERIFY2(data.ok(), qPrintable(data ? QString() : data.error().message));
        QCOMPARE(data->rows, 30000);
        QCOMPARE(data->readings.value(QStringLiteral("5")).size(), 30000);
        QCOMPARE(lastProgress, bytes.size());
    }

    void missingFile()
    {
        QTemporaryDir dir;
        QCOMPARE(loadEntriesCsvFile(dir.filePath(QStringLiteral("missing.csv"))).error().code,
                 QStringLiteral("unreadable"));
    }
};

QTEST_GUILESS_MAIN(TestEntriesCsv)
#include "tst_entriescsv.moc"
