// The derived datasets (issue 13, item 1): participant_summary computed by
// the ETL with the desktop app's metrics, checked against values worked out
// by hand, against the desktop app's own computation on the export of the
// same readings, after new data (only what changed is rewritten), under the
// researcher's scope and after erasure; on SQLite and PostgreSQL.

#include "../api/exportharness.h"
#include "etl/analytics.h"
#include "etl/derivedtables.h"
#include "etl/fileloader.h"
#include "etltestsupport.h"
#include "metrics/entriesanalysis.h"
#include "privacy/participantdata.h"
#include "privacy/participantkeys.h"
#include "records/datatype.h"
#include "site/erasure.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryFile>

using namespace openaps;
using namespace openaps::test::etl;
using records::DataType;

namespace {

const QByteArray secretKey = QByteArray(32, 'k');

// Each call is another file (its per-day counts are kept apart); bad lines
// are an error unless `badLines` allows them.
Status load(const db::Database &database, qint64 userId, int sourceEntity, DataType type, const QByteArray &data,
            qint64 badLines = 0)
{
    static int files = 0;
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    auto report = etl::FileLoader(database).load(&buffer, type,
                                                 etl::LoadTarget { userId, sourceEntity, QStringLiteral("test"), {} });
    if (!report)
        return report.error();
    if (report->badLines != badLines)
        return makeError("test", report->badLineSummary());
    return etl::noteLoadedFile(database, userId, QStringLiteral("file%1").arg(++files), *report);
}

QByteArray entry(const QString &id, const QString &localTime, int sgv)
{
    return QStringLiteral("{\"_id\":\"%1\",\"type\":\"sgv\",\"sgv\":%2,\"dateString\":\"%3+01:00\","
                          "\"device\":\"xDrip-DexcomG5\"}\n")
            .arg(id)
            .arg(sgv)
            .arg(localTime)
            .toUtf8();
}

// Participant local time UTC+1. 31 January: 50 60 100 120 mg/dL at 10:00,
// 10:05, 10:10, 10:15; 1 February (23:30 UTC on the 31st): 140 160 200 300
// at 00:30, 00:35, 00:40 and 00:50 (00:45 missing).
Status loadFixture(const db::Database &database, qint64 userId, int sourceEntity)
{
    QByteArray e;
    const std::pair<const char *, int> readings[] = {
        { "2024-01-31T10:00:00", 50 },  { "2024-01-31T10:05:00", 60 },  { "2024-01-31T10:10:00", 100 },
        { "2024-01-31T10:15:00", 120 }, { "2024-02-01T00:30:00", 140 }, { "2024-02-01T00:35:00", 160 },
        { "2024-02-01T00:40:00", 200 }, { "2024-02-01T00:50:00", 300 },
    };
    int n = 0;
    for (const auto &[time, sgv] : readings)
        e += entry(QStringLiteral("e%1").arg(++n), QLatin1String(time), sgv);
    if (auto s = load(database, userId, sourceEntity, DataType::Entries, e); !s)
        return s;
    // Boluses 2 U (31 Jan) and 4 U (1 Feb), 30 g carbs; temp basals 1 U/h
    // from 10:00 for 60 min, cut at 10:30 by 2 U/h for 30 min: 0.5 + 1 U.
    if (auto s = load(database, userId, sourceEntity, DataType::Treatments,
                      "{\"_id\":\"t1\",\"eventType\":\"Meal Bolus\",\"insulin\":2,\"carbs\":30,"
                      "\"created_at\":\"2024-01-31T10:00:00+01:00\"}\n"
                      "{\"_id\":\"t2\",\"eventType\":\"Temp Basal\",\"absolute\":1.0,\"duration\":60,"
                      "\"created_at\":\"2024-01-31T10:00:00+01:00\"}\n"
                      "{\"_id\":\"t3\",\"eventType\":\"Temp Basal\",\"absolute\":2.0,\"duration\":30,"
                      "\"created_at\":\"2024-01-31T10:30:00+01:00\"}\n"
                      "{\"_id\":\"t4\",\"eventType\":\"Correction Bolus\",\"insulin\":4,"
                      "\"created_at\":\"2024-02-01T00:30:00+01:00\"}\n");
        !s)
        return s;
    // A Loop decision enacted on 31 January (closed loop); two OpenAPS
    // suggestions on 1 February (open loop).
    if (auto s = load(database, userId, sourceEntity, DataType::DeviceStatus,
                      "{\"_id\":\"s1\",\"device\":\"loop://iPhone\",\"created_at\":\"2024-01-31T10:00:00+01:00\","
                      "\"loop\":{\"iob\":{\"iob\":1.5},\"enacted\":{\"rate\":1.0,\"duration\":30}}}\n"
                      "{\"_id\":\"s2\",\"device\":\"openaps://rig\",\"created_at\":\"2024-02-01T00:30:00+01:00\","
                      "\"openaps\":{\"suggested\":{\"bg\":120}}}\n"
                      "{\"_id\":\"s3\",\"device\":\"openaps://rig\",\"created_at\":\"2024-02-01T00:35:00+01:00\","
                      "\"openaps\":{\"suggested\":{\"bg\":130}}}\n");
        !s)
        return s;
    return etl::refreshParticipantAnalytics(database, userId);
}

// participant_summary rows of `userId` by "period period_start".
QHash<QString, QSqlRecord> summaries(const db::Database &database, qint64 userId)
{
    QHash<QString, QSqlRecord> rows;
    auto conn = database.connection();
    QSqlQuery q(*conn);
    q.prepare(QStringLiteral("SELECT * FROM participant_summary WHERE user_id = ?"));
    q.addBindValue(userId);
    if (!q.exec())
        qWarning("%s", qPrintable(q.lastError().text()));
    while (q.next())
        rows.insert(q.value(QStringLiteral("period")).toString() + QLatin1Char(' ')
                            + asText(q.value(QStringLiteral("period_start"))).left(10),
                    q.record());
    return rows;
}

// Every derived row of `userId`, as text, in a stable order (seq_id left out).
QStringList derivedRows(const db::Database &database, qint64 userId)
{
    const std::pair<const char *, const char *> tables[] = {
        { "participant_summary", "period, period_start" },
        { "data_quality", "day" },
        { "derived_days", "day" },
        { "derived_months", "month" },
        { "derived_month_sums", "month" },
        { "analytics_glucose_time_of_day", "bin" },
        { "analytics_loop_type_by_day", "day" },
        { "analytics_device_groups", "device" },
    };
    QStringList out;
    auto conn = database.connection();
    for (const auto &[table, order] : tables) {
        QSqlQuery q(*conn);
        q.prepare(QStringLiteral("SELECT * FROM %1 WHERE user_id = ? ORDER BY %2")
                          .arg(QLatin1String(table), QLatin1String(order)));
        q.addBindValue(userId);
        if (!q.exec())
            return { q.lastError().text() };
        while (q.next()) {
            QStringList values { QLatin1String(table) };
            const QSqlRecord r = q.record();
            for (int i = 0; i < r.count(); ++i) {
                if (r.fieldName(i) != QLatin1String("seq_id"))
                    values << r.fieldName(i) + QLatin1Char('=') + asText(r.value(i));
            }
            out << values.join(QLatin1Char(' '));
        }
    }
    return out;
}

// `userId`'s derived rows as they are, and as a computation from scratch gives them.
std::pair<QStringList, QStringList> incrementalAndFromScratch(const db::Database &database, qint64 userId)
{
    const QStringList incremental = derivedRows(database, userId);
    if (!etl::refreshParticipantAnalytics(database, userId, {}, etl::Recompute::Everything))
        return { incremental, {} };
    return { incremental, derivedRows(database, userId) };
}

double real(const QSqlRecord &r, const char *column)
{
    return r.value(QLatin1String(column)).toDouble();
}

} // namespace

class TestDerived : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    void handComputedValues()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, 7, 0).ok());
        const auto rows = summaries(database, 7);
        QCOMPARE(rows.keys().size(), 5);
        QVERIFY(rows.contains(QStringLiteral("month 2024-01-01")));
        QVERIFY(rows.contains(QStringLiteral("month 2024-02-01")));
        QVERIFY(rows.contains(QStringLiteral("last_14_days 2024-01-19")));
        QVERIFY(rows.contains(QStringLiteral("last_90_days 2023-11-04")));

        const QSqlRecord all = rows.value(QStringLiteral("all 2024-01-31"));
        QCOMPARE(asText(all.value(QStringLiteral("period_end"))).left(10), QStringLiteral("2024-02-01"));
        QCOMPARE(all.value(QStringLiteral("readings")).toInt(), 8);
        QCOMPARE(all.value(QStringLiteral("days_with_data")).toInt(), 2);
        QCOMPARE(asText(all.value(QStringLiteral("first_reading"))), QStringLiteral("2024-01-31T09:00:00.000Z"));
        QCOMPARE(asText(all.value(QStringLiteral("last_reading"))), QStringLiteral("2024-01-31T23:50:00.000Z"));
        // 09:00 to 23:50 UTC: 179 five-minute slots, 8 with a reading.
        QCOMPARE(real(all, "active_cgm_percent"), 800.0 / 179);
        QCOMPARE(real(all, "very_low_percent"), 12.5);
        QCOMPARE(real(all, "low_percent"), 12.5);
        QCOMPARE(real(all, "in_range_percent"), 50.0);
        QCOMPARE(real(all, "high_percent"), 12.5);
        QCOMPARE(real(all, "very_high_percent"), 12.5);
        QCOMPARE(real(all, "mean_mgdl"), 141.25);
        QCOMPARE(real(all, "sd_mgdl"), std::sqrt(46087.5 / 7));
        QCOMPARE(real(all, "cv_percent"), 100 * std::sqrt(46087.5 / 7) / 141.25);
        QCOMPARE(real(all, "gmi_percent"), 3.31 + 0.02392 * 141.25);
        QVERIFY(std::abs(real(all, "lbgi") - 4.569137368691206) < 1e-9);
        QVERIFY(std::abs(real(all, "hbgi") - 6.4621355042197735) < 1e-9);
        QCOMPARE(real(all, "gri"), 97.5); // 3 x 12.5 + 2.4 x 12.5 + 1.6 x 12.5 + 0.8 x 12.5
        QCOMPARE(asText(all.value(QStringLiteral("sufficient"))).replace(QLatin1Char('0'), QStringLiteral("false")),
                 QStringLiteral("false"));
        QCOMPARE(real(all, "closed_loop_days_percent"), 50.0);
        QCOMPARE(real(all, "basal_units_per_day"), 1.5); // one day with temp basals
        QCOMPARE(real(all, "bolus_units_per_day"), 3.0); // (2 + 4) / 2 days with treatments
        QCOMPARE(real(all, "carbs_grams_per_day"), 15.0);
        QCOMPARE(all.value(QStringLiteral("main_device_group")).toString(), QStringLiteral("xDrip"));
        QCOMPARE(all.value(QStringLiteral("main_uploader")).toString(), QStringLiteral("openaps"));
        QCOMPARE(all.value(QStringLiteral("source_entity")).toInt(), 0);

        const QSqlRecord january = rows.value(QStringLiteral("month 2024-01-01"));
        QCOMPARE(asText(january.value(QStringLiteral("period_end"))).left(10), QStringLiteral("2024-01-31"));
        QCOMPARE(january.value(QStringLiteral("readings")).toInt(), 4);
        QCOMPARE(real(january, "mean_mgdl"), 82.5);
        QCOMPARE(real(january, "active_cgm_percent"), 100.0);
        QCOMPARE(real(january, "closed_loop_days_percent"), 100.0);
        QCOMPARE(real(january, "carbs_grams_per_day"), 30.0);
        const QSqlRecord february = rows.value(QStringLiteral("month 2024-02-01"));
        QCOMPARE(february.value(QStringLiteral("readings")).toInt(), 4);
        QCOMPARE(real(february, "mean_mgdl"), 200.0);
        QCOMPARE(real(february, "active_cgm_percent"), 80.0); // 00:30-00:50: 5 slots, 4 read
        QCOMPARE(real(february, "very_high_percent"), 25.0);
        QCOMPARE(real(february, "closed_loop_days_percent"), 0.0);
        QVERIFY(february.value(QStringLiteral("basal_units_per_day")).isNull());
        QCOMPARE(real(february, "bolus_units_per_day"), 4.0);
    }

    // The same readings, downloaded as the desktop app downloads them and
    // analysed by its code, give the same numbers.
    void serverEqualsDesktop()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, 7, 0).ok());
        // More readings: three weeks, a varied pattern, a gap and a clamped value.
        QByteArray more;
        const qint64 start = QDateTime(QDate(2024, 2, 2), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
        for (int i = 0; i < 21 * 288; ++i) {
            if (i % 500 > 470)
                continue;
            const int sgv = i == 1000 ? 420 : 40 + (i * 37) % 300;
            more += QStringLiteral("{\"_id\":\"m%1\",\"type\":\"sgv\",\"sgv\":%2,\"date\":%3}\n")
                            .arg(i)
                            .arg(sgv)
                            .arg(start + qint64(i) * 300000)
                            .toUtf8();
        }
        QVERIFY(load(database, 7, 0, DataType::Entries, more).ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());

        test::ExportHarness api(database);
        QVERIFY(api.isValid());
        const test::ApiReply csv = api.get(QStringLiteral("/api/v1/export/entries?format=csv"));
        QCOMPARE(csv.status, 200);
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write(csv.body);
        file.flush();
        auto desktop = metrics::analyseEntriesFile(file.fileName());
        QVERIFY(desktop.ok());
        QCOMPARE(desktop->participants.size(), 1);
        const metrics::Summary &d = desktop->participants.first().summary;

        const test::ApiReply ndjson = api.get(QStringLiteral("/api/v1/export/participant_summary?format=ndjson"));
        QCOMPARE(ndjson.status, 200);
        QJsonObject all;
        for (const QByteArray &line : ndjson.body.split('\n')) {
            const QJsonObject row = QJsonDocument::fromJson(line).object();
            if (row.value(QStringLiteral("period")).toString() == QLatin1String("all"))
                all = row;
        }
        QVERIFY(!all.isEmpty());
        QCOMPARE(all.value(QStringLiteral("readings")).toInt(), d.readings);
        QCOMPARE(all.value(QStringLiteral("active_cgm_percent")).toDouble(), d.activePercent);
        QCOMPARE(all.value(QStringLiteral("very_low_percent")).toDouble(), d.bands.veryLow);
        QCOMPARE(all.value(QStringLiteral("low_percent")).toDouble(), d.bands.low);
        QCOMPARE(all.value(QStringLiteral("in_range_percent")).toDouble(), d.bands.inRange);
        QCOMPARE(all.value(QStringLiteral("high_percent")).toDouble(), d.bands.high);
        QCOMPARE(all.value(QStringLiteral("very_high_percent")).toDouble(), d.bands.veryHigh);
        QCOMPARE(all.value(QStringLiteral("mean_mgdl")).toDouble(), d.mean);
        QCOMPARE(all.value(QStringLiteral("sd_mgdl")).toDouble(), d.sd);
        QCOMPARE(all.value(QStringLiteral("cv_percent")).toDouble(), d.cv);
        QCOMPARE(all.value(QStringLiteral("gmi_percent")).toDouble(), d.gmi);
        QCOMPARE(all.value(QStringLiteral("lbgi")).toDouble(), d.lbgi);
        QCOMPARE(all.value(QStringLiteral("hbgi")).toDouble(), d.hbgi);
        QCOMPARE(all.value(QStringLiteral("gri")).toDouble(), d.gri);
        QCOMPARE(all.value(QStringLiteral("sufficient")).toBool(), metrics::isSufficient(d));
        QVERIFY(metrics::isSufficient(d)); // 22 days at 94 % wear
    }

    // A new day rewrites its month and the whole-history and rolling
    // periods; the months it does not touch keep their rows.
    void newDataRecomputesWhatChanged()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, 7, 0).ok());
        const auto before = summaries(database, 7);
        const QByteArray newDay = entry(QStringLiteral("n1"), QStringLiteral("2024-02-05T12:00:00"), 100)
                + entry(QStringLiteral("n2"), QStringLiteral("2024-02-05T12:05:00"), 110);
        QVERIFY(load(database, 7, 0, DataType::Entries, newDay).ok());
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM derived_pending")), QStringLiteral("1"));
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM derived_pending")), QStringLiteral("0"));
        const auto after = summaries(database, 7);
        const auto seq = [](const QSqlRecord &r) { return r.value(QStringLiteral("seq_id")).toLongLong(); };
        QCOMPARE(seq(after.value(QStringLiteral("month 2024-01-01"))),
                 seq(before.value(QStringLiteral("month 2024-01-01"))));
        QVERIFY(seq(after.value(QStringLiteral("month 2024-02-01")))
                != seq(before.value(QStringLiteral("month 2024-02-01"))));
        QCOMPARE(after.value(QStringLiteral("month 2024-02-01")).value(QStringLiteral("readings")).toInt(), 6);
        QCOMPARE(after.value(QStringLiteral("all 2024-01-31")).value(QStringLiteral("readings")).toInt(), 10);
        QCOMPARE(after.value(QStringLiteral("all 2024-01-31")).value(QStringLiteral("days_with_data")).toInt(), 3);
        QVERIFY(after.contains(QStringLiteral("last_14_days 2024-01-23")));
        QVERIFY(!after.contains(QStringLiteral("last_14_days 2024-01-19")));

        // Nothing pending: a refresh leaves every row as it is.
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        QCOMPARE(seq(summaries(database, 7).value(QStringLiteral("all 2024-01-31"))),
                 seq(after.value(QStringLiteral("all 2024-01-31"))));
    }

    // Only the days a load touched are recomputed, yet every derived row
    // is what a computation from scratch gives: after new data, after a
    // day that arrives late (older than what was there) and after an
    // erasure and the data shared again.
    void incrementalEqualsFromScratch()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const privacy::ParticipantKeys keys(secretKey);
        const QString member = QStringLiteral("27182818");
        const qint64 userId = keys.pseudonym(member);
        QVERIFY(loadFixture(database, userId, 0).ok());
        QVERIFY(loadFixture(database, 8, 1).ok()); // another participant, untouched by all of this
        const QStringList other = derivedRows(database, 8);
        QVERIFY(other.size() > 10);
        // Varied days, so that sums are not whole and slots are shared.
        const auto day = [](const QString &prefix, const QString &date, int first) {
            QByteArray e;
            for (int i = 0; i < 40; ++i)
                e += entry(QStringLiteral("%1%2").arg(prefix).arg(i),
                           QStringLiteral("%1T%2:%3:00")
                                   .arg(date)
                                   .arg(8 + i / 10, 2, 10, QLatin1Char('0'))
                                   .arg((i % 10) * 6 + (i % 3), 2, 10, QLatin1Char('0')),
                           first + (i * 53) % 350);
            return e;
        };
        const auto check = [&](const char *when) {
            const auto [incremental, scratch] = incrementalAndFromScratch(database, userId);
            QVERIFY2(incremental.size() > 10, when);
            for (qsizetype i = 0; i < std::min(incremental.size(), scratch.size()); ++i)
                QVERIFY2(
                        incremental[i] == scratch[i],
                        qPrintable(QStringLiteral("%1:\n%2\n%3").arg(QLatin1String(when), incremental[i], scratch[i])));
            QCOMPARE(incremental.size(), scratch.size());
        };

        QVERIFY(load(database, userId, 0, DataType::Entries, day(QStringLiteral("n"), QStringLiteral("2024-02-10"), 45))
                        .ok());
        QVERIFY(load(database, userId, 0, DataType::Treatments,
                     "{\"_id\":\"tn\",\"eventType\":\"Temp Basal\",\"absolute\":0.7,\"duration\":600,"
                     "\"created_at\":\"2024-02-09T20:00:00+01:00\"}\n")
                        .ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, userId).ok());
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM derived_days WHERE user_id = ?"), { userId }),
                 QStringLiteral("4")); // 31 Jan, 1, 9 (a temp basal only) and 10 Feb
        check("after a new day");

        QVERIFY(load(database, userId, 0, DataType::Entries, day(QStringLiteral("o"), QStringLiteral("2023-12-20"), 61))
                        .ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, userId).ok());
        QVERIFY(summaries(database, userId).contains(QStringLiteral("month 2023-12-01")));
        QVERIFY(summaries(database, userId).contains(QStringLiteral("all 2023-12-20")));
        check("after a late day");

        // The same day loaded again with other values replaces its sums.
        QVERIFY(load(database, userId, 0, DataType::Entries, day(QStringLiteral("n"), QStringLiteral("2024-02-10"), 99))
                        .ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, userId).ok());
        check("after a day loaded again");

        QVERIFY(site::eraseMember(database, keys, member).ok());
        QCOMPARE(derivedRows(database, userId), QStringList());
        QCOMPARE(derivedRows(database, 8), other);
        QVERIFY(loadFixture(database, userId, 0).ok());
        QVERIFY(load(database, userId, 0, DataType::Entries, day(QStringLiteral("n"), QStringLiteral("2024-02-10"), 45))
                        .ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, userId).ok());
        check("after an erasure");
        QCOMPARE(derivedRows(database, 8), other);
    }

    // Over five months the periods add up whole months from their sums
    // and the days of the months they cut (the first, around the last
    // 14 and 90 days): the same numbers, in the same order, whether a new
    // day comes at the end, in the middle or before the first reading.
    void monthSumsAddUpAsDays()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const auto days = [](const QString &prefix, const QDate &from, int count, int base) {
            QByteArray e;
            for (int d = 0; d < count; ++d) {
                const QString date = from.addDays(d).toString(Qt::ISODate);
                for (int i = 0; i < 12; ++i)
                    e += entry(QStringLiteral("%1%2-%3").arg(prefix).arg(d).arg(i),
                               QStringLiteral("%1T%2:%3:00")
                                       .arg(date)
                                       .arg(i * 2, 2, 10, QLatin1Char('0'))
                                       .arg((d * 7 + i) % 60, 2, 10, QLatin1Char('0')),
                               base + (d * 37 + i * 53) % 290);
            }
            return e;
        };
        const auto check = [&](const char *when) {
            const auto [incremental, scratch] = incrementalAndFromScratch(database, 7);
            QVERIFY2(incremental.size() > 150, when);
            for (qsizetype i = 0; i < std::min(incremental.size(), scratch.size()); ++i)
                QVERIFY2(
                        incremental[i] == scratch[i],
                        qPrintable(QStringLiteral("%1:\n%2\n%3").arg(QLatin1String(when), incremental[i], scratch[i])));
            QCOMPARE(incremental.size(), scratch.size());
        };
        // Treatments before the first reading (outside the whole history).
        QVERIFY(load(database, 7, 0, DataType::Treatments,
                     "{\"_id\":\"t1\",\"eventType\":\"Meal Bolus\",\"insulin\":3.3,\"carbs\":41,"
                     "\"created_at\":\"2023-09-02T12:00:00+01:00\"}\n"
                     "{\"_id\":\"t2\",\"eventType\":\"Temp Basal\",\"absolute\":0.7,\"duration\":90,"
                     "\"created_at\":\"2023-12-24T20:00:00+01:00\"}\n")
                        .ok());
        QVERIFY(load(database, 7, 0, DataType::Entries, days(QStringLiteral("a"), QDate(2023, 9, 5), 145, 45)).ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM derived_month_sums WHERE user_id = 7")),
                 QStringLiteral("5"));
        check("from scratch");
        QVERIFY(load(database, 7, 0, DataType::Entries, days(QStringLiteral("b"), QDate(2024, 2, 3), 1, 60)).ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM derived_month_sums WHERE user_id = 7")),
                 QStringLiteral("6"));
        check("after a new last day");
        QVERIFY(load(database, 7, 0, DataType::Entries, days(QStringLiteral("a"), QDate(2023, 11, 15), 1, 70)).ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        check("after a day in the middle");
        QVERIFY(load(database, 7, 0, DataType::Entries, days(QStringLiteral("c"), QDate(2023, 8, 30), 1, 50)).ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        QVERIFY(summaries(database, 7).contains(QStringLiteral("all 2023-08-30")));
        check("after a day before the first");
    }

    // A pending range with no rows in it (a bulk load noted, a file of
    // nothing readable) rewrites the months it touches from their other days.
    void aRangeWithoutRowsKeepsItsMonth()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, 7, 0).ok());
        const qint64 february20 = QDateTime(QDate(2024, 2, 20), QTime(12, 0), Qt::UTC).toMSecsSinceEpoch();
        QVERIFY(etl::markDerivedPending(database, 7, february20, february20 + 3600000).ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM derived_months WHERE user_id = 7")),
                 QStringLiteral("2"));
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT SUM(readings) FROM analytics_glucose_time_of_day WHERE user_id = 7")),
                 QStringLiteral("8"));
        const auto [incremental, scratch] = incrementalAndFromScratch(database, 7);
        QCOMPARE(incremental, scratch);
    }

    // Researchers receive the rows their scope allows, by pseudonym.
    void exportFollowsScopeAndParticipants()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, 7, 0).ok()); // openaps
        QVERIFY(loadFixture(database, 8, 1).ok()); // nsf
        test::ExportHarness api(database);
        QVERIFY(api.isValid());
        const auto users = [&api](const QString &query, const QByteArray &token) {
            const test::ApiReply reply = api.get(query, token);
            QSet<qint64> ids;
            for (const QByteArray &line : reply.body.split('\n')) {
                if (!line.isEmpty())
                    ids.insert(QJsonDocument::fromJson(line).object().value(QStringLiteral("user_id")).toInteger());
            }
            return QList<qint64>(ids.cbegin(), ids.cend());
        };
        // A survey answer of each (the survey import writes these).
        for (const qint64 user : { 7, 8 }) {
            QSqlQuery answer(*database.connection());
            answer.prepare(QStringLiteral("INSERT INTO analytics_demographics (seq_id, user_id, ts, survey, gender) "
                                          "VALUES (?, ?, '2024-01-10T00:00:00Z', 'openaps', 'female')"));
            answer.addBindValue(user);
            answer.addBindValue(user);
            QVERIFY2(answer.exec(), qPrintable(answer.lastError().text()));
        }
        const QStringList derived {
            QStringLiteral("participant_summary"),           QStringLiteral("data_quality"),
            QStringLiteral("analytics_glucose_time_of_day"), QStringLiteral("analytics_loop_type_by_day"),
            QStringLiteral("analytics_device_groups"),       QStringLiteral("analytics_demographics")
        };
        for (const QString &dataset : derived) {
            const QString path = QStringLiteral("/api/v1/export/%1?format=ndjson").arg(dataset);
            QCOMPARE(users(path, test::tokens::openaps), QList<qint64> { 7 });
            QCOMPARE(users(path, test::tokens::nsf), QList<qint64> { 8 });
            QCOMPARE(users(path + QStringLiteral("&participants=8"), test::tokens::all), QList<qint64> { 8 });
        }
        // Periods by their first day.
        const test::ApiReply february = api.get(QStringLiteral(
                "/api/v1/export/participant_summary?format=ndjson&participants=7&from=2024-02-01&to=2024-02-02"));
        QCOMPARE(february.status, 200);
        QCOMPARE(february.body.count('\n'), 1);
        QVERIFY(february.body.contains("\"period\":\"month\""));
        const test::ApiReply list = api.get(QStringLiteral("/api/v1/datasets"));
        for (const QString &dataset : derived)
            QVERIFY2(list.body.contains(QStringLiteral("\"%1\"").arg(dataset).toUtf8()), qPrintable(dataset));
    }

    // GET /api/v1/participants lists the participants in the researcher's
    // scope by pseudonym, with what they have.
    void participantsListFollowsScope()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const privacy::ParticipantKeys keys(secretKey);
        const QString member = QStringLiteral("27182818");
        QVERIFY(loadFixture(database, keys.pseudonym(member), 0).ok()); // openaps
        QVERIFY(loadFixture(database, 8, 2).ok()); // both
        test::ExportHarness api(database);
        QVERIFY(api.isValid());
        const auto listed = [&api](const QByteArray &token) {
            const test::ApiReply reply = api.get(QStringLiteral("/api/v1/participants"), token);
            return reply.json().value(QStringLiteral("participants")).toArray();
        };
        const QJsonArray nsf = listed(test::tokens::nsf);
        QCOMPARE(nsf.size(), 1);
        const QJsonObject p = nsf.first().toObject();
        QCOMPARE(p.value(QStringLiteral("user_id")).toInteger(), 8);
        QCOMPARE(p.value(QStringLiteral("consent")).toString(), QStringLiteral("both"));
        QCOMPARE(p.value(QStringLiteral("first_data")).toString(), QStringLiteral("2024-01-31T09:00:00.000Z"));
        QCOMPARE(p.value(QStringLiteral("last_data")).toString(), QStringLiteral("2024-01-31T23:50:00.000Z"));
        QCOMPARE(p.value(QStringLiteral("days_with_data")).toInt(), 2);
        QCOMPARE(p.value(QStringLiteral("sufficient")).toBool(), false);
        QCOMPARE(listed(test::tokens::openaps).size(), 2);
        const test::ApiReply all = api.get(QStringLiteral("/api/v1/participants"), test::tokens::all);
        QVERIFY(all.body.contains(QByteArray::number(keys.pseudonym(member))));
        QVERIFY(!all.body.contains(member.toUtf8()));
        QCOMPARE(api.get(QStringLiteral("/api/v1/participants"), "no-such-token").status, 401);
    }

    // data_quality: one row per local day, worked out by hand.
    void dataQualityPerDay()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, 7, 0).ok());
        // 3 February (UTC+1): 500 mg/dL at 12:00 (clamped) delivered twice,
        // an unreadable line, 100 at 13:00 (a 60-minute gap), 0 at 13:05
        // (not a reading).
        const QByteArray day = entry(QStringLiteral("q1"), QStringLiteral("2024-02-03T12:00:00"), 500)
                + entry(QStringLiteral("q2"), QStringLiteral("2024-02-03T12:00:00"), 500) + "not json\n"
                + entry(QStringLiteral("q3"), QStringLiteral("2024-02-03T13:00:00"), 100)
                + entry(QStringLiteral("q4"), QStringLiteral("2024-02-03T13:05:00"), 0);
        const Status loaded = load(database, 7, 0, DataType::Entries, day, 1);
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message));
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        const auto row = [&database](const char *day) {
            return scalar(
                    database,
                    QStringLiteral("SELECT readings_expected || ' ' || readings_received || ' ' || "
                                   "gaps_over_30_min || ' ' || COALESCE(CAST(CAST(longest_gap_minutes AS INTEGER) "
                                   "AS TEXT), '-') || ' ' || duplicates_dropped || ' ' || values_clamped || ' ' || "
                                   "values_not_numbers || ' ' || bad_lines || ' ' || COALESCE(uploader, '-') "
                                   "FROM data_quality WHERE user_id = 7 AND day = ?"),
                    { QLatin1String(day) });
        };
        QCOMPARE(row("2024-01-31"), QStringLiteral("288 4 0 5 0 0 0 0 loop"));
        QCOMPARE(row("2024-02-01"), QStringLiteral("288 4 0 10 0 0 0 0 openaps"));
        QCOMPARE(row("2024-02-03"), QStringLiteral("288 2 1 60 1 1 1 1 xDrip"));
        QCOMPARE(scalar(database, QStringLiteral("SELECT first_record FROM data_quality WHERE day = ?"),
                        { QStringLiteral("2024-02-03") }),
                 QStringLiteral("2024-02-03T11:00:00.000Z"));
        QCOMPARE(scalar(database, QStringLiteral("SELECT last_record FROM data_quality WHERE day = ?"),
                        { QStringLiteral("2024-02-03") }),
                 QStringLiteral("2024-02-03T12:00:00.000Z"));
        QCOMPARE(count(database, QStringLiteral("data_quality")), 3);
    }

    // Readings loaded before the derived datasets existed (no pending span)
    // are found, and computed in full.
    void dataFromBeforeIsComputedOnce()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QBuffer buffer;
        buffer.setData(entry(QStringLiteral("old"), QStringLiteral("2023-05-01T08:00:00"), 99));
        buffer.open(QIODevice::ReadOnly);
        QVERIFY(etl::FileLoader(database)
                        .load(&buffer, DataType::Entries, etl::LoadTarget { 9, 0, QStringLiteral("old"), {} })
                        .ok());
        const auto missing = [&database](qint64 userId) {
            const auto m = etl::derivedMissing(database, userId);
            return m.ok() ? QString::number(*m) : m.error().message;
        };
        QCOMPARE(missing(9), QStringLiteral("1"));
        QCOMPARE(missing(10), QStringLiteral("0")); // no readings
        const Status refreshed = etl::refreshParticipantAnalytics(database, 9);
        QVERIFY2(refreshed.ok(), refreshed.ok() ? "" : qPrintable(refreshed.error().message));
        QCOMPARE(missing(9), QStringLiteral("0"));
        QCOMPARE(summaries(database, 9)
                         .value(QStringLiteral("all 2023-05-01"))
                         .value(QStringLiteral("readings"))
                         .toInt(),
                 1);
    }

    // A consent change restamps the derived days too: a later refresh, which
    // stamps every row with the newest of the days', keeps the new scope.
    void consentChangeHoldsAfterNewData()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, 7, 2).ok()); // both
        const auto stamps = [&database] {
            return scalar(database,
                          QStringLiteral("SELECT COUNT(*) || ' ' || MIN(source_entity) || ' ' || MAX(source_entity) "
                                         "FROM participant_summary WHERE user_id = 7"));
        };
        QCOMPARE(stamps(), QStringLiteral("5 2 2"));
        QVERIFY(privacy::restampSourceEntity(database, 7, 0, {}).ok()); // openaps only from now on
        QCOMPARE(stamps(), QStringLiteral("5 0 0"));
        QVERIFY(load(database, 7, 0, DataType::Entries,
                     entry(QStringLiteral("n1"), QStringLiteral("2024-02-05T12:00:00"), 100))
                        .ok());
        QVERIFY(etl::refreshParticipantAnalytics(database, 7).ok());
        QCOMPARE(stamps(), QStringLiteral("5 0 0"));
        for (const char *table : { "analytics_glucose_time_of_day", "analytics_device_groups", "data_quality" })
            QCOMPARE(scalar(database,
                            QStringLiteral("SELECT COUNT(*) FROM %1 WHERE user_id = 7 AND source_entity <> 0")
                                    .arg(QLatin1String(table))),
                     QStringLiteral("0"));
        test::ExportHarness api(database);
        QVERIFY(api.isValid());
        const test::ApiReply nsf = api.get(QStringLiteral("/api/v1/export/participant_summary?format=ndjson"),
                                           test::tokens::nsf);
        QCOMPARE(nsf.status, 200);
        QVERIFY2(!nsf.body.contains("\"user_id\":7"), nsf.body.constData());
    }

    // A participant who withdraws (consent none) keeps nothing derived,
    // the per-day sums included.
    void withdrawalRemovesTheDerivedDays()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(loadFixture(database, 7, 0).ok());
        QVERIFY(loadFixture(database, 8, 0).ok());
        const QStringList other = derivedRows(database, 8);
        QVERIFY(derivedRows(database, 7).size() > 10);
        QVERIFY(privacy::removeParticipantData(database, 7, std::nullopt).ok());
        QCOMPARE(derivedRows(database, 7), QStringList());
        QCOMPARE(derivedRows(database, 8), other);
        // Shared again later: computed afresh, as from scratch.
        QVERIFY(loadFixture(database, 7, 0).ok());
        const auto [incremental, scratch] = incrementalAndFromScratch(database, 7);
        QCOMPARE(incremental, scratch);
        QCOMPARE(summaries(database, 7).size(), 5);
    }

    // Erasure removes the summaries; data shared again is computed afresh.
    void erasureRemovesAndReloadRecomputes()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        const privacy::ParticipantKeys keys(secretKey);
        const QString member = QStringLiteral("27182818");
        const qint64 userId = keys.pseudonym(member);
        QVERIFY(loadFixture(database, userId, 2).ok());
        QCOMPARE(summaries(database, userId).size(), 5);
        QVERIFY(site::eraseMember(database, keys, member).ok());
        QCOMPARE(summaries(database, userId).size(), 0);
        QCOMPARE(count(database, QStringLiteral("data_quality")), 0);
        QCOMPARE(count(database, QStringLiteral("derived_file_days")), 0);
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM derived_pending")), QStringLiteral("0"));
        // Shared again (as after the member confirmed): computed afresh.
        QVERIFY(loadFixture(database, userId, 2).ok());
        QCOMPARE(summaries(database, userId).size(), 5);
    }
};

QTEST_GUILESS_MAIN(TestDerived)
#include "tst_derived.moc"
