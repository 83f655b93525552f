#include "ingest/recordprep.h"
#include "records/datatype.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace openaps;
using namespace openaps::ingest;
using namespace openaps::records;

namespace {

const QByteArray kSecret = QByteArrayLiteral("0123456789abcdef0123456789abcdef-test");

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

} // namespace

// Scrubbing, consent stamp, record identity and time.
class TestRecordPrep : public QObject
{
    Q_OBJECT

private slots:
    void scrubIsStablePerParticipant()
    {
        const RecordScrubber a(kSecret, QStringLiteral("11111111"), QStringLiteral("openaps"));
        const RecordScrubber again(kSecret, QStringLiteral("11111111"), QStringLiteral("both"));
        const RecordScrubber b(kSecret, QStringLiteral("22222222"), QStringLiteral("openaps"));
        const QString name = QStringLiteral("Jane's phone");
        QCOMPARE(a.scrubText(name), again.scrubText(name));
        QVERIFY(a.scrubText(name) != b.scrubText(name));
        QVERIFY(a.scrubText(name) != a.scrubText(QStringLiteral("John's phone")));
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{16}$")).match(a.scrubText(name)).hasMatch());
        // Another server key gives unrelated values: nothing can be looked up across deployments.
        const RecordScrubber otherKey(kSecret + "x", QStringLiteral("11111111"), QStringLiteral("openaps"));
        QVERIFY(otherKey.scrubText(name) != a.scrubText(name));
    }

    void scrubKeepsScheme_data()
    {
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("prefix");
        QTest::addRow("openaps rig") << QStringLiteral("openaps://edison-jane") << QStringLiteral("openaps://");
        QTest::addRow("loop") << QStringLiteral("loop://Jane's iPhone") << QStringLiteral("loop://");
        QTest::addRow("plain name") << QStringLiteral("Jane") << QString();
        QTest::addRow("url-ish caregiver") << QStringLiteral("xdrip-js://jane") << QStringLiteral("xdrip-js://");
    }
    void scrubKeepsScheme()
    {
        QFETCH(QString, value);
        QFETCH(QString, prefix);
        const RecordScrubber s(kSecret, QStringLiteral("11111111"), QStringLiteral("openaps"));
        const QString out = s.scrubText(value);
        QVERIFY(out.startsWith(prefix));
        QCOMPARE(out.size(), prefix.size() + 16);
        QVERIFY(!out.contains(QLatin1String("ane")));
    }

    void nulCharactersDoNotSplitADevice()
    {
        const RecordScrubber s(kSecret, QStringLiteral("11111111"), QStringLiteral("openaps"));
        QCOMPARE(s.scrubText(QStringLiteral("openaps://rig") + QChar(0)), s.scrubText(QStringLiteral("openaps://rig")));
        QCOMPARE(s.scrubText(QString()), QString());
    }

    void prepareScrubsTheRightFields_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QByteArray>("record");
        QTest::addColumn<QString>("scrubbed"); // field that must change, or empty
        QTest::addColumn<QString>("kept"); // field that must stay
        QTest::addRow("treatment enteredBy")
                << int(DataType::Treatments) << QByteArray(R"({"_id":"a","enteredBy":"Mum","device":"pump"})")
                << QStringLiteral("enteredBy") << QStringLiteral("device");
        QTest::addRow("devicestatus device")
                << int(DataType::DeviceStatus)
                << QByteArray("{\"_id\":\"a\",\"device\":\"openaps://rig\",\"enteredBy\":\"x\"}")
                << QStringLiteral("device") << QStringLiteral("enteredBy");
        QTest::addRow("entries untouched")
                << int(DataType::Entries) << QByteArray(R"({"_id":"a","device":"share2","enteredBy":"x"})") << QString()
                << QStringLiteral("device");
        QTest::addRow("number device") << int(DataType::DeviceStatus) << QByteArray(R"({"_id":"a","device":42})")
                                       << QStringLiteral("device") << QStringLiteral("_id");
    }
    void prepareScrubsTheRightFields()
    {
        QFETCH(int, type);
        QFETCH(QByteArray, record);
        QFETCH(QString, scrubbed);
        QFETCH(QString, kept);
        const RecordScrubber s(kSecret, QStringLiteral("11111111"), QStringLiteral("nsf"));
        const QJsonObject in = QJsonDocument::fromJson(record).object();
        const QJsonObject out = s.prepare(DataType(type), in);
        QCOMPARE(out.value(QLatin1String("sharing_consent")).toString(), QStringLiteral("nsf"));
        QCOMPARE(out.value(kept), in.value(kept));
        if (!scrubbed.isEmpty()) {
            QVERIFY(out.value(scrubbed).isString());
            QVERIFY(out.value(scrubbed) != in.value(scrubbed));
        }
        QCOMPARE(out.size(), in.size() + 1);
    }

    void recordTime_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QByteArray>("record");
        QTest::addColumn<QDateTime>("time");
        const QDateTime t(QDate(2024, 1, 31), QTime(20, 0), Qt::UTC);
        QTest::addRow("entry date") << int(DataType::Entries)
                                    << QByteArray("{\"date\":") + QByteArray::number(t.toMSecsSinceEpoch()) + "}" << t;
        QTest::addRow("entry date as string")
                << int(DataType::Entries)
                << QByteArray("{\"date\":\"") + QByteArray::number(t.toMSecsSinceEpoch()) + "\"}" << t;
        QTest::addRow("treatment local offset")
                << int(DataType::Treatments) << QByteArray(R"({"created_at":"2024-01-31T12:00:00-08:00"})") << t;
        QTest::addRow("devicestatus zulu")
                << int(DataType::DeviceStatus) << QByteArray(R"({"created_at":"2024-01-31T20:00:00.000Z"})") << t;
        QTest::addRow("profile startDate")
                << int(DataType::Profile) << QByteArray(R"({"startDate":"2024-01-31T20:00:00.000Z"})") << t;
        QTest::addRow("only an ObjectId")
                << int(DataType::Treatments)
                << QByteArray("{\"_id\":\"") + QByteArray::number(t.toSecsSinceEpoch(), 16) + "0000000000000000\"}"
                << t;
        QTest::addRow("nothing") << int(DataType::Treatments) << QByteArray(R"({"_id":"x"})")
                                 << QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    }
    void recordTime()
    {
        QFETCH(int, type);
        QFETCH(QByteArray, record);
        QFETCH(QDateTime, time);
        QCOMPARE(recordTimeMs(DataType(type), QJsonDocument::fromJson(record).object()), time.toMSecsSinceEpoch());
    }

    void identityAndContent()
    {
        QCOMPARE(recordId(json(R"({"_id":"abc","sgv":100})")), QByteArray("abc"));
        const QByteArray synthetic = recordId(json(R"({"sgv":100,"date":1})"));
        QVERIFY(!synthetic.isEmpty());
        QCOMPARE(recordId(json(R"({"date":1,"sgv":100})")), synthetic);
        QCOMPARE(contentHash("{\"a\":1}"), contentHash("{\"a\":1}"));
        QVERIFY(contentHash("{\"a\":1}") != contentHash("{\"a\":2}"));
    }
};

QTEST_GUILESS_MAIN(TestRecordPrep)
#include "tst_recordprep.moc"
