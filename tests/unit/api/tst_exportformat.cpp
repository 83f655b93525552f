#include "api/export/datasets.h"
#include "api/export/exportparams.h"
#include "api/export/exportsql.h"
#include "api/export/rowencoder.h"
#include "core/gzip.h"
#include "http/chunkqueue.h"

#include <QTest>

#include <thread>

using namespace openaps;
using namespace openaps::api;
using namespace Qt::StringLiterals;

// The pieces of an export that need no server: number, CSV and JSON
// rendering as PostgreSQL renders them, gzip, parameter parsing, the SQL's
// bound values, and the bounded hand-over between producer and writer.
class TestExportFormat final : public QObject
{
    Q_OBJECT

private slots:
    void doubles_data();
    void doubles();
    void csvFields_data();
    void csvFields();
    void jsonStrings();
    void gzipRoundTrip();
    void params_data();
    void params();
    void valuesAreBound();
    void queueBlocksWhenFull();
    void spreadsheetSafeCells_data();
    void spreadsheetSafeCells();
};

void TestExportFormat::doubles_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("text"); // what PostgreSQL 15's float8out prints
    QTest::addRow("integral") << 120.0 << QByteArray("120");
    QTest::addRow("negative fraction") << -1.5 << QByteArray("-1.5");
    QTest::addRow("tenth") << 0.1 << QByteArray("0.1");
    QTest::addRow("1e-4 stays fixed") << 0.0001 << QByteArray("0.0001");
    QTest::addRow("1e-5 is scientific") << 0.00001 << QByteArray("1e-05");
    QTest::addRow("1e14 stays fixed") << 1e14 << QByteArray("100000000000000");
    QTest::addRow("1e15 is scientific") << 1e15 << QByteArray("1e+15");
    QTest::addRow("1e20") << 1e20 << QByteArray("1e+20");
    QTest::addRow("shortest round trip") << 5.551115123125783e-17 << QByteArray("5.551115123125783e-17");
    QTest::addRow("glucose mmol") << 6.661338147750939 << QByteArray("6.661338147750939");
    QTest::addRow("zero") << 0.0 << QByteArray("0");
}

void TestExportFormat::doubles()
{
    QFETCH(double, value);
    QFETCH(QByteArray, text);
    QByteArray out;
    appendDouble(out, value);
    QCOMPARE(out, text);
}

void TestExportFormat::csvFields_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("field");
    QTest::addRow("plain") << QByteArray("xDrip") << QByteArray("xDrip");
    QTest::addRow("empty string is quoted (NULL is not)") << QByteArray("") << QByteArray("\"\"");
    QTest::addRow("comma") << QByteArray("a,b") << QByteArray("\"a,b\"");
    QTest::addRow("quote doubled") << QByteArray("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
    QTest::addRow("newline") << QByteArray("a\nb") << QByteArray("\"a\nb\"");
    QTest::addRow("carriage return") << QByteArray("a\rb") << QByteArray("\"a\rb\"");
    QTest::addRow("unicode untouched") << "ünï ✓"_ba
                                       << "ünï ✓"_ba;
}

void TestExportFormat::csvFields()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, field);
    QByteArray out;
    appendCsvField(out, value);
    QCOMPARE(out, field);
}

void TestExportFormat::jsonStrings()
{
    QByteArray out;
    appendJsonString(out, "a\"b\\c\nd\te\x01 ü"_ba);
    QCOMPARE(out, "\"a\\\"b\\\\c\\nd\\te\\u0001 ü\""_ba);
}

void TestExportFormat::gzipRoundTrip()
{
    QByteArray text;
    for (int i = 0; i < 20000; ++i)
        text += "101,e" + QByteArray::number(i) + ",120,,xDrip\n";
    gzip::Deflater deflater;
    QVERIFY(deflater.isValid());
    QByteArray packed;
    for (qsizetype at = 0; at < text.size(); at += 65536)
        deflater.write(text.mid(at, 65536), packed);
    deflater.finish(packed);
    QVERIFY(packed.startsWith("\x1f\x8b"));
    QVERIFY(packed.size() < text.size() / 5);

    QCOMPARE(gzip::decompress(packed), std::optional<QByteArray>(text));
}

void TestExportFormat::params_data()
{
    QTest::addColumn<QString>("dataset");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("error"); // the parameter named, or empty
    QTest::addColumn<QString>("fileName");
    QTest::addRow("defaults") << u"entries"_s << QString() << QString() << u"entries_start_end.csv"_s;
    QTest::addRow("all set") << u"treatments"_s
                             << u"format=ndjson&from=2024-01-01&to=2024-02-01T12:00:00Z&participants=1,2&gzip=1"_s
                             << QString() << u"treatments_20240101T000000Z_20240201T120000Z.ndjson.gz"_s;
    QTest::addRow("offset read as UTC") << u"entries"_s << u"from=2024-01-01T01:00:00%2B01:00"_s << QString()
                                        << u"entries_20240101T000000Z_end.csv"_s;
    QTest::addRow("no offset is UTC") << u"entries"_s << u"to=2024-01-01T10:00:00"_s << QString()
                                      << u"entries_start_20240101T100000Z.csv"_s;
    QTest::addRow("bad format") << u"entries"_s << u"format=json"_s << u"format"_s << QString();
    QTest::addRow("time without date") << u"entries"_s << u"from=12:00"_s << u"from"_s << QString();
    QTest::addRow("negative id") << u"entries"_s << u"participants=-3"_s << u"participants"_s << QString();
    QTest::addRow("to equals from") << u"entries"_s << u"from=2024-01-01&to=2024-01-01"_s << u"to"_s << QString();
    QTest::addRow("to on demographics: checked, not applied")
            << u"member_demographics"_s << u"to=2024-01-01"_s << QString() << u"member_demographics_start_end.csv"_s;
    QTest::addRow("bad to on demographics") << u"member_demographics"_s << u"to=soon"_s << u"to"_s << QString();
    QTest::addRow("unknown") << u"entries"_s << u"limit=5"_s << u"limit"_s << QString();
    QTest::addRow("spreadsheet-safe CSV")
            << u"entries"_s << u"spreadsheet_safe=1"_s << QString() << u"entries_start_end.csv"_s;
    QTest::addRow("spreadsheet-safe NDJSON")
            << u"entries"_s << u"format=ndjson&spreadsheet_safe=1"_s << u"spreadsheet_safe"_s << QString();
    QTest::addRow("spreadsheet-safe yes")
            << u"entries"_s << u"spreadsheet_safe=yes"_s << u"spreadsheet_safe"_s << QString();
}

void TestExportFormat::params()
{
    QFETCH(QString, dataset);
    QFETCH(QString, query);
    QFETCH(QString, error);
    QFETCH(QString, fileName);
    const Dataset *d = findDataset(dataset);
    QVERIFY(d);
    const auto parsed = ExportParams::parse(QUrlQuery(query), *d);
    if (!error.isEmpty()) {
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, u"bad-request"_s);
        QVERIFY2(parsed.error().message.contains(u'\'' + error + u'\''), qPrintable(parsed.error().message));
        return;
    }
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error().message));
    QCOMPARE(parsed->fileName(*d), fileName);
}

void TestExportFormat::valuesAreBound()
{
    const Dataset *d = findDataset(u"entries"_s);
    auto params = ExportParams::parse(QUrlQuery(u"from=2024-01-01&participants=424242,535353"_s), *d);
    QVERIFY(params.ok());
    const ExportQuery query { d, *params, { 0, 2 } };
    for (auto dialect :
         { ExportSql::Dialect::Sqlite, ExportSql::Dialect::Postgres, ExportSql::Dialect::PostgresCopy }) {
        const ExportSql sql(query, dialect);
        const QString text = dialect == ExportSql::Dialect::PostgresCopy ? sql.copySql()
                                                                         : sql.selectSql() + sql.countSql();
        QVERIFY2(!text.contains(u"424242"_s) && !text.contains(u"2024-01-01"_s), qPrintable(text));
        const QString values = dialect == ExportSql::Dialect::PostgresCopy ? sql.settings().value(2).second
                                                                           : sql.values().value(2).toString();
        QVERIFY2(values.contains(u"424242,535353"_s), qPrintable(values));
    }
}

void TestExportFormat::queueBlocksWhenFull()
{
    http::ChunkQueue queue(100);
    int notified = 0;
    queue.setNotify([&notified] { ++notified; });
    QVERIFY(queue.setEstimate(3));
    QVERIFY(queue.push(QByteArray(80, 'a'), 1));
    QVERIFY(queue.push(QByteArray(80, 'b'), 2)); // below capacity before it: accepted
    std::atomic<bool> thirdIn = false;
    std::thread producer([&] {
        thirdIn = queue.push(QByteArray(10, 'c'), 3); // waits: 160 bytes queued
        queue.finish(3, std::nullopt);
    });
    QTest::qWait(50);
    QVERIFY(!thirdIn);
    auto next = queue.next();
    QCOMPARE(next.chunk->at(0), 'a');
    QCOMPARE(next.chunkRows, 1);
    next = queue.next();
    QCOMPARE(next.chunk->at(0), 'b');
    producer.join();
    QVERIFY(thirdIn);
    next = queue.next();
    QCOMPARE(next.chunk->size(), 10);
    next = queue.next();
    QVERIFY(!next.chunk);
    QVERIFY(next.state.finished);
    QCOMPARE(next.state.rows, 3);
    QVERIFY(notified > 0);

    // A cancelled queue lets a waiting producer go.
    http::ChunkQueue full(10);
    QVERIFY(full.push(QByteArray(20, 'x'), 1));
    std::thread stuck([&] { QVERIFY(!full.push(QByteArray(1, 'y'), 2)); });
    full.cancel();
    stuck.join();
}

void TestExportFormat::spreadsheetSafeCells_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("plain");
    QTest::addColumn<QByteArray>("safe");
    const auto text = int(api::ExportType::Text);
    const auto real = int(api::ExportType::Real);
    QTest::addRow("formula") << QVariant(u"=1+1"_s) << text << "=1+1"_ba
                             << "'=1+1"_ba;
    QTest::addRow("plus") << QVariant(u"+49 30"_s) << text << "+49 30"_ba
                          << "'+49 30"_ba;
    QTest::addRow("minus in text") << QVariant(u"-5"_s) << text << "-5"_ba
                                   << "'-5"_ba;
    QTest::addRow("at") << QVariant(u"@cmd"_s) << text << "@cmd"_ba
                        << "'@cmd"_ba;
    QTest::addRow("tab") << QVariant(u"\tx"_s) << text << "\tx"_ba
                         << "'\tx"_ba;
    QTest::addRow("carriage return, quoted") << QVariant(u"\rx"_s) << text << "\"\rx\""_ba
                                             << "\"'\rx\""_ba;
    QTest::addRow("quote and formula") << QVariant(u"=\"a\",1"_s) << text << "\"=\"\"a\"\",1\""_ba
                                       << "\"'=\"\"a\"\",1\""_ba;
    QTest::addRow("harmless text") << QVariant(u"xDrip-4"_s) << text << "xDrip-4"_ba
                                   << "xDrip-4"_ba;
    QTest::addRow("negative number") << QVariant(-1.5) << real << "-1.5"_ba
                                     << "-1.5"_ba;
    QTest::addRow("empty") << QVariant(u""_s) << text << "\"\""_ba
                           << "\"\""_ba;
}

void TestExportFormat::spreadsheetSafeCells()
{
    QFETCH(QVariant, value);
    QFETCH(int, type);
    QFETCH(QByteArray, plain);
    QFETCH(QByteArray, safe);
    api::Dataset dataset;
    dataset.name = u"test"_s;
    dataset.columns.push_back({ u"value"_s, api::ExportType(type) });
    QByteArray out;
    api::RowEncoder(dataset, api::ExportFormat::Csv).append(out, &value);
    QCOMPARE(out, plain + '\n');
    out.clear();
    api::RowEncoder(dataset, api::ExportFormat::Csv, true).append(out, &value);
    QCOMPARE(out, safe + '\n');
}

QTEST_MAIN(TestExportFormat)
#include "tst_exportformat.moc"
