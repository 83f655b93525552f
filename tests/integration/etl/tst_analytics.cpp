#include "etl/analytics.h"
#include "etl/fileloader.h"
#include "etltestsupport.h"
#include "records/datatype.h"

#include <QBuffer>
#include <QLoggingCategory>
#include <QThread>

#include <atomic>

using namespace openaps;
using namespace openaps::etl;
using namespace openaps::test::etl;
using namespace openaps::records;

namespace {

constexpr qint64 berlin = 111;
constexpr qint64 pacific = 222;

Status load(const db::Database &database, qint64 userId, DataType type, const QByteArray &data)
{
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    auto report = FileLoader(database).load(&buffer, type, LoadTarget { userId, 0, QStringLiteral("test"), {} });
    if (!report)
        return report.error();
    if (report->badLines)
        return makeError("test", report->badLineSummary());
    return {};
}

QByteArray entry(const char *id, qint64 ms, int sgv, const char *extra = "")
{
    return QByteArray("{\"_id\":\"") + id + "\",\"type\":\"sgv\",\"sgv\":" + QByteArray::number(sgv)
            + ",\"date\":" + QByteArray::number(ms) + extra + "}\n";
}

qint64 utc(int y, int mo, int d, int h, int mi)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi), Qt::UTC).toMSecsSinceEpoch();
}

// Two participants: one whose readings carry no offset (the profile's
// Europe/Berlin zone applies, across both 2024 DST changes), one whose
// dateString carries US Pacific offsets across the March change.
Status loadDstData(const db::Database &database)
{
    if (auto s = load(database, berlin, DataType::Profile,
                      "{\"_id\":\"p\",\"defaultProfile\":\"D\",\"startDate\":\"2024-01-01T00:00:00Z\","
                      "\"store\":{\"D\":{\"timezone\":\"Europe/Berlin\",\"units\":\"mg/dl\"}}}\n");
        !s)
        return s;
    QByteArray e;
    e += entry("a1", utc(2024, 3, 30, 23, 0), 90, ",\"device\":\"xDrip-DexcomG5\""); // CET: local 00:00 → bin 0
    e += entry("a2", utc(2024, 3, 31, 0, 30), 110, ",\"device\":\"xDrip-DexcomG5\""); // CET: 01:30 → bin 6
    e += entry("a3", utc(2024, 3, 31, 1, 30), 130, ",\"device\":\"AndroidAPS-DexcomG6\""); // CEST: 03:30 → bin 14
    e += entry("a4", utc(2024, 10, 27, 0, 30), 100, ",\"device\":\"openaps://rig\""); // CEST: 02:30 → bin 10
    e += entry("a5", utc(2024, 10, 27, 1, 30), 200); // CET: 02:30 again → bin 10
    e += entry("a6", utc(2024, 10, 27, 2, 0), 20); // a Dexcom error code: not glucose
    if (auto s = load(database, berlin, DataType::Entries, e); !s)
        return s;
    if (auto s = load(database, pacific, DataType::Entries,
                      "{\"_id\":\"b1\",\"type\":\"sgv\",\"sgv\":150,\"dateString\":\"2024-03-10T01:45:00-08:00\"}\n"
                      "{\"_id\":\"b2\",\"type\":\"sgv\",\"sgv\":160,\"dateString\":\"2024-03-10T03:15:00-07:00\"}\n");
        !s)
        return s;
    // Berlin: a Loop decision on 31 March (closed loop); an OpenAPS
    // suggestion at 22:30 UTC, already 1 April in Berlin (open loop).
    return load(database, berlin, DataType::DeviceStatus,
                "{\"_id\":\"s1\",\"device\":\"loop://iPhone\",\"created_at\":\"2024-03-31T10:00:00Z\","
                "\"loop\":{\"iob\":{\"iob\":1.5},\"enacted\":{\"rate\":1.0,\"duration\":30}}}\n"
                "{\"_id\":\"s2\",\"device\":\"openaps://rig\",\"created_at\":\"2024-03-31T22:30:00Z\","
                "\"openaps\":{\"suggested\":{\"bg\":120,\"COB\":5}}}\n");
}

QString bins(const db::Database &database, qint64 userId)
{
    QStringList parts;
    auto conn = database.connection();
    QSqlQuery q(*conn);
    q.prepare(QStringLiteral("SELECT bin, bin_start, readings, mean_mgdl, min_mgdl, max_mgdl FROM "
                             "analytics_glucose_time_of_day WHERE user_id = ? ORDER BY bin"));
    q.addBindValue(userId);
    if (!q.exec())
        return q.lastError().text();
    while (q.next())
        parts << QStringLiteral("%1 %2 n=%3 mean=%4 min=%5 max=%6")
                         .arg(q.value(0).toInt())
                         .arg(q.value(1).toString())
                         .arg(q.value(2).toInt())
                         .arg(q.value(3).toDouble())
                         .arg(q.value(4).toDouble())
                         .arg(q.value(5).toDouble());
    return parts.join(QLatin1String("; "));
}

} // namespace

class TestAnalytics : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    // Bins follow the participant's local clock through both DST changes;
    // the repeated autumn hour lands in one bin twice.
    void glucoseBinsUseLocalTimeAcrossDst()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadDstData(database).ok());
        QVERIFY(refreshParticipantAnalytics(database, berlin).ok());
        QVERIFY(refreshParticipantAnalytics(database, pacific).ok());
        QCOMPARE(bins(database, berlin),
                 QStringLiteral("0 00:00 n=1 mean=90 min=90 max=90; "
                                "6 01:30 n=1 mean=110 min=110 max=110; "
                                "10 02:30 n=2 mean=150 min=100 max=200; "
                                "14 03:30 n=1 mean=130 min=130 max=130"));
        QCOMPARE(bins(database, pacific),
                 QStringLiteral("7 01:45 n=1 mean=150 min=150 max=150; "
                                "13 03:15 n=1 mean=160 min=160 max=160"));
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT ROUND(mean_mmol * 1000) FROM analytics_glucose_time_of_day "
                                       "WHERE user_id = 111 AND bin = 10")),
                 QStringLiteral("8326")); // 150 / 18.01559 = 8.326
        QCOMPARE(scalar(database, QStringLiteral("SELECT utc_offset FROM entries WHERE id = 'a3'")),
                 QStringLiteral("120"));
        QCOMPARE(scalar(database, QStringLiteral("SELECT utc_offset FROM entries WHERE id = 'a5'")),
                 QStringLiteral("60"));
    }

    void loopTypeAndDevicesPerLocalDay()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadDstData(database).ok());
        QVERIFY(refreshParticipantAnalytics(database, berlin).ok());
        const QStringList days = snapshot(database, QStringLiteral("analytics_loop_type_by_day"),
                                          QStringLiteral("day"));
        QCOMPARE(days,
                 (QStringList { QStringLiteral("111|2024-03-31|closed loop|1|0"),
                                QStringLiteral("111|2024-04-01|open loop|1|0") }));
        // Devices are stored as their families (privacy/recordscrub.h).
        const QStringList devices = snapshot(database, QStringLiteral("analytics_device_groups"),
                                             QStringLiteral("device"));
        QCOMPARE(devices.size(), 4);
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT device_group || ':' || entries FROM analytics_device_groups "
                                       "WHERE device = 'xdrip'")),
                 QStringLiteral("xDrip:2"));
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT device_group FROM analytics_device_groups WHERE device = 'androidaps'")),
                 QStringLiteral("AndroidAPS"));
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT device_group FROM analytics_device_groups WHERE device = 'openaps'")),
                 QStringLiteral("OpenAPS"));
        QCOMPARE(
                scalar(database,
                       QStringLiteral(
                               "SELECT device_group || ':' || entries FROM analytics_device_groups WHERE device = 'unknown'")),
                QStringLiteral("unknown:2"));
    }

    // A refresh replaces rows in one transaction: a reader on its own
    // connection never finds the participant's bins missing.
    void readersNeverSeeEmptyTables()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadDstData(database).ok());
        QVERIFY(refreshParticipantAnalytics(database, berlin).ok());
        std::atomic<bool> stop { false };
        std::atomic<int> reads { 0 };
        std::atomic<int> empty { 0 };
        QThread *reader = QThread::create([&] {
            while (!stop) {
                const QString n = scalar(database,
                                         QStringLiteral("SELECT COUNT(*) FROM analytics_glucose_time_of_day "
                                                        "WHERE user_id = 111"));
                if (n != QLatin1String("4"))
                    ++empty;
                ++reads;
            }
            database.closeConnection();
        });
        reader->start();
        for (int i = 0; i < 30; ++i)
            QVERIFY(refreshParticipantAnalytics(database, berlin).ok());
        QTRY_VERIFY(reads > 0);
        stop = true;
        QVERIFY(reader->wait(30000));
        delete reader;
        QCOMPARE(empty.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAnalytics)
#include "tst_analytics.moc"
