#include "core/gzip.h"
#include "exportharness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QStandardPaths>
#include <QTest>

#include <map>
#include <memory>

using namespace openaps;
using namespace Qt::StringLiterals;

// The data half of the researcher API over real HTTP on both backends:
// every dataset exports its rows in CSV and NDJSON with exact values, gzip,
// scope, from/to and participant filters, errors, counts and the audit.
class TestExportApi final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void listsDatasets();
    void servesTheDataDictionaryAsCsv();
    void everyTableColumnIsInItsDataset();
    void everyDatasetExports_data();
    void everyDatasetExports();
    void csvExactValues();
    void csvSpreadsheetSafe();
    void ndjsonValues();
    void gzipRoundTrip();
    void scope_data();
    void scope();
    void timeWindow_data();
    void timeWindow();
    void participantsFilter();
    void unknownDataset_data();
    void unknownDataset();
    void badParameters_data();
    void badParameters();
    void needsToken_data();
    void needsToken();
    void countAgreesWithRows_data();
    void countAgreesWithRows();
    void auditAndAdminList();
    void cleanupTestCase() { m_shared.clear(); }

private:
    // One seeded server per backend for the tests that only read: a fresh
    // database per data row would cost most of the run.
    test::ExportHarness *shared(const QString &backend);
    std::map<QString, std::unique_ptr<test::ExportHarness>> m_shared;
};

test::ExportHarness *TestExportApi::shared(const QString &backend)
{
    auto &h = m_shared[backend];
    if (!h) {
        h = std::make_unique<test::ExportHarness>(backend);
        if (!h->isValid() || !h->seed())
            return nullptr;
    }
    return h.get();
}

// A seeded server shared by the read-only tests, as `h`.
#define HARNESS()                                                                                                      \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    test::ExportHarness *sharedHarness = shared(backend);                                                              \
    QVERIFY2(sharedHarness, "the harness did not start");                                                              \
    test::ExportHarness &h = *sharedHarness

// A server of its own, for tests that add rows or count audit rows.
#define FRESH_HARNESS()                                                                                                \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    test::ExportHarness h(backend);                                                                                    \
    QVERIFY2(h.isValid(), "the harness did not start");                                                                \
    QVERIFY(h.seed())

namespace {

// Lines of a body without the trailing empty one.
QList<QByteArray> lines(const QByteArray &body)
{
    QList<QByteArray> out = body.split('\n');
    if (!out.isEmpty() && out.last().isEmpty())
        out.removeLast();
    return out;
}

QList<QJsonObject> ndjson(const QByteArray &body)
{
    QList<QJsonObject> rows;
    for (const QByteArray &line : lines(body)) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            qWarning("not a JSON object line: %s", line.left(200).constData());
        rows.append(doc.object());
    }
    return rows;
}

// The member ids of NDJSON rows, in order.
QList<qint64> members(const QList<QJsonObject> &rows, const QString &column = u"user_id"_s)
{
    QList<qint64> ids;
    for (const QJsonObject &row : rows)
        ids << qint64(row.value(column).toDouble());
    return ids;
}

QByteArray gunzip(const QByteArray &data)
{
    return gzip::decompress(data).value_or(QByteArray("gunzip failed"));
}

const QStringList allDatasets { u"entries"_s, u"treatments"_s,         u"device_status"_s, u"device_status_metrics"_s,
                                u"profile"_s, u"member_demographics"_s };

} // namespace

void TestExportApi::listsDatasets()
{
    HARNESS();
    const auto reply = h.get(u"/api/v1/datasets"_s, test::tokens::openaps);
    QCOMPARE(reply.status, 200);
    const QJsonArray list = reply.json().value(u"datasets"_s).toArray();
    QStringList names;
    for (const QJsonValue &v : list)
        names << v.toObject().value(u"name"_s).toString();
    // The research tables, then the derived ones (etl/derivedtables.h, etl/analytics.h).
    const QStringList derived { u"participant_summary"_s,           u"data_quality"_s,
                                u"analytics_glucose_time_of_day"_s, u"analytics_loop_type_by_day"_s,
                                u"analytics_device_groups"_s,       u"analytics_demographics"_s };
    QCOMPARE(names, allDatasets + derived);
    const QJsonObject entries = list.at(0).toObject();
    QCOMPARE(entries.value(u"time_column"_s).toString(), u"date"_s);
    QStringList columns;
    for (const QJsonValue &c : entries.value(u"columns"_s).toArray())
        columns << c.toObject().value(u"name"_s).toString() + u':' + c.toObject().value(u"type"_s).toString();
    QVERIFY(columns.contains(u"raw_json:json"_s));
    QVERIFY(columns.contains(u"date:timestamp"_s));
    QVERIFY(columns.contains(u"sgv:real"_s));
    QVERIFY(list.at(5).toObject().value(u"time_column"_s).isNull());
    // Every column carries its documentation (records/columndocs.h).
    for (const QJsonValue &d : list) {
        for (const QJsonValue &c : d[u"columns"_s].toArray()) {
            for (const char *field : { "description", "source", "privacy" })
                QVERIFY2(!c[QLatin1String(field)].toString().isEmpty(),
                         qPrintable(d[u"name"_s].toString() + u'.' + c[u"name"_s].toString() + u' '
                                    + QLatin1String(field)));
            QVERIFY(c[u"unit"_s].isString());
        }
    }
    const QJsonObject sgv = entries.value(u"columns"_s).toArray().at(2).toObject();
    QCOMPARE(sgv.value(u"name"_s).toString(), u"sgv"_s);
    QCOMPARE(sgv.value(u"unit"_s).toString(), u"mg/dL"_s);
    QCOMPARE(sgv.value(u"description"_s).toString(), u"sensor glucose"_s);
    QCOMPARE(sgv.value(u"source"_s).toString(), u"`sgv`"_s);
    QCOMPARE(sgv.value(u"privacy"_s).toString(), u"kept"_s);
}

void TestExportApi::servesTheDataDictionaryAsCsv()
{
    HARNESS();
    const auto reply = h.get(u"/api/v1/data-dictionary.csv"_s, test::tokens::nsf);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("Content-Type"), QByteArray("text/csv; charset=utf-8"));
    QCOMPARE(reply.header("Content-Disposition"), QByteArray("attachment; filename=\"data-dictionary.csv\""));
    const QList<QByteArray> lines = reply.body.split('\n');
    QCOMPARE(lines.first(), QByteArray("dataset,column,type,unit,privacy,source,description"));
    QVERIFY(lines.last().isEmpty()); // every line ends in \n
    // A line per column of every dataset, as /datasets lists them.
    qsizetype columns = 0;
    for (const QJsonValue &d : h.get(u"/api/v1/datasets"_s).json().value(u"datasets"_s).toArray())
        columns += d[u"columns"_s].toArray().size();
    QCOMPARE(lines.size(), columns + 2);
    QVERIFY(lines.contains("entries,sgv,real,mg/dL,kept,`sgv`,sensor glucose"));
    QVERIFY(lines.contains("entries,direction,text,,kept,`direction`,trend arrow name"));
    // Quoted where a field holds a comma.
    QVERIFY(lines.contains("entries,date,timestamp,UTC,kept,\"`date`, `dateString`, ...\",when the reading was taken"));
}

// Every column of every dataset's table, as the migrations made it on this
// backend, is a column of the dataset (so in the data dictionary, where
// api_datadictionary finds each documented), and the dataset has no other:
// a column added to a table without its dataset and its documentation fails
// here. seq_id (the load order) is the only one left out.
void TestExportApi::everyTableColumnIsInItsDataset()
{
    HARNESS();
    auto conn = h.database().connection();
    QVERIFY(conn);
    const QJsonArray list = h.get(u"/api/v1/datasets"_s).json().value(u"datasets"_s).toArray();
    QCOMPARE(list.size(), 12);
    for (const QJsonValue &d : list) {
        const QString name = d[u"name"_s].toString();
        QStringList listed;
        for (const QJsonValue &c : d[u"columns"_s].toArray())
            listed << name + u'.' + c[u"name"_s].toString();
        const QSqlRecord record = conn->record(name);
        QVERIFY2(!record.isEmpty(), qPrintable(name));
        QStringList inTable;
        for (int i = 0; i < record.count(); ++i) {
            if (record.fieldName(i) != u"seq_id"_s)
                inTable << name + u'.' + record.fieldName(i);
        }
        listed.sort();
        inTable.sort();
        QCOMPARE(listed.join(u' '), inTable.join(u' '));
    }
}

void TestExportApi::everyDatasetExports_data()
{
    QTest::addColumn<QString>("dataset");
    QTest::addColumn<QString>("format");
    QTest::addColumn<int>("rows"); // scope all: three members
    for (const QString &d : allDatasets) {
        const int rows = d == u"member_demographics"_s ? 3 : 9;
        QTest::addRow("%s csv", qPrintable(d)) << d << u"csv"_s << rows;
        QTest::addRow("%s ndjson", qPrintable(d)) << d << u"ndjson"_s << rows;
    }
}

void TestExportApi::everyDatasetExports()
{
    HARNESS();
    QFETCH(QString, dataset);
    QFETCH(QString, format);
    QFETCH(int, rows);
    const auto reply = h.get(u"/api/v1/export/%1?format=%2"_s.arg(dataset, format));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.error, QNetworkReply::NoError);
    QCOMPARE(reply.header("X-Export-Rows-Estimate"), QByteArray::number(rows));
    QCOMPARE(reply.header("Cache-Control"), QByteArray("no-store"));
    const QByteArray ext = format == u"csv"_s ? "csv" : "ndjson";
    QCOMPARE(reply.header("Content-Disposition"),
             "attachment; filename=\"" + dataset.toUtf8() + "_start_end." + ext + '"');
    QCOMPARE(reply.header("Content-Type"),
             format == u"csv"_s ? QByteArray("text/csv; charset=utf-8") : QByteArray("application/x-ndjson"));
    if (format == u"csv"_s) {
        // Header plus rows; member 101's first entry spans two lines.
        const QList<QByteArray> all = lines(reply.body);
        QVERIFY(all.first().startsWith("user_id,"));
        QCOMPARE(all.size(), 1 + rows + (dataset == u"entries"_s ? 1 : 0));
    } else {
        const auto objects = ndjson(reply.body);
        QCOMPARE(objects.size(), rows);
        const QList<qint64> ids = members(objects, u"user_id"_s);
        QCOMPARE(ids.first(), 101);
        QCOMPARE(ids.last(), 103);
        QVERIFY(std::is_sorted(ids.cbegin(), ids.cend()));
    }
}

void TestExportApi::csvExactValues()
{
    HARNESS();
    auto reply = h.get(u"/api/v1/export/entries?participants=101&to=2024-01-01T00:01:00Z"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body,
             "user_id,id,sgv,direction,device,type,rssi,rawbg,trend,glucose,mbg,delta,filtered,unfiltered,"
             "noise,scale,slope,intercept,system_time,source_entity,raw_json,date,utc_offset\n"
             "101,e101-0,120,,\"xDrip, \"\"quoted\"\"\nline2 ünï ✓\",sgv,,,,,,-1.5,,0.0001,,,1e+20,,\"\",0,"
             "\"{\"\"sgv\"\": 120, \"\"device\"\": \"\"xDrip\"\"}\",2024-01-01T00:00:00.000Z,-300\n"_ba);

    reply = h.get(u"/api/v1/export/device_status?participants=102&from=2024-01-02"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(lines(reply.body).value(1),
             "102,d102-2,openaps://rig,,true,false,,,0.5,,,,,1,\"{\"\"device\"\": \"\"openaps://rig\"\"}\","
             "2024-01-02T00:00:00.000Z,0"_ba);

    reply = h.get(u"/api/v1/export/member_demographics?participants=103"_s);
    QCOMPARE(reply.status, 200);
    QCOMPARE(lines(reply.body).value(1),
             "103,2024-01-01T00:00:00.000Z,openaps,1980,Female,,,,,,,,,,,42.5,,,,,"
             "2024-01-01T00:05:00.000Z,"_ba);
}

void TestExportApi::csvSpreadsheetSafe()
{
    FRESH_HARNESS();
    // Text a stranger could have typed into Nightscout, as formulas.
    const QStringList hostile {
        u"=HYPERLINK(\"http://x.invalid\")"_s, u"+1+2"_s, u"-2+3"_s, u"@SUM(A1)"_s, u"\tTAB"_s, u"\r=1"_s
    };
    for (int i = 0; i < hostile.size(); ++i) {
        QVERIFY(h.insert(u"entries"_s,
                         { { u"user_id"_s, 104 },
                           { u"id"_s, u"f%1"_s.arg(i) },
                           { u"sgv"_s, 100.0 },
                           { u"delta"_s, -2.5 },
                           { u"device"_s, hostile[i] },
                           { u"type"_s, u"sgv"_s },
                           { u"source_entity"_s, 0 },
                           { u"raw_json"_s, u"{}"_s },
                           { u"date"_s, u"2024-01-01T00:0%1:00.000Z"_s.arg(i) },
                           { u"utc_offset"_s, 0 } }));
    }
    const QString path = u"/api/v1/export/entries?participants=104&format=csv"_s;
    const auto column = [](const QByteArray &body, int index) {
        // device (column 5) and delta (12) of each row; no field before
        // them holds a comma.
        QList<QByteArray> values;
        QList<QByteArray> rows = body.split('\n');
        for (qsizetype i = 1; i < rows.size(); ++i) {
            if (rows[i].startsWith("104,"))
                values << rows[i].split(',').value(index);
        }
        return values;
    };
    // Without the option: the text as it is (the API's default).
    auto plain = h.get(path);
    QCOMPARE(plain.status, 200);
    QCOMPARE(column(plain.body, 4).value(0), "=HYPERLINK(\"\"http://x.invalid\"\")"_ba.prepend('"').append('"'));
    QCOMPARE(column(plain.body, 4).value(1), "+1+2"_ba);
    // With it: every such cell starts with a quote; numbers stay numbers.
    auto safe = h.get(path + u"&spreadsheet_safe=1"_s);
    QCOMPARE(safe.status, 200);
    const QList<QByteArray> devices = column(safe.body, 4);
    QCOMPARE(devices.value(0), "\"'=HYPERLINK(\"\"http://x.invalid\"\")\""_ba);
    QCOMPARE(devices.value(1), "'+1+2"_ba);
    QCOMPARE(devices.value(2), "'-2+3"_ba);
    QCOMPARE(devices.value(3), "'@SUM(A1)"_ba);
    QCOMPARE(devices.value(4), "'\tTAB"_ba);
    QVERIFY(safe.body.contains("\"'\r=1\""));
    for (const QByteArray &delta : column(safe.body, 11))
        QCOMPARE(delta, "-2.5"_ba);
    // The other members' rows are unchanged, and NDJSON has no such option.
    QCOMPARE(h.get(u"/api/v1/export/entries?participants=101&spreadsheet_safe=1"_s).body,
             h.get(u"/api/v1/export/entries?participants=101"_s).body);
    QCOMPARE(h.get(u"/api/v1/export/entries?format=ndjson&spreadsheet_safe=1"_s).status, 400);
}

void TestExportApi::ndjsonValues()
{
    HARNESS();
    auto reply = h.get(u"/api/v1/export/entries?format=ndjson&participants=101"_s);
    QCOMPARE(reply.status, 200);
    const auto rows = ndjson(reply.body);
    QCOMPARE(rows.size(), 3);
    const QJsonObject &first = rows.first();
    QCOMPARE(first.value(u"device"_s).toString(), u"xDrip, \"quoted\"\nline2 ünï ✓"_s);
    QVERIFY(first.contains(u"direction"_s));
    QVERIFY(first.value(u"direction"_s).isNull());
    QCOMPARE(first.value(u"sgv"_s).toDouble(), 120.0);
    QCOMPARE(first.value(u"slope"_s).toDouble(), 1e20);
    QCOMPARE(first.value(u"system_time"_s).toString(u"null"_s), QString());
    QCOMPARE(first.value(u"date"_s).toString(), u"2024-01-01T00:00:00.000Z"_s);
    QCOMPARE(first.value(u"utc_offset"_s).toInt(), -300);
    // The original record as an object, not as a string.
    QCOMPARE(first.value(u"raw_json"_s).toObject(), (QJsonObject { { u"device"_s, u"xDrip"_s }, { u"sgv"_s, 120 } }));
    QCOMPARE(first.keys().size(), 23);

    reply = h.get(u"/api/v1/export/device_status?format=ndjson&participants=103"_s);
    const QJsonObject status = ndjson(reply.body).value(0);
    QCOMPARE(status.value(u"pump_bolusing"_s), QJsonValue(true));
    QCOMPARE(status.value(u"pump_suspended"_s), QJsonValue(false));
    QVERIFY(status.value(u"override_active"_s).isNull());
    QCOMPARE(status.value(u"source_entity"_s).toInt(), 2);
}

void TestExportApi::gzipRoundTrip()
{
    FRESH_HARNESS();
    QVERIFY(h.seedBulk(300, 200));
    for (const QString &format : { u"csv"_s, u"ndjson"_s }) {
        const auto plain = h.get(u"/api/v1/export/entries?format="_s + format);
        const auto packed = h.get(u"/api/v1/export/entries?gzip=1&format="_s + format);
        QCOMPARE(packed.status, 200);
        QVERIFY(packed.header("Content-Disposition").endsWith(".gz\""));
        QVERIFY(packed.body.startsWith("\x1f\x8b"));
        QVERIFY(packed.body.size() < plain.body.size() / 3);
        QCOMPARE(gunzip(packed.body), plain.body);
    }
}

void TestExportApi::scope_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QList<qint64>>("visible");
    QTest::addRow("openaps: source_entity 0 and 2") << test::tokens::openaps << QList<qint64> { 101, 103 };
    QTest::addRow("nsf: source_entity 1 and 2") << test::tokens::nsf << QList<qint64> { 102, 103 };
    QTest::addRow("all") << test::tokens::all << QList<qint64> { 101, 102, 103 };
}

void TestExportApi::scope()
{
    HARNESS();
    QFETCH(QByteArray, token);
    QFETCH(QList<qint64>, visible);
    for (const QString &dataset : allDatasets) {
        const auto reply = h.get(u"/api/v1/export/%1?format=ndjson"_s.arg(dataset), token);
        QCOMPARE(reply.status, 200);
        QList<qint64> ids = members(ndjson(reply.body), u"user_id"_s);
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        QCOMPARE(ids, visible); // member 999 (no research rows) never appears
    }
}

void TestExportApi::timeWindow_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("times");
    const QString t0 = QLatin1String(test::ExportHarness::t0), t1 = QLatin1String(test::ExportHarness::t1),
                  t2 = QLatin1String(test::ExportHarness::t2);
    QTest::addRow("from inclusive, to exclusive")
            << u"from=2024-01-01T00:05:00Z&to=2024-01-02T00:00:00Z"_s << QStringList { t1 };
    QTest::addRow("from alone") << u"from=2024-01-01T00:05:00.000Z"_s << QStringList { t1, t2 };
    QTest::addRow("to alone") << u"to=2024-01-01T00:05:00Z"_s << QStringList { t0 };
    QTest::addRow("a date is midnight UTC") << u"from=2024-01-02"_s << QStringList { t2 };
    QTest::addRow("an offset is converted") << u"to=2024-01-01T01:05:01%2B01:00"_s << QStringList { t0, t1 };
    QTest::addRow("empty window") << u"from=2025-01-01"_s << QStringList {};
}

void TestExportApi::timeWindow()
{
    HARNESS();
    QFETCH(QString, query);
    QFETCH(QStringList, times);
    for (const auto &[dataset, column] :
         { std::pair { u"entries"_s, u"date"_s }, std::pair { u"treatments"_s, u"created_at"_s },
           std::pair { u"profile"_s, u"created_at"_s } }) {
        const auto reply = h.get(u"/api/v1/export/%1?format=ndjson&participants=102&%2"_s.arg(dataset, query));
        QCOMPARE(reply.status, 200);
        QStringList got;
        for (const QJsonObject &row : ndjson(reply.body))
            got << row.value(column).toString();
        QCOMPARE(got, times);
        QCOMPARE(reply.header("X-Export-Rows-Estimate"), QByteArray::number(times.size()));
    }
}

void TestExportApi::participantsFilter()
{
    HARNESS();
    auto reply = h.get(u"/api/v1/export/treatments?format=ndjson&participants=103,101"_s);
    QCOMPARE(members(ndjson(reply.body)), (QList<qint64> { 101, 101, 101, 103, 103, 103 }));
    // A participant outside the scope stays invisible when asked for by id.
    reply = h.get(u"/api/v1/export/treatments?format=ndjson&participants=102"_s, test::tokens::openaps);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, QByteArray());
    reply = h.get(u"/api/v1/export/member_demographics?format=ndjson&participants=999,102"_s);
    QCOMPARE(members(ndjson(reply.body), u"user_id"_s), QList<qint64> { 102 });
    // The survey has no time column: a window does not cut it.
    reply = h.get(u"/api/v1/export/member_demographics?format=ndjson&participants=102&from=2030-01-01"_s);
    QCOMPARE(members(ndjson(reply.body), u"user_id"_s), QList<qint64> { 102 });
}

void TestExportApi::unknownDataset_data()
{
    QTest::addColumn<QString>("path");
    // The old system's look-up names must not quietly answer empty files.
    QTest::addRow("profiles") << u"/api/v1/export/profiles"_s;
    QTest::addRow("device") << u"/api/v1/export/device"_s;
    QTest::addRow("devicestatus") << u"/api/v1/export/devicestatus"_s;
    QTest::addRow("count of profiles") << u"/api/v1/export/profiles/count"_s;
    QTest::addRow("participants table") << u"/api/v1/export/participants"_s;
}

void TestExportApi::unknownDataset()
{
    HARNESS();
    QFETCH(QString, path);
    const auto reply = h.get(path);
    QCOMPARE(reply.status, 404);
    QCOMPARE(reply.json().value(u"error"_s).toString(), u"unknown-dataset"_s);
    QVERIFY(reply.json().value(u"message"_s).toString().contains(u"device_status"_s));
}

void TestExportApi::badParameters_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("parameter");
    QTest::addRow("format") << u"/api/v1/export/entries?format=xlsx"_s << u"format"_s;
    QTest::addRow("from not a time") << u"/api/v1/export/entries?from=yesterday"_s << u"from"_s;
    QTest::addRow("to not a time") << u"/api/v1/export/entries?to=2024-13-01"_s << u"to"_s;
    QTest::addRow("to before from") << u"/api/v1/export/entries?from=2024-02-01&to=2024-01-01"_s << u"to"_s;
    QTest::addRow("participants text") << u"/api/v1/export/entries?participants=101,abc"_s << u"participants"_s;
    QTest::addRow("participants empty") << u"/api/v1/export/entries?participants="_s << u"participants"_s;
    QTest::addRow("gzip") << u"/api/v1/export/entries?gzip=yes"_s << u"gzip"_s;
    QTest::addRow("unknown") << u"/api/v1/export/entries?user=101"_s << u"user"_s;
    QTest::addRow("twice") << u"/api/v1/export/entries?format=csv&format=ndjson"_s << u"format"_s;
    QTest::addRow("bad from on demographics") << u"/api/v1/export/member_demographics?from=x"_s << u"from"_s;
    QTest::addRow("count takes no format") << u"/api/v1/export/entries/count?format=csv"_s << u"format"_s;
    QTest::addRow("count bad from") << u"/api/v1/export/entries/count?from=x"_s << u"from"_s;
    QTest::addRow("downloads limit") << u"/api/v1/admin/downloads?limit=0"_s << u"limit"_s;
}

void TestExportApi::badParameters()
{
    HARNESS();
    QFETCH(QString, path);
    QFETCH(QString, parameter);
    const qsizetype audited = h.auditRows().size();
    const auto reply = h.get(path);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.json().value(u"error"_s).toString(), u"bad-request"_s);
    QVERIFY2(reply.json().value(u"message"_s).toString().contains(u'\'' + parameter + u'\''), reply.body.constData());
    QCOMPARE(h.auditRows().size(), audited); // refused before anything was read
}

void TestExportApi::needsToken_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("token");
    for (const QString &path : { u"/api/v1/datasets"_s, u"/api/v1/data-dictionary.csv"_s, u"/api/v1/export/entries"_s,
                                 u"/api/v1/export/entries/count"_s, u"/api/v1/admin/downloads"_s }) {
        QTest::addRow("%s without a token", qPrintable(path)) << path << QByteArray();
        QTest::addRow("%s with a wrong token", qPrintable(path)) << path << QByteArray("nope");
    }
}

void TestExportApi::needsToken()
{
    HARNESS();
    QFETCH(QString, path);
    QFETCH(QByteArray, token);
    const auto reply = h.get(path, token);
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.json().value(u"error"_s).toString(), u"bad-token"_s);
    QCOMPARE(reply.header("Cache-Control"), QByteArray("no-store"));
}

void TestExportApi::countAgreesWithRows_data()
{
    QTest::addColumn<QString>("dataset");
    QTest::addColumn<QString>("filters");
    QTest::addColumn<QByteArray>("token");
    QTest::addRow("entries, all") << u"entries"_s << QString() << test::tokens::all;
    QTest::addRow("entries, window, openaps")
            << u"entries"_s << u"from=2024-01-01T00:05:00Z"_s << test::tokens::openaps;
    QTest::addRow("treatments, participants, nsf") << u"treatments"_s << u"participants=101,102"_s << test::tokens::nsf;
    QTest::addRow("demographics, openaps") << u"member_demographics"_s << QString() << test::tokens::openaps;
    QTest::addRow("metrics, to") << u"device_status_metrics"_s << u"to=2024-01-02"_s << test::tokens::all;
}

void TestExportApi::countAgreesWithRows()
{
    HARNESS();
    QFETCH(QString, dataset);
    QFETCH(QString, filters);
    QFETCH(QByteArray, token);
    const QString query = filters.isEmpty() ? QString() : u'?' + filters;
    const auto count = h.get(u"/api/v1/export/%1/count%2"_s.arg(dataset, query), token);
    QCOMPARE(count.status, 200);
    const auto rows = h.get(
            u"/api/v1/export/%1?format=ndjson%2"_s.arg(dataset, filters.isEmpty() ? QString() : u'&' + filters), token);
    QCOMPARE(count.json().value(u"rows"_s).toInteger(), ndjson(rows.body).size());
    QCOMPARE(rows.header("X-Export-Rows-Estimate").toLongLong(), ndjson(rows.body).size());
    QVERIFY(ndjson(rows.body).size() > 0);
}

void TestExportApi::auditAndAdminList()
{
    FRESH_HARNESS();
    const auto csv = h.get(u"/api/v1/export/entries?participants=101,103&from=2024-01-01"_s, test::tokens::openaps);
    QCOMPARE(csv.status, 200);
    const auto gz = h.get(u"/api/v1/export/profile?format=ndjson&gzip=1"_s, test::tokens::nsf);
    QCOMPARE(gz.status, 200);
    QCOMPARE(h.api().runningExports(), 0);

    QTRY_COMPARE(h.auditRows().size(), 2); // written on a worker, after the answer
    const auto rows = h.auditRows();
    QCOMPARE(rows[0].value(u"researcher_id"_s).toLongLong(), 11);
    QCOMPARE(rows[0].value(u"dataset"_s).toString(), u"entries"_s);
    QCOMPARE(rows[0].value(u"format"_s).toString(), u"csv"_s);
    QCOMPARE(rows[0].value(u"outcome"_s).toString(), u"complete"_s);
    QCOMPARE(rows[0].value(u"row_count"_s).toLongLong(), 6);
    QCOMPARE(rows[0].value(u"byte_count"_s).toLongLong(), csv.body.size());
    // No member ids in the audit: only how many were asked for.
    const QJsonObject filters = QJsonDocument::fromJson(rows[0].value(u"filters"_s).toString().toUtf8()).object();
    QCOMPARE(filters.value(u"participants"_s).toInt(), 2);
    QCOMPARE(filters.value(u"from"_s).toString(), u"2024-01-01T00:00:00.000Z"_s);
    QVERIFY(!rows[0].value(u"filters"_s).toString().contains(u"101"_s));
    QCOMPARE(rows[1].value(u"byte_count"_s).toLongLong(), gz.body.size());
    QCOMPARE(rows[1].value(u"row_count"_s).toLongLong(), 6);

    const auto list = h.get(u"/api/v1/admin/downloads?limit=1"_s);
    QCOMPARE(list.status, 200);
    const QJsonArray downloads = list.json().value(u"downloads"_s).toArray();
    QCOMPARE(downloads.size(), 1);
    const QJsonObject newest = downloads.first().toObject();
    QCOMPARE(newest.value(u"dataset"_s).toString(), u"profile"_s);
    QCOMPARE(newest.value(u"researcher_id"_s).toInt(), 12);
    QCOMPARE(newest.value(u"rows"_s).toInt(), 6);
    QCOMPARE(newest.value(u"bytes"_s).toInteger(), gz.body.size());
    QCOMPARE(newest.value(u"outcome"_s).toString(), u"complete"_s);
    QVERIFY(newest.value(u"finished_at"_s).toString().endsWith(u'Z'));
    QCOMPARE(newest.value(u"filters"_s).toObject().value(u"gzip"_s), QJsonValue(true));

    const auto forbidden = h.get(u"/api/v1/admin/downloads"_s, test::tokens::openaps);
    QCOMPARE(forbidden.status, 403);
    QCOMPARE(forbidden.json().value(u"error"_s).toString(), u"forbidden"_s);
}

QTEST_MAIN(TestExportApi)
#include "tst_exportapi.moc"
