#include "ingest/errors.h"
#include "ingest/filelayout.h"
#include "ingest/ingeststore.h"
#include "records/consent.h"
#include "records/datatype.h"
#include "records/filenames.h"
#include "records/urlfile.h"

#include <QTest>

using namespace openaps;
using namespace openaps::ingest;
using namespace openaps::records;

// File names and contents the ingest reads and writes in Open Humans.
class TestFileLayout : public QObject
{
    Q_OBJECT

private slots:
    void segmentNames_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QDate>("month");
        QTest::addColumn<QString>("name");
        QTest::addRow("entries") << int(DataType::Entries) << QDate(2024, 3, 17)
                                 << QStringLiteral("12345678_entries_2024-03.ndjson.gz");
        QTest::addRow("devicestatus") << int(DataType::DeviceStatus) << QDate(2019, 12, 1)
                                      << QStringLiteral("12345678_devicestatus_2019-12.ndjson.gz");
        QTest::addRow("profile") << int(DataType::Profile) << QDate(2015, 1, 31)
                                 << QStringLiteral("12345678_profile_2015-01.ndjson.gz");
    }
    void segmentNames()
    {
        QFETCH(int, type);
        QFETCH(QDate, month);
        QFETCH(QString, name);
        const QString member = QStringLiteral("12345678");
        QCOMPARE(segmentFileName(member, DataType(type), month), name);
        QCOMPARE(segmentMonth(name, member, DataType(type)), QDate(month.year(), month.month(), 1));
    }

    void segmentMonthRejects_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addRow("other member") << QStringLiteral("87654321_entries_2024-03.ndjson.gz");
        QTest::addRow("other type") << QStringLiteral("12345678_treatments_2024-03.ndjson.gz");
        QTest::addRow("month 13") << QStringLiteral("12345678_entries_2024-13.ndjson.gz");
        QTest::addRow("not gzip") << QStringLiteral("12345678_entries_2024-03.ndjson");
        QTest::addRow("legacy") << QStringLiteral("1700000000000_12345678_entries.json");
        QTest::addRow("day stamp") << QStringLiteral("12345678_entries_2024-03-01.ndjson.gz");
    }
    void segmentMonthRejects()
    {
        QFETCH(QString, name);
        QVERIFY(!segmentMonth(name, QStringLiteral("12345678"), DataType::Entries));
    }

    void legacyBound_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("type");
        QTest::addColumn<qint64>("bound"); // -1: not a legacy file of that type
        QTest::addRow("entries") << QStringLiteral("1700000000000_12345678_entries.json") << int(DataType::Entries)
                                 << qint64(1700000000000);
        QTest::addRow("gzip") << QStringLiteral("1700000000000_12345678_devicestatus.json.gz")
                              << int(DataType::DeviceStatus) << qint64(1700000000000);
        QTest::addRow("type differs") << QStringLiteral("1700000000000_12345678_entries.json")
                                      << int(DataType::Treatments) << qint64(-1);
        QTest::addRow("member differs") << QStringLiteral("1700000000000_87654321_entries.json")
                                        << int(DataType::Entries) << qint64(-1);
        QTest::addRow("segment") << QStringLiteral("12345678_entries_2024-03.ndjson.gz") << int(DataType::Entries)
                                 << qint64(-1);
    }
    void legacyBound()
    {
        QFETCH(QString, name);
        QFETCH(int, type);
        QFETCH(qint64, bound);
        const auto parsed = legacyUpperBound(name, QStringLiteral("12345678"), DataType(type));
        QCOMPARE(parsed.value_or(-1), bound);
    }

    void monthArithmetic()
    {
        const qint64 ms = QDateTime(QDate(2024, 2, 29), QTime(23, 59, 59, 999), Qt::UTC).toMSecsSinceEpoch();
        QCOMPARE(monthOf(ms), QDate(2024, 2, 1));
        QCOMPARE(monthOf(ms + 1), QDate(2024, 3, 1));
        QCOMPARE(monthStartMs(QDate(2024, 3, 1)), ms + 1);
    }

    void urlFile_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QByteArray>("wire");
        QTest::addRow("plain") << QStringLiteral("https://my.site.example\n") << QStringLiteral("my.site.example")
                               << int(ns::Credentials::Kind::None) << QByteArray();
        QTest::addRow("token") << QStringLiteral("https://my.site.example/?token=reader-0123456789abcdef")
                               << QStringLiteral("my.site.example") << int(ns::Credentials::Kind::AccessToken)
                               << QByteArray("reader-0123456789abcdef");
        const QByteArray sha1 = ns::Credentials::hashSecret(QStringLiteral("a long api secret"));
        QTest::addRow("api secret hash") << QStringLiteral("https://my.site.example/?api_secret=")
                        + QString::fromLatin1(sha1)
                                         << QStringLiteral("my.site.example") << int(ns::Credentials::Kind::ApiSecret)
                                         << sha1;
        QTest::addRow("blank lines, no scheme")
                << QStringLiteral("\n\n  My.Site.Example/api/v1/  \n") << QStringLiteral("my.site.example")
                << int(ns::Credentials::Kind::None) << QByteArray();
    }
    void urlFile()
    {
        QFETCH(QString, content);
        QFETCH(QString, host);
        QFETCH(int, kind);
        QFETCH(QByteArray, wire);
        const auto access = parseUrlFile(content);
        QVERIFY2(access.ok(), access.ok() ? "" : qPrintable(access.error().message));
        QCOMPARE(access->site.host(), host);
        QCOMPARE(int(access->credentials.kind()), kind);
        QCOMPARE(access->credentials.wireValue(), wire);
    }

    void urlFileUnusable()
    {
        const auto access = parseUrlFile(QStringLiteral("ftp://nightscout.example"));
        QVERIFY(!access.ok());
        QVERIFY(access.error().message.startsWith(QLatin1String("The Nightscout address saved")));
        QVERIFY(!access.error().message.contains(QLatin1String("nightscout.example")));
    }

    void consentFile_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<QString>("value"); // empty: not understood
        QTest::addRow("openaps") << QStringLiteral("openaps") << QStringLiteral("openaps");
        QTest::addRow("both with newline") << QStringLiteral("both\n") << QStringLiteral("both");
        QTest::addRow("upper case") << QStringLiteral(" NSF ") << QStringLiteral("nsf");
        QTest::addRow("none") << QStringLiteral("none") << QStringLiteral("none");
        QTest::addRow("empty") << QString() << QString();
        QTest::addRow("unknown") << QStringLiteral("yes please") << QString();
    }
    void consentFile()
    {
        QFETCH(QString, content);
        QFETCH(QString, value);
        const auto consent = parseConsent(content);
        QCOMPARE(consent ? consentValue(*consent) : QString(), value);
    }

    void backoffDoublesUpToADay()
    {
        QCOMPARE(backoffDelay(0).count(), 0);
        QCOMPARE(backoffDelay(1).count(), 15 * 60);
        QCOMPARE(backoffDelay(2).count(), 30 * 60);
        QCOMPARE(backoffDelay(4).count(), 2 * 3600);
        QCOMPARE(backoffDelay(8).count(), 24 * 3600);
        QCOMPARE(backoffDelay(1000).count(), 24 * 3600);
    }

    void errorClasses_data()
    {
        QTest::addColumn<bool>("nightscout");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("klass");
        QTest::addRow("ns unreachable") << true << QStringLiteral("unreachable") << QStringLiteral("unreachable");
        QTest::addRow("ns timeout") << true << QStringLiteral("timeout") << QStringLiteral("unreachable");
        QTest::addRow("ns 500") << true << QStringLiteral("http") << QStringLiteral("unreachable");
        QTest::addRow("ns locked") << true << QStringLiteral("needs-credentials") << QStringLiteral("needs_token");
        QTest::addRow("ns refused") << true << QStringLiteral("credentials-rejected")
                                    << QStringLiteral("token_rejected");
        QTest::addRow("ns 404") << true << QStringLiteral("not-found") << QStringLiteral("not_nightscout");
        QTest::addRow("ns garbage") << true << QStringLiteral("malformed") << QStringLiteral("bad_data");
        QTest::addRow("oh refresh refused") << false << QStringLiteral("reauthorize") << QStringLiteral("oh_revoked");
        QTest::addRow("oh 401") << false << QStringLiteral("unauthorized") << QStringLiteral("oh_revoked");
        QTest::addRow("oh 403 storage") << false << QStringLiteral("forbidden") << QStringLiteral("oh_unavailable");
        QTest::addRow("oh 500") << false << QStringLiteral("server-error") << QStringLiteral("oh_unavailable");
        QTest::addRow("oh expired twice")
                << false << QStringLiteral("token-expired") << QStringLiteral("oh_unavailable");
    }
    void errorClasses()
    {
        QFETCH(bool, nightscout);
        QFETCH(QString, code);
        QFETCH(QString, klass);
        const Error in { code, QStringLiteral("Your Nightscout site answered with error 500.") };
        const Error out = nightscout ? errors::fromNightscout(in) : errors::fromOpenHumans(in);
        QCOMPARE(out.code, klass);
        QVERIFY(!out.message.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFileLayout)
#include "tst_filelayout.moc"
