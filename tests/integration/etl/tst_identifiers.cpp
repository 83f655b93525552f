// No identifiers in research data (issue 11, "What it must show"): Nightscout
// documents full of identifiers (names, emails, phone numbers, serials, URLs,
// Open Humans member ids, full birth dates) in every free-text and device
// field, in a legacy whole-history file and in monthly segments, go through
// the real ETL; a survey answer with a full birth date through the survey
// import. Then every dataset the researcher API lists is downloaded in CSV
// and NDJSON, and no identifier is in any byte of any download, on SQLite
// and PostgreSQL. Rows stored before the ETL scrubbed (an older database)
// are scrubbed in place by the `migrate` step with the same result.

#include "../api/exportharness.h"
#include "etl/scrubrows.h"
#include "etlworld.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>

using namespace openaps;
using namespace openaps::test::etl;

namespace {

const char *const types[] = { "profile", "entries", "treatments", "devicestatus" };

QByteArray identifierFixture(const char *type, const QString &member)
{
    return fixture(qPrintable(QStringLiteral("identifiers-%1.ndjson").arg(QLatin1String(type))))
            .replace("@MEMBER@", member.toUtf8());
}

// Every identifier the fixtures hold, in lower case (checked without case).
QStringList identifiers(const QString &member)
{
    return { QStringLiteral("zebulon"),      QStringLiteral("quargh"),
             QStringLiteral("zq.private"),   QStringLiteral("example.org"),
             QStringLiteral("7700 900461"),  QStringLiteral("7700900461"),
             QStringLiteral("sn99x41277"),   QStringLiteral("ps77310452"),
             QStringLiteral("zq-loop"),      QStringLiteral("example.net"),
             QStringLiteral("a1b2c3d4e5f6"), QStringLiteral("1980-03-14"),
             QStringLiteral("3/14/1980"),    QStringLiteral("14.03.1980"),
             QStringLiteral("03/14/1980"),   member };
}

// Survey answers of `member` (the OpenAPS layout): one as the form's
// choices give it with a full birth date, two with identifiers typed into
// every free-text answer.
QByteArray survey(const QString &member)
{
    return fixture("survey-identifiers.csv").replace("@MEMBER@", member.toUtf8());
}

// "table: identifier" for each identifier in any value of the survey's and
// the analytics tables, as stored (researchers and BI tools read them).
QStringList storedLeaks(const db::Database &database, const QStringList &secrets)
{
    auto conn = database.connection();
    QSqlQuery tables(*conn);
    if (!tables.exec(database.isPostgres()
                             ? QStringLiteral("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                              "current_schema() AND (table_name LIKE 'analytics%' OR table_name = "
                                              "'member_demographics')")
                             : QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                              "(name LIKE 'analytics%' OR name = 'member_demographics')")))
        return { tables.lastError().text() };
    QStringList names;
    while (tables.next())
        names << tables.value(0).toString();
    QStringList found;
    for (const QString &table : std::as_const(names)) {
        QSqlQuery rows(*conn);
        if (!rows.exec(QStringLiteral("SELECT * FROM ") + table))
            return { rows.lastError().text() };
        while (rows.next()) {
            for (int i = 0; i < rows.record().count(); ++i) {
                const QString value = rows.value(i).toString().toLower();
                for (const QString &secret : secrets) {
                    if (value.contains(secret))
                        found << table + QLatin1String(": ") + secret;
                }
            }
        }
    }
    if (names.size() < 3)
        found << QStringLiteral("only %1 tables checked").arg(names.size());
    return found;
}

// Downloads every dataset the API lists in both formats; "dataset.format:
// identifier" for each identifier found, and the data rows per dataset.
QStringList leaks(test::ExportHarness &api, const QStringList &secrets, QMap<QString, int> *rows)
{
    const test::ApiReply listing = api.get(QStringLiteral("/api/v1/datasets"));
    if (listing.status != 200)
        return { QStringLiteral("GET /api/v1/datasets: %1").arg(listing.status) };
    QStringList found;
    const QJsonArray datasets = listing.json().value(QStringLiteral("datasets")).toArray();
    for (const QJsonValue &d : datasets) {
        const QString name = d.toObject().value(QStringLiteral("name")).toString();
        for (const char *format : { "csv", "ndjson" }) {
            const test::ApiReply reply = api.get(
                    QStringLiteral("/api/v1/export/%1?format=%2").arg(name, QLatin1String(format)));
            if (reply.status != 200) {
                found << QStringLiteral("%1.%2: status %3").arg(name, QLatin1String(format)).arg(reply.status);
                continue;
            }
            const QString body = QString::fromUtf8(reply.body).toLower();
            for (const QString &secret : secrets) {
                if (body.contains(secret))
                    found << QStringLiteral("%1.%2: %3").arg(name, QLatin1String(format), secret);
            }
            if (qstrcmp(format, "ndjson") == 0)
                (*rows)[name] = int(reply.body.count('\n'));
        }
    }
    return found;
}

QString text(const db::Database &database, const char *sql, const QString &id)
{
    return scalar(database, QLatin1String(sql), { id });
}

} // namespace

class TestIdentifiers : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    void etlKeepsNoIdentifiers()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        for (const char *type : types) {
            const QByteArray data = identifierFixture(type, w.member);
            // The old system's whole-history file, and this system's monthly
            // segments (other document ids and, for entries, times, so both are loaded).
            w.addFile(QStringLiteral("1706832000000_%1_%2.json").arg(w.member, QLatin1String(type)), data);
            w.addFile(QStringLiteral("%1_%2_2024-02.ndjson.gz").arg(w.member, QLatin1String(type)),
                      gzipped(QByteArray(data)
                                      .replace("\"_id\":\"idf-", "\"_id\":\"seg-idf-")
                                      .replace("\"date\":17067", "\"date\":17068")));
        }
        w.setConsent("both");
        SurveySite sheet(survey(w.member));
        QVERIFY(sheet.port);
        QCOMPARE(w.runOnce([&sheet](etl::EtlService::Options &o) { o.demographicsUrls = { sheet.url() }; }).succeeded,
                 1);
        QCOMPARE(w.userCount("treatments"), qint64(10));
        QCOMPARE(w.userCount("entries"), qint64(6));
        QCOMPARE(w.userCount("member_demographics"), qint64(3));
        QCOMPARE(w.userCount("analytics_demographics"), qint64(3));

        // The treatments chosen (README, "What researchers receive").
        QCOMPARE(text(database, "SELECT device FROM entries WHERE id = ?", QStringLiteral("idf-e1")),
                 QStringLiteral("xdrip"));
        QCOMPARE(text(database, "SELECT device FROM entries WHERE id = ?", QStringLiteral("seg-idf-e3")),
                 QStringLiteral("loop"));
        QCOMPARE(text(database, "SELECT entered_by FROM treatments WHERE id = ?", QStringLiteral("idf-t2")),
                 QStringLiteral("openaps"));
        QCOMPARE(text(database, "SELECT entered_by FROM treatments WHERE id = ?", QStringLiteral("idf-t1")),
                 QStringLiteral("other"));
        QCOMPARE(text(database, "SELECT reason FROM treatments WHERE id = ?", QStringLiteral("idf-t5")),
                 QStringLiteral("Eating Soon"));
        QCOMPARE(text(database, "SELECT reason FROM treatments WHERE id = ?", QStringLiteral("idf-t4")),
                 QStringLiteral("other"));
        QCOMPARE(
                text(database, "SELECT COALESCE(notes, 'null') FROM treatments WHERE id = ?", QStringLiteral("idf-t1")),
                QStringLiteral("null"));
        QCOMPARE(text(database, "SELECT COALESCE(pump_id, 'null') FROM device_status WHERE id = ?",
                      QStringLiteral("idf-d1")),
                 QStringLiteral("null"));
        QCOMPARE(text(database, "SELECT loop_failure_reason FROM device_status WHERE id = ?", QStringLiteral("idf-d3")),
                 QStringLiteral("LoopError.pumpDataTooOld"));
        QCOMPARE(text(database, "SELECT default_profile FROM profile WHERE id = ?", QStringLiteral("idf-p1")),
                 w.keys.profileName(QStringLiteral("Zebulon Quargh")));

        // Typed survey answers keep the forms' choices, or Other (survey/answerscrub.h).
        QCOMPARE(scalar(database,
                        QStringLiteral(
                                "SELECT gender || '|' || ethnicity || '|' || country || '|' || "
                                "diy_closed_loop_type || '|' || who_uses_the_closed_loop_system || '|' || "
                                "COALESCE(weight, 'null') || '|' || COALESCE(height, 'null') FROM member_demographics "
                                "ORDER BY ts LIMIT 1 OFFSET 1")), // the answer of 2 August
                 QStringLiteral("Other|White, Other|Other|Other, Loop|Child|null|null"));
        QCOMPARE(storedLeaks(database, identifiers(w.member)), QStringList());

        test::ExportHarness api(database);
        QVERIFY(api.isValid());
        QMap<QString, int> rows;
        QCOMPARE(leaks(api, identifiers(w.member), &rows), QStringList());
        for (const char *dataset :
             { "entries", "treatments", "device_status", "device_status_metrics", "profile", "member_demographics" })
            QVERIFY2(rows.value(QLatin1String(dataset)) > 0, dataset);
    }

    // Rows of a database from before the ETL scrubbed: identifiers in the
    // typed columns and raw_json, until `migrate` scrubs them in place.
    void storedRowsScrubbedInPlace()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        World w(database);
        test::ExportHarness api(database);
        QVERIFY(api.isValid());
        const qint64 user = w.keys.pseudonym(w.member);
        const QString typed = QStringLiteral("Zebulon Quargh zq.private@example.org +44 7700 900461 SN99X41277");
        const QString at = QStringLiteral("2024-02-01T00:00:00.000Z");
        int n = 0;
        for (const char *type : types) {
            const QList<QByteArray> lines = identifierFixture(type, w.member).split('\n');
            for (const QByteArray &line : lines) {
                if (line.isEmpty())
                    continue;
                const QString id = QStringLiteral("old-%1").arg(++n);
                QVariantMap row { { QStringLiteral("user_id"), user },
                                  { QStringLiteral("id"), id },
                                  { QStringLiteral("source_entity"), 2 },
                                  { QStringLiteral("raw_json"), QString::fromUtf8(line) } };
                QString table;
                if (qstrcmp(type, "entries") == 0) {
                    table = QStringLiteral("entries");
                    row.insert(QStringLiteral("date"), at);
                    row.insert(QStringLiteral("device"), typed);
                } else if (qstrcmp(type, "treatments") == 0) {
                    table = QStringLiteral("treatments");
                    for (const char *c : { "entered_by", "notes", "reason", "food_type" })
                        row.insert(QLatin1String(c), typed);
                    row.insert(QStringLiteral("created_at"), at);
                } else if (qstrcmp(type, "devicestatus") == 0) {
                    table = QStringLiteral("device_status");
                    for (const char *c : { "device", "pump_id", "loop_failure_reason" })
                        row.insert(QLatin1String(c), typed);
                    row.insert(QStringLiteral("created_at"), at);
                } else {
                    table = QStringLiteral("profile");
                    row.insert(QStringLiteral("default_profile"), typed);
                    row.insert(QStringLiteral("created_at"), at);
                }
                QVERIFY(api.insert(table, row));
            }
        }
        QVERIFY(api.insert(QStringLiteral("analytics_device_groups"),
                           { { QStringLiteral("user_id"), user },
                             { QStringLiteral("device"), typed },
                             { QStringLiteral("device_group"), typed },
                             { QStringLiteral("entries"), 3 } }));
        // As an older version left it: the rewrite not yet made.
        scalar(database, QStringLiteral("DELETE FROM data_rewrites"));
        QCOMPARE(*etl::rewritePending(database, etl::scrubRewrite), true);
        QMap<QString, int> rows;
        QVERIFY(!leaks(api, identifiers(w.member), &rows).isEmpty()); // the test sees them

        auto scrubbed = etl::scrubStoredRows(database, w.keys);
        QVERIFY2(scrubbed.ok(), scrubbed.ok() ? "" : qPrintable(scrubbed.error().message));
        QCOMPARE(*scrubbed, qint64(n));
        QCOMPARE(*etl::rewritePending(database, etl::scrubRewrite), false);
        QCOMPARE(leaks(api, identifiers(w.member), &rows), QStringList());
        QCOMPARE(scalar(database, QStringLiteral("SELECT COUNT(*) FROM analytics_device_groups WHERE device LIKE ?"),
                        { QStringLiteral("%Quargh%") }),
                 QStringLiteral("0"));
        // Scrubbing again changes nothing.
        QCOMPARE(*etl::scrubStoredRows(database, w.keys), qint64(0));

        // A survey answer stored as typed, before typed answers were scrubbed.
        QVERIFY(api.insert(QStringLiteral("member_demographics"),
                           { { QStringLiteral("user_id"), user },
                             { QStringLiteral("ts"), QStringLiteral("2019-08-02T10:00:00.000Z") },
                             { QStringLiteral("survey"), QStringLiteral("openaps") },
                             { QStringLiteral("gender"), typed },
                             { QStringLiteral("ethnicity"), typed },
                             { QStringLiteral("country"), typed },
                             { QStringLiteral("diy_closed_loop_type"), typed },
                             { QStringLiteral("who_uses_the_closed_loop_system"), typed },
                             { QStringLiteral("weight"), typed },
                             { QStringLiteral("height"), QStringLiteral("1.80 m") } }));
        scalar(database, QStringLiteral("DELETE FROM data_rewrites WHERE name = 'scrub-survey-answers'"));
        QVERIFY(!storedLeaks(database, identifiers(w.member)).isEmpty());
        QCOMPARE(*etl::rewritePending(database, etl::surveyScrubRewrite), true);
        QCOMPARE(*etl::scrubStoredSurveyAnswers(database, w.keys), qint64(1));
        QCOMPARE(*etl::rewritePending(database, etl::surveyScrubRewrite), false);
        QCOMPARE(storedLeaks(database, identifiers(w.member)), QStringList());
        QCOMPARE(leaks(api, identifiers(w.member), &rows), QStringList());
        QCOMPARE(scalar(database,
                        QStringLiteral("SELECT gender || '|' || COALESCE(weight, 'null') || '|' || height "
                                       "FROM member_demographics")),
                 QStringLiteral("Other|null|1.80 m"));
        QCOMPARE(*etl::scrubStoredSurveyAnswers(database, w.keys), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestIdentifiers)
#include "tst_identifiers.moc"
