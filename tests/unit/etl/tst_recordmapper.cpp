#include "etl/recordmapper.h"
#include "etl/timezonehistory.h"
#include "records/datatype.h"
#include "records/nstime.h"

#include <QFile>
#include <QTest>

using namespace openaps::etl;
using namespace openaps::records;

namespace {

QList<QByteArray> fixtureLines(const char *name)
{
    QFile file(qEnvironmentVariable("OPENAPS_TEST_SOURCE_DIR") + QLatin1String("/tests/fixtures/etl/")
               + QLatin1String(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", name);
    QList<QByteArray> lines = file.readAll().split('\n');
    for (QByteArray &l : lines)
        l = l.trimmed();
    return lines;
}

// A field as text: NULL, numbers, text, booleans and UTC times.
QString render(const Field &f)
{
    switch (f.kind) {
    case Field::Null:
        return QStringLiteral("NULL");
    case Field::Real:
        return QString::number(f.real, 'g', 12);
    case Field::Integer:
        return QString::number(f.integer);
    case Field::Bool:
        return f.boolean ? QStringLiteral("true") : QStringLiteral("false");
    case Field::Time:
        return formatUtcString(f.ms);
    case Field::Text:
    case Field::Json:
        return QString::fromUtf8(f.bytes);
    }
    return {};
}

int columnOf(const TableSpec &table, const QString &name)
{
    for (size_t i = 0; i < table.columns.size(); ++i) {
        if (name == QLatin1String(table.columns[i].name))
            return int(i);
    }
    qFatal("no column %s", qPrintable(name));
}

} // namespace

class TestRecordMapper : public QObject
{
    Q_OBJECT

private slots:
    // fixture line (1-based) → column → value
    void mapsColumns_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<int>("line");
        QTest::addColumn<bool>("metrics");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("expected");

        auto row = [](const char *name, const char *fixture, int line, const char *column, const char *expected,
                      bool metrics = false) {
            QTest::addRow("%s", name) << QString::fromLatin1(fixture) << line << metrics << QString::fromLatin1(column)
                                      << QString::fromUtf8(expected);
        };
        const char *E = "entries-messy.ndjson";
        row("entry sgv as string", E, 1, "sgv", "178");
        row("entry offset from dateString", E, 1, "utc_offset", "-420");
        row("entry date from ms", E, 1, "date", "2014-07-19T10:59:15.000Z");
        row("entry utcOffset beats Z", E, 2, "utc_offset", "60");
        row("entry date as string", E, 3, "date", "2019-02-06T00:53:18.005Z");
        row("entry NUL escape stripped, device kept as its family", E, 3, "device", "xdrip");
        row("entry noise Clean", E, 3, "noise", "1");
        row("entry offset +0100", E, 3, "utc_offset", "60");
        row("entry $oid id", E, 4, "id", "5a1b2c3d4e5f6a7b8c9d0e1f");
        row("entry float date", E, 4, "date", "2016-10-23T18:23:37.000Z");
        row("entry trend_arrow", E, 4, "trend", "FLAT");
        row("entry system_time", E, 4, "system_time", "2016-10-23T17:17:13-07:00");
        row("entry rssi", E, 4, "rssi", "196");
        row("cal slope", E, 5, "slope", "841.647411338");
        row("cal scale", E, 5, "scale", "1");
        row("mbg as string", E, 6, "mbg", "136");
        row("mbg no offset, no zone", E, 6, "utc_offset", "NULL");
        row("synthetic id", E, 9, "id", "sha1:");
        row("numeric trend as text", E, 9, "trend", "4");
        row("type inferred", E, 10, "type", "sgv");
        row("JS date string", E, 10, "date", "2016-10-22T18:45:22.000Z");
        row("JS date offset", E, 10, "utc_offset", "-420");
        row("sgv LOW is null", E, 15, "sgv", "NULL");
        row("noise Heavy", E, 15, "noise", "4");
        row("delta as string", E, 15, "delta", "-2.5");
        row("bad date falls back to dateString", E, 16, "date", "2024-01-18T15:00:00.000Z");

        const char *T = "treatments-messy.ndjson";
        row("duration as string", T, 1, "duration", "30");
        row("absolute as string", T, 1, "absolute", "1.425");
        row("created_at local offset", T, 1, "created_at", "2016-10-23T18:45:22.000Z");
        row("treatment offset", T, 1, "utc_offset", "-420");
        row("medtronic", T, 1, "medtronic", "mm://openaps/mm-format-ns-treatments/Temp Basal");
        row("SMB type", T, 2, "type", "SMB");
        row("AAPS utcOffset", T, 2, "utc_offset", "60");
        row("empty protein", T, 3, "protein", "NULL");
        row("absorption time", T, 3, "absorption_time", "180");
        row("food type dropped (free text)", T, 3, "food_type", "NULL");
        row("target top as string", T, 4, "target_top", "80");
        row("target bottom", T, 4, "target_bottom", "80");
        row("rate offset is null", T, 5, "rate", "NULL");
        row("numeric timestamp", T, 6, "timestamp", "2024-01-18T17:46:40.000Z");
        row("created_at +01:00", T, 6, "created_at", "2024-01-18T15:00:00.000Z");
        row("time from date", T, 7, "created_at", "2021-07-13T11:25:12.664Z");
        row("programmed number as text", T, 7, "programmed", "8.1");
        row("insulin as string", T, 7, "insulin", "8.1");
        row("notes dropped (free text)", T, 9, "notes", "NULL");
        row("entered_by NUL stripped", T, 11, "entered_by", "xdrip");

        const char *D = "devicestatus-flavours.ndjson";
        row("openaps pump bolusing nested", D, 1, "pump_bolusing", "false");
        row("openaps offset from pump clock", D, 1, "utc_offset", "-420");
        row("openaps iob", D, 1, "iob_iob", "0.569", true);
        row("openaps net basal", D, 1, "iob_net_basal_insulin", "0.35", true);
        row("openaps bolus iob", D, 1, "iob_bolus_iob", "0.494", true);
        row("openaps iob timestamp", D, 1, "iob_timestamp", "2016-10-23T18:36:28.000Z", true);
        row("openaps suggested tick", D, 1, "suggested_tick", "+4", true);
        row("openaps suggested insulinReq string", D, 1, "suggested_insulin_req", "0.02", true);
        row("openaps suggested reservoir", D, 1, "suggested_reservoir", "124.4", true);
        row("openaps enacted rate (recieved)", D, 1, "enacted_rate", "0.675", true);
        row("openaps enacted reservoir text", D, 1, "enacted_reservoir", "124.425", true);
        row("openaps enacted timestamp", D, 1, "enacted_timestamp", "2016-10-23T18:38:23.000Z", true);
        row("iob array first", D, 2, "iob_iob", "1.2", true);
        row("iob array basal string", D, 2, "iob_basal_iob", "0.4", true);
        row("iob array time", D, 2, "iob_timestamp", "2017-03-01T09:59:00.000Z", true);
        row("open loop no enacted", D, 2, "enacted_rate", "NULL", true);
        row("negative tick as text", D, 2, "suggested_tick", "-2", true);
        row("AAPS enacted (received)", D, 3, "enacted_duration", "30", true);
        row("AAPS iob time", D, 3, "iob_timestamp", "2024-01-18T16:00:00.000Z", true);
        row("AAPS suggested COB", D, 3, "suggested_cob", "10", true);
        row("Loop pump id dropped (serial number)", D, 4, "pump_id", "NULL");
        row("Loop pump model", D, 4, "pump_model", "Dash");
        row("Loop bolusing top level", D, 4, "pump_bolusing", "true");
        row("Loop suspended", D, 4, "pump_suspended", "false");
        row("Loop cob", D, 4, "loop_cob", "25");
        row("Loop iob", D, 4, "loop_iob", "2.5");
        row("Loop version", D, 4, "loop_version", "3.4.1");
        row("Loop secondsFromGMT", D, 4, "utc_offset", "-300");
        row("Loop metrics iob", D, 4, "iob_basal_iob", "0.8", true);
        row("Loop metrics cob", D, 4, "suggested_cob", "25", true);
        row("Loop metrics enacted", D, 4, "enacted_rate", "1.2", true);
        row("Loop metrics enacted time", D, 4, "enacted_timestamp", "2026-03-18T19:15:00.000Z", true);
        row("Loop failure sentence kept as other", D, 5, "loop_failure_reason", "other");
        row("utcOffset as string", D, 7, "utc_offset", "-300");
        row("override active", D, 8, "override_active", "true");
        row("loop iob string", D, 8, "loop_iob", "1.5");

        const char *P = "profile-shapes.ndjson";
        row("profile timezone", P, 1, "timezone", "America/Los_Angeles");
        row("profile mills string", P, 1, "mills", "1439785200000");
        row("profile units from store", P, 1, "units", "mg/dl");
        row("profile start", P, 1, "start_date", "2015-08-17T04:20:00.000Z");
        row("profile offset from zone", P, 1, "utc_offset", "-480");
        row("loop profile zone", P, 2, "timezone", "ETC/GMT+5");
        row("loop profile offset", P, 2, "utc_offset", "-300");
        row("missing default profile", P, 3, "timezone", "Europe/Berlin");
        row("missing default units", P, 3, "units", "mmol");
    }
    void mapsColumns()
    {
        QFETCH(QString, fixture);
        QFETCH(int, line);
        QFETCH(bool, metrics);
        QFETCH(QString, column);
        QFETCH(QString, expected);

        DataType type = DataType::Entries;
        if (fixture.startsWith(QLatin1String("treatments")))
            type = DataType::Treatments;
        else if (fixture.startsWith(QLatin1String("devicestatus")))
            type = DataType::DeviceStatus;
        else if (fixture.startsWith(QLatin1String("profile")))
            type = DataType::Profile;
        RecordMapper mapper(type, MappingContext { 42, 2, nullptr });
        QByteArray json = fixtureLines(qPrintable(fixture)).value(line - 1);
        // The reader removes NULs before mapping.
        json.replace("\\u0000", "");
        const auto problem = mapper.map(json);
        QVERIFY2(!problem, qPrintable(problem.value_or(QString())));
        const TableSpec &table = metrics ? deviceStatusMetricsTable() : tableFor(type);
        QCOMPARE(mapper.hasMetrics() || !metrics, true);
        const Row &row = metrics ? mapper.metrics() : mapper.row();
        const QString actual = render(row[columnOf(table, column)]);
        if (expected.endsWith(QLatin1Char(':')))
            QVERIFY2(actual.startsWith(expected), qPrintable(actual));
        else
            QCOMPARE(actual, expected);
        QCOMPARE(render(row[0]), QStringLiteral("42")); // user_id
    }

    // Found by fuzzing: numbers beyond qint64 / int were cast from double,
    // which is undefined (on x86 they became the smallest integer).
    void hugeNumbersAreNotCast()
    {
        RecordMapper profile(DataType::Profile, MappingContext { 42, 2, nullptr });
        QVERIFY(!profile.map(R"({"_id":"p","startDate":"2015-08-17T04:20:00.000Z","mills":1e300})"));
        QCOMPARE(render(profile.row()[columnOf(tableFor(DataType::Profile), QStringLiteral("mills"))]),
                 QStringLiteral("NULL"));
        RecordMapper status(DataType::DeviceStatus, MappingContext { 42, 2, nullptr });
        QVERIFY(!status.map(R"({"_id":"d","created_at":"2026-03-18T19:15:00.000Z","pump":{"secondsFromGMT":1e300}})"));
        QCOMPARE(render(status.row()[columnOf(tableFor(DataType::DeviceStatus), QStringLiteral("utc_offset"))]),
                 QStringLiteral("NULL"));
    }

    void metricsOnlyForLoopingSystems()
    {
        const QList<QByteArray> lines = fixtureLines("devicestatus-flavours.ndjson");
        RecordMapper mapper(DataType::DeviceStatus, MappingContext { 1, 0, nullptr });
        QList<bool> has;
        for (int i = 0; i < 8; ++i) {
            QVERIFY(!mapper.map(lines[i]));
            has << mapper.hasMetrics();
            if (mapper.hasMetrics()) {
                QCOMPARE(mapper.metrics()[MetricsCol::DeviceStatusId].bytes, mapper.row()[DeviceStatusCol::Id].bytes);
                QCOMPARE(mapper.metrics()[MetricsCol::SourceEntity].integer, qint64(0));
            }
        }
        QCOMPARE(has, (QList<bool> { true, true, true, true, false, false, false, true }));
    }

    void rejectsUnusableRecords_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("reason");
        QTest::addRow("truncated") << QByteArray("{\"sgv\":1") << "not valid JSON";
        QTest::addRow("array") << QByteArray("[1,2]") << "not a JSON object";
        QTest::addRow("no time") << QByteArray("{\"_id\":\"x\",\"sgv\":100}") << "no usable time";
        QTest::addRow("garbage time") << QByteArray("{\"date\":\"soon\"}") << "no usable time";
    }
    void rejectsUnusableRecords()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, reason);
        RecordMapper mapper(DataType::Entries, MappingContext { 1, 0, nullptr });
        const auto problem = mapper.map(json);
        QVERIFY(problem);
        QVERIFY2(problem->startsWith(reason), qPrintable(*problem));
        QVERIFY(!problem->contains(QLatin1String("sgv"))); // never quotes content
    }

    void syntheticIdsAreStable()
    {
        RecordMapper mapper(DataType::Treatments, MappingContext { 1, 0, nullptr });
        QVERIFY(!mapper.map("{\"eventType\":\"Note\",\"created_at\":\"2024-01-01T00:00:00Z\"}"));
        const QByteArray first = mapper.row()[TreatmentCol::Id].bytes;
        QVERIFY(!mapper.map("{ \"created_at\" : \"2024-01-01T00:00:00Z\", \"eventType\" : \"Note\" }"));
        QCOMPARE(mapper.row()[TreatmentCol::Id].bytes, first); // key order and spacing do not matter
        QVERIFY(!mapper.map("{\"eventType\":\"Note\",\"created_at\":\"2024-01-01T00:00:01Z\"}"));
        QVERIFY(mapper.row()[TreatmentCol::Id].bytes != first);
    }

    void profileZoneAppliesToRecordsWithoutOffset()
    {
        TimeZoneHistory zones;
        zones.add(0, QStringLiteral("America/Los_Angeles"));
        RecordMapper mapper(DataType::Entries, MappingContext { 1, 0, &zones });
        QVERIFY(!mapper.map("{\"_id\":\"a\",\"type\":\"mbg\",\"mbg\":100,\"date\":1705600000000}")); // January: PST
        QCOMPARE(mapper.row()[EntryCol::UtcOffset].integer, qint64(-480));
        QVERIFY(!mapper.map("{\"_id\":\"b\",\"type\":\"mbg\",\"mbg\":100,\"date\":1720000000000}")); // July: PDT
        QCOMPARE(mapper.row()[EntryCol::UtcOffset].integer, qint64(-420));
        QVERIFY(!mapper.map("{\"_id\":\"c\",\"mbg\":1,\"date\":1720000000000,\"utcOffset\":120}"));
        QCOMPARE(mapper.row()[EntryCol::UtcOffset].integer, qint64(120)); // stated beats profile
    }
};

QTEST_GUILESS_MAIN(TestRecordMapper)
#include "tst_recordmapper.moc"
