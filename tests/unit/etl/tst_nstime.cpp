#include "etl/timezonehistory.h"
#include "records/datatype.h"
#include "records/filenames.h"
#include "records/nstime.h"

#include <QDateTime>
#include <QJsonValue>
#include <QTest>

using namespace openaps::etl;
using namespace openaps::records;

// Nightscout time strings, UTC formatting, file names and time zones.
class TestNsTime : public QObject
{
    Q_OBJECT

private slots:
    void parsesTimeText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("utc");
        QTest::addColumn<int>("offset"); // -9999: none stated

        QTest::addRow("offset with colon") << "2014-07-19T10:49:15.000-07:00"
                                           << "2014-07-19T17:49:15.000Z" << -420;
        QTest::addRow("offset without colon") << "2019-02-06T01:53:18.005+0100"
                                              << "2019-02-06T00:53:18.005Z" << 60;
        QTest::addRow("Z states no offset") << "2026-11-27T23:39:59.615Z"
                                            << "2026-11-27T23:39:59.615Z" << -9999;
        QTest::addRow("no seconds fraction") << "2016-10-23T11:45:22-07:00"
                                             << "2016-10-23T18:45:22.000Z" << -420;
        QTest::addRow("space, no zone: UTC") << "2016-10-20 12:27:28"
                                             << "2016-10-20T12:27:28.000Z" << -9999;
        QTest::addRow("microseconds") << "2024-01-31T12:00:00.123456Z"
                                      << "2024-01-31T12:00:00.123Z" << -9999;
        QTest::addRow("hours-only offset") << "2024-06-01T00:30:00+05"
                                           << "2024-05-31T19:30:00.000Z" << 300;
        QTest::addRow("date only") << "2024-02-29"
                                   << "2024-02-29T00:00:00.000Z" << -9999;
        QTest::addRow("JavaScript Date.toString") << "Sat Oct 22 2016 11:45:22 GMT-0700 (PDT)"
                                                  << "2016-10-22T18:45:22.000Z" << -420;
        QTest::addRow("epoch ms as text") << "1439785200000"
                                          << "2015-08-17T04:20:00.000Z" << -9999;
        QTest::addRow("epoch ms with .0") << "1477248820000.0"
                                          << "2016-10-23T18:53:40.000Z" << -9999;
        QTest::addRow("epoch seconds") << "1439785200"
                                       << "2015-08-17T04:20:00.000Z" << -9999;
    }
    void parsesTimeText()
    {
        QFETCH(QString, text);
        QFETCH(QString, utc);
        QFETCH(int, offset);
        const auto t = parseNsTimeText(text);
        QVERIFY(t);
        QCOMPARE(formatUtcString(t->ms), utc);
        QCOMPARE(t->offsetMinutes.value_or(-9999), offset);
    }

    void rejectsGarbage_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addRow("empty") << "";
        QTest::addRow("words") << "not a date";
        QTest::addRow("month 13") << "2024-13-01T00:00:00Z";
        QTest::addRow("trailing junk") << "2024-01-01T00:00:00Zjunk";
        QTest::addRow("zero") << "0";
        QTest::addRow("negative") << "-5";
    }
    void rejectsGarbage()
    {
        QFETCH(QString, text);
        QVERIFY(!parseNsTimeText(text));
    }

    void parsesJsonValues()
    {
        QCOMPARE(formatUtcString(parseNsTime(QJsonValue(1405792155000.0))->ms),
                 QStringLiteral("2014-07-19T17:49:15.000Z"));
        QVERIFY(!parseNsTime(QJsonValue(true)));
        QVERIFY(!parseNsTime(QJsonValue()));
    }

    void formatsUtcLikeQt_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addRow("epoch") << qint64(0);
        QTest::addRow("leap day") << QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::UTC).toMSecsSinceEpoch();
        QTest::addRow("year 2000") << QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
        QTest::addRow("before 1970") << qint64(-1500);
    }
    void formatsUtcLikeQt()
    {
        QFETCH(qint64, ms);
        QCOMPARE(formatUtcString(ms), QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs));
    }

    void classifiesFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("tags");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("type");

        const QStringList none;
        QTest::addRow("legacy entries") << "1573410000000_12345678_entries.json" << none << int(FileKind::Data)
                                        << "entries";
        QTest::addRow("legacy devicestatus gz")
                << "1573410000000_12345678_devicestatus.json.gz" << none << int(FileKind::Data) << "devicestatus";
        QTest::addRow("segment") << "12345678_treatments_2024-01.ndjson.gz" << none << int(FileKind::Data)
                                 << "treatments";
        QTest::addRow("segment device_status")
                << "12345678_device_status_2024-01.ndjson.gz" << none << int(FileKind::Data) << "devicestatus";
        QTest::addRow("profile") << "1573410000000_12345678_profile.json" << none << int(FileKind::Data) << "profile";
        QTest::addRow("type from tag") << "export-2024-01.ndjson"
                                       << QStringList { QStringLiteral("Nightscout"), QStringLiteral("entries") }
                                       << int(FileKind::Data) << "entries";
        QTest::addRow("consent") << "12345678_open_aps_data_sharing_consent.txt" << none << int(FileKind::Consent)
                                 << "";
        QTest::addRow("url") << "12345678_open_aps_nightscout_url.txt" << none << int(FileKind::NightscoutUrl) << "";
        QTest::addRow("other") << "notes.pdf" << QStringList { QStringLiteral("entries") } << int(FileKind::Other)
                               << "";
        QTest::addRow("json without type") << "12345678_misc.json" << none << int(FileKind::Other) << "";
    }
    void classifiesFiles()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, tags);
        QFETCH(int, kind);
        QFETCH(QString, type);
        const FileKind k = classifyFile(name, tags);
        QCOMPARE(int(k.kind), kind);
        if (k.kind == FileKind::Data)
            QCOMPARE(dataTypeName(k.dataType), type);
    }

    void memberIdFromNames()
    {
        QCOMPARE(memberIdFromFileName(QStringLiteral("1573410000000_12345678_entries.json")),
                 QStringLiteral("12345678"));
        QCOMPARE(memberIdFromFileName(QStringLiteral("12345678_entries_2024-01.ndjson.gz")),
                 QStringLiteral("12345678"));
        QCOMPARE(memberIdFromFileName(QStringLiteral("entries.json")), QString());
    }

    // Across the European DST change (2024-03-31 01:00 UTC) the offset moves
    // from +60 to +120; before the first profile the first zone applies.
    void timeZoneHistoryFollowsDst()
    {
        TimeZoneHistory zones;
        QVERIFY(zones.add(QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch(),
                          QStringLiteral("Europe/Berlin")));
        QVERIFY(zones.add(QDateTime(QDate(2024, 6, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch(),
                          QStringLiteral("ETC/GMT+5"))); // hand-typed case
        QVERIFY(!zones.add(0, QStringLiteral("Mars/Olympus")));
        auto at = [](int month, int day, int hour) {
            return QDateTime(QDate(2024, month, day), QTime(hour, 0), Qt::UTC).toMSecsSinceEpoch();
        };
        QCOMPARE(zones.offsetAt(at(3, 31, 0)).value(), 60);
        QCOMPARE(zones.offsetAt(at(3, 31, 2)).value(), 120);
        QCOMPARE(zones.offsetAt(at(3, 30, 0)).value(), 60); // back before the cached span
        QCOMPARE(zones.offsetAt(at(6, 2, 0)).value(), -300); // Etc/GMT+5 is UTC-5
        QCOMPARE(zones.offsetAt(at(5, 31, 23)).value(), 120);
        QCOMPARE(zones.offsetAt(at(1, 1, 0) - 86400000LL * 400).value(), 60);
        QVERIFY(!TimeZoneHistory().offsetAt(0));
    }
};

QTEST_GUILESS_MAIN(TestNsTime)
#include "tst_nstime.moc"
