#include "etl/fileloader.h"
#include "etltestsupport.h"
#include "records/datatype.h"

#include <QBuffer>
#include <QLoggingCategory>
#include <QTemporaryDir>

#include <map>
#include <memory>

using namespace openaps;
using namespace openaps::etl;
using namespace openaps::test::etl;
using namespace openaps::records;

namespace {

constexpr qint64 member = 12345678;

Result<FileReport> loadFixture(const db::Database &database, const char *name, DataType type, int source = 0)
{
    FileLoader loader(database);
    return loader.loadFile(fixturePath(name), type, LoadTarget { member, source, QString::fromLatin1(name), {} });
}

Result<FileReport> loadBytes(const db::Database &database, const QByteArray &data, DataType type,
                             qsizetype batchBytes = 0)
{
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    FileLoader loader(database);
    if (batchBytes)
        loader.setBatchBytes(batchBytes);
    return loader.load(&buffer, type, LoadTarget { member, 0, QStringLiteral("bytes"), {} });
}

struct Fixture
{
    const char *name;
    DataType type;
};
const Fixture fixtures[] = { { "profile-shapes.ndjson", DataType::Profile },
                             { "entries-messy.ndjson", DataType::Entries },
                             { "treatments-messy.ndjson", DataType::Treatments },
                             { "devicestatus-flavours.ndjson", DataType::DeviceStatus } };

} // namespace

class TestFileLoader : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    // Every messy shape lands with exact counts; bad lines are counted with
    // their line numbers and never stop the file.
    void loadsFixturesWithExactCounts_data()
    {
        QTest::addColumn<int>("fixture");
        QTest::addColumn<qint64>("records");
        QTest::addColumn<qint64>("inserted");
        QTest::addColumn<qint64>("duplicates");
        QTest::addColumn<qint64>("bad");
        QTest::addColumn<QString>("badLines");
        QTest::addRow("profile") << 0 << qint64(3) << qint64(3) << qint64(0) << qint64(0) << "";
        QTest::addRow("entries") << 1 << qint64(15) << qint64(10) << qint64(2) << qint64(3) << "11,12,13";
        QTest::addRow("treatments") << 2 << qint64(11) << qint64(9) << qint64(1) << qint64(1) << "10";
        QTest::addRow("devicestatus") << 3 << qint64(8) << qint64(8) << qint64(0) << qint64(0) << "";
    }
    void loadsFixturesWithExactCounts()
    {
        QFETCH(int, fixture);
        QFETCH(qint64, records);
        QFETCH(qint64, inserted);
        QFETCH(qint64, duplicates);
        QFETCH(qint64, bad);
        QFETCH(QString, badLines);
        ETL_MIGRATED_DATABASE(tdb, database);

        const auto report = loadFixture(database, fixtures[fixture].name, fixtures[fixture].type);
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
        QCOMPARE(report->records, records);
        QCOMPARE(report->rows.inserted, inserted);
        QCOMPARE(report->rows.updated, qint64(0));
        QCOMPARE(report->rows.duplicates, duplicates);
        QCOMPARE(report->badLines, bad);
        QStringList lines;
        for (const BadLine &b : report->badLineSample)
            lines << QString::number(b.line);
        QCOMPARE(lines.join(QLatin1Char(',')), badLines);
        QCOMPARE(count(database, QLatin1String(tableFor(fixtures[fixture].type).name)), inserted);
    }

    // Column values as stored, on both backends (times in UTC, offsets in
    // minutes, typed numbers from strings, metrics flattened).
    void storesColumnValues_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("expected");
        auto row = [](const char *name, const char *sql, const char *expected) {
            QTest::addRow("%s", name) << QString::fromLatin1(sql) << QString::fromUtf8(expected);
        };
        row("entries total", "SELECT COUNT(*) FROM entries WHERE user_id = 12345678", "10");
        row("entry sgv from string", "SELECT sgv FROM entries WHERE id = 'e01'", "178");
        row("entry date", "SELECT \"date\" FROM entries WHERE id = 'e01'", "2014-07-19T10:59:15.000Z");
        row("entry offset", "SELECT utc_offset FROM entries WHERE id = 'e01'", "-420");
        row("entry device without NUL, as its family", "SELECT device FROM entries WHERE id = 'e03'", "xdrip");
        row("entry noise Clean", "SELECT noise FROM entries WHERE id = 'e03'", "1");
        row("entry $oid", "SELECT sgv FROM entries WHERE id = '5a1b2c3d4e5f6a7b8c9d0e1f'", "91");
        row("duplicate uploader dropped", "SELECT COUNT(*) FROM entries WHERE id = 'e07'", "0");
        row("entry offset from profile zone", "SELECT utc_offset FROM entries WHERE id = 'e06'", "-420");
        row("synthetic id", "SELECT COUNT(*) FROM entries WHERE id LIKE 'sha1:%'", "1");
        row("source entity", "SELECT MIN(source_entity) || '/' || MAX(source_entity) FROM entries", "0/0");
        row("raw json kept", "SELECT COUNT(*) FROM entries WHERE raw_json IS NULL", "0");
        row("treatment duration", "SELECT duration FROM treatments WHERE id = 't01'", "30");
        row("treatment created_at", "SELECT created_at FROM treatments WHERE id = 't01'", "2016-10-23T18:45:22.000Z");
        row("treatment timestamp", "SELECT \"timestamp\" FROM treatments WHERE id = 't06'", "2024-01-18T17:46:40.000Z");
        row("treatment empty protein", "SELECT COALESCE(protein, -1) FROM treatments WHERE id = 't03'", "-1");
        row("treatment rate offset", "SELECT COALESCE(rate, -1) FROM treatments WHERE id = 't05'", "-1");
        row("treatment notes dropped", "SELECT notes FROM treatments WHERE id = 't09'", "NULL");
        row("treatment text escapes", "SELECT glucose_type FROM treatments WHERE id = 't09'",
            "left\tside\nabdomen \\ here");
        row("treatment entered_by NUL", "SELECT entered_by FROM treatments WHERE id = 't11'", "xdrip");
        row("treatment target top", "SELECT target_top FROM treatments WHERE id = 't04'", "80");
        row("status pump id dropped", "SELECT pump_id FROM device_status WHERE id = 'd04'", "NULL");
        row("status bolusing",
            "SELECT CASE WHEN pump_bolusing THEN 'yes' ELSE 'no' END FROM device_status WHERE id = 'd04'", "yes");
        row("status nested bolusing",
            "SELECT CASE WHEN pump_bolusing THEN 'yes' ELSE 'no' END FROM device_status WHERE id = 'd01'", "no");
        row("status loop iob", "SELECT loop_iob FROM device_status WHERE id = 'd08'", "1.5");
        row("status override",
            "SELECT CASE WHEN override_active THEN 'yes' ELSE 'no' END FROM device_status WHERE id = 'd08'", "yes");
        row("status failure sentence as other", "SELECT loop_failure_reason FROM device_status WHERE id = 'd05'",
            "other");
        row("status offset Loop", "SELECT utc_offset FROM device_status WHERE id = 'd04'", "-300");
        row("metrics rows", "SELECT COUNT(*) FROM device_status_metrics", "5");
        row("metrics openaps iob", "SELECT iob_iob FROM device_status_metrics WHERE device_status_id = 'd01'", "0.569");
        row("metrics openaps enacted", "SELECT enacted_rate FROM device_status_metrics WHERE device_status_id = 'd01'",
            "0.675");
        row("metrics iob array", "SELECT iob_iob FROM device_status_metrics WHERE device_status_id = 'd02'", "1.2");
        row("metrics AAPS enacted", "SELECT enacted_duration FROM device_status_metrics WHERE device_status_id = 'd03'",
            "30");
        row("metrics Loop cob", "SELECT suggested_cob FROM device_status_metrics WHERE device_status_id = 'd04'", "25");
        row("metrics Loop enacted time",
            "SELECT enacted_timestamp FROM device_status_metrics WHERE device_status_id = 'd04'",
            "2026-03-18T19:15:00.000Z");
        row("metrics created_at", "SELECT created_at FROM device_status_metrics WHERE device_status_id = 'd03'",
            "2024-01-18T16:00:00.000Z");
        row("profile zone", "SELECT timezone FROM profile WHERE id = 'p01'", "America/Los_Angeles");
        row("profile mills", "SELECT mills FROM profile WHERE id = 'p01'", "1439785200000");
        row("profile start", "SELECT start_date FROM profile WHERE id = 'p01'", "2015-08-17T04:20:00.000Z");
    }
    void storesColumnValues()
    {
        QFETCH_GLOBAL(QString, backend);
        QFETCH(QString, sql);
        QFETCH(QString, expected);
        // One loaded database per backend serves every row of this test.
        auto &loaded = m_loaded[backend];
        if (!loaded) {
            loaded = std::make_unique<test::TestDatabase>(backend);
            QVERIFY(loaded->isValid());
            QVERIFY(db::migrate(loaded->database()).ok());
            for (const Fixture &f : fixtures)
                QVERIFY(loadFixture(loaded->database(), f.name, f.type).ok());
        }
        QCOMPARE(scalar(loaded->database(), sql), expected);
    }
    void cleanupTestCase() { m_loaded.clear(); }

    // Loading the same files again changes nothing: no new rows, no updates,
    // every row byte for byte the same.
    void rerunChangesNothing()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        for (const Fixture &f : fixtures)
            QVERIFY(loadFixture(database, f.name, f.type).ok());
        QMap<QString, QStringList> before;
        for (const char *table : { "entries", "treatments", "device_status", "device_status_metrics", "profile" })
            before.insert(QLatin1String(table), snapshot(database, QLatin1String(table)));
        for (const Fixture &f : fixtures) {
            const auto again = loadFixture(database, f.name, f.type);
            QVERIFY(again.ok());
            QCOMPARE(again->rows.inserted, qint64(0));
            QCOMPARE(again->rows.updated, qint64(0));
            QCOMPARE(again->rows.duplicates + again->badLines, again->records);
        }
        for (auto it = before.cbegin(); it != before.cend(); ++it)
            QCOMPARE(snapshot(database, it.key()), it.value());
    }

    // A document edited in Nightscout comes again with the same _id: the
    // newer version replaces the row, its metrics follow.
    void changedDocumentsUpdate()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, "treatments-messy.ndjson", DataType::Treatments).ok());
        QVERIFY(loadFixture(database, "devicestatus-flavours.ndjson", DataType::DeviceStatus).ok());
        const auto treatments = loadBytes(database,
                                          "{\"_id\":\"t02\",\"eventType\":\"Correction Bolus\",\"insulin\":0.35,"
                                          "\"created_at\":\"2024-01-18T16:00:00.000Z\"}\n",
                                          DataType::Treatments);
        QVERIFY(treatments.ok());
        QCOMPARE(treatments->rows.updated, qint64(1));
        QCOMPARE(scalar(database, QStringLiteral("SELECT insulin FROM treatments WHERE id = 't02'")),
                 QStringLiteral("0.35"));
        QCOMPARE(count(database, QStringLiteral("treatments")), qint64(9));

        const auto status = loadBytes(
                database,
                "{\"_id\":\"d04\",\"device\":\"loop://iPhone\",\"created_at\":\"2026-03-18T19:20:00.000Z\","
                "\"loop\":{\"iob\":{\"iob\":3.5},\"cob\":{\"cob\":40}}}\n",
                DataType::DeviceStatus);
        QVERIFY(status.ok());
        QCOMPARE(status->rows.updated, qint64(1));
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT iob_iob FROM device_status_metrics WHERE device_status_id = 'd04'")),
                 QStringLiteral("3.5"));
        QCOMPARE(
                scalar(database,
                       QStringLiteral(
                               "SELECT COALESCE(enacted_rate, -1) FROM device_status_metrics WHERE device_status_id = 'd04'")),
                QStringLiteral("-1"));
    }

    // Within one file: a changed document's last version wins; of two
    // readings at the same instant the first is kept (on every path).
    void repeatsWithinAFile()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const auto treatments = loadBytes(database,
                                          "{\"_id\":\"r1\",\"insulin\":1,\"created_at\":\"2024-01-18T16:00:00Z\"}\n"
                                          "{\"_id\":\"r1\",\"insulin\":2,\"created_at\":\"2024-01-18T16:00:00Z\"}\n",
                                          DataType::Treatments);
        QVERIFY(treatments.ok());
        QCOMPARE(scalar(database, QStringLiteral("SELECT insulin FROM treatments WHERE id = 'r1'")),
                 QStringLiteral("2"));
        QCOMPARE(count(database, QStringLiteral("treatments")), qint64(1));
        const auto entries = loadBytes(database,
                                       "{\"_id\":\"zz\",\"type\":\"sgv\",\"sgv\":100,\"date\":1700000000000}\n"
                                       "{\"_id\":\"aa\",\"type\":\"sgv\",\"sgv\":101,\"date\":1700000000000}\n",
                                       DataType::Entries);
        QVERIFY(entries.ok());
        QCOMPARE(entries->rows.inserted, qint64(1));
        QCOMPARE(entries->rows.duplicates, qint64(1));
        QCOMPARE(scalar(database, QStringLiteral("SELECT id FROM entries")), QStringLiteral("zz"));
        // The same when the batch meets an existing row (PostgreSQL's staging path).
        const auto staged = loadBytes(database,
                                      "{\"_id\":\"zz\",\"type\":\"sgv\",\"sgv\":100,\"date\":1700000000000}\n"
                                      "{\"_id\":\"zz2\",\"type\":\"sgv\",\"sgv\":100,\"date\":1700000300000}\n"
                                      "{\"_id\":\"aa2\",\"type\":\"sgv\",\"sgv\":101,\"date\":1700000300000}\n",
                                      DataType::Entries);
        QVERIFY(staged.ok());
        QCOMPARE(staged->rows.inserted, qint64(1));
        QCOMPARE(staged->rows.duplicates, qint64(2));
        QCOMPARE(scalar(database, QStringLiteral("SELECT id FROM entries WHERE sgv = 100 AND id <> 'zz'")),
                 QStringLiteral("zz2"));
    }

    // Many small batches with duplicates straddling batch edges: the writer
    // switches between direct COPY and staging and still counts exactly.
    void batchesConverge()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        auto entries = [](int from, int to) {
            QByteArray data;
            for (int i = from; i < to; ++i)
                data += "{\"_id\":\"x" + QByteArray::number(i)
                        + "\",\"type\":\"sgv\",\"sgv\":" + QByteArray::number(40 + i % 300)
                        + ",\"date\":" + QByteArray::number(1700000000000LL + qint64(i) * 300000) + "}\n";
            return data;
        };
        auto first = loadBytes(database, entries(0, 3000), DataType::Entries, 16 * 1024);
        QVERIFY(first.ok());
        QCOMPARE(first->rows.inserted, qint64(3000));
        // Half old, half new, in small batches.
        auto second = loadBytes(database, entries(1500, 6000), DataType::Entries, 16 * 1024);
        QVERIFY(second.ok());
        QCOMPARE(second->rows.inserted, qint64(3000));
        QCOMPARE(second->rows.duplicates, qint64(1500));
        QCOMPARE(count(database, QStringLiteral("entries")), qint64(6000));
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(DISTINCT id) FROM entries")), QStringLiteral("6000"));
    }

    // A record PostgreSQL refuses (a lone UTF-16 surrogate in JSON) costs
    // only itself; SQLite stores it.
    void refusedRowsCostOnlyThemselves()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const QByteArray data =
                "{\"_id\":\"a\",\"type\":\"sgv\",\"sgv\":100,\"date\":1700000000000}\n"
                "{\"_id\":\"b\",\"type\":\"sgv\",\"sgv\":101,\"date\":1700000300000,\"direction\":\"\\ud800\"}\n"
                "{\"_id\":\"c\",\"type\":\"sgv\",\"sgv\":102,\"date\":1700000600000}\n";
        const auto report = loadBytes(database, data, DataType::Entries);
        QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().message));
        const bool pg = database.isPostgres();
        QCOMPARE(report->rows.inserted, qint64(pg ? 2 : 3));
        QCOMPARE(report->badLines, qint64(pg ? 1 : 0));
        if (pg) {
            QCOMPARE(report->badLineSample.front().line, qint64(2));
            QVERIFY(report->badLineSample.front().reason.startsWith(QLatin1String("rejected by the database")));
        }
    }

private:
    std::map<QString, std::unique_ptr<test::TestDatabase>> m_loaded;
};

QTEST_GUILESS_MAIN(TestFileLoader)
#include "tst_fileloader.moc"
