#include "../etl/etltestsupport.h"
#include "privacy/participantkeys.h"
#include "privacy/tombstones.h"
#include "survey/demographics.h"
#include "survey/demographicstable.h"

#include <QHttpServer>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QSignalSpy>

using namespace openaps;
using namespace openaps::survey;
using namespace openaps::test::etl;

namespace {

QByteArray fixture(const char *name)
{
    QFile f(fixturePath(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", name);
    return f.readAll();
}

const privacy::ParticipantKeys keys(QByteArrayLiteral("survey-test-secret-key-0123456789abcdef"));

qint64 pseudonym(qint64 member)
{
    return keys.pseudonym(QString::number(member));
}

// Members with an account here (only their answers are kept), with the
// consent the site saved.
void join(const db::Database &database, qint64 member, const char *consent = "both")
{
    auto conn = database.connection();
    QSqlQuery q(*conn);
    q.prepare(QStringLiteral("INSERT INTO participants (member_id, sharing_consent) VALUES (?, ?)"));
    q.addBindValue(QString::number(member));
    q.addBindValue(QString::fromLatin1(consent));
    if (!q.exec())
        qFatal("%s", qPrintable(q.lastError().text()));
}

void joinAll(const db::Database &database)
{
    for (const qint64 member : { 12345678, 23456789, 34567890 })
        join(database, member);
}

} // namespace

class TestDemographics : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { quietLogs(); }

    void importsBothSurveyLayouts()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        joinAll(database);
        const auto openaps = importSurveyCsv(database, keys, fixture("survey-openaps.csv"));
        QVERIFY2(openaps.ok(), openaps.ok() ? "" : qPrintable(openaps.error().message));
        QCOMPARE(openaps->rows, 3);
        QCOMPARE(openaps->written, 2);
        QCOMPARE(openaps->skipped, 1);
        QCOMPARE(openaps->problems, QStringList { QStringLiteral("row 4: no usable project member id") });
        const auto nightscout = importSurveyCsv(database, keys, fixture("survey-nightscout.csv"));
        QVERIFY(nightscout.ok());
        QCOMPARE(nightscout->written, 1);

        auto value = [&database](const char *column, qint64 member) {
            return scalar(
                    database,
                    QStringLiteral("SELECT %1 FROM member_demographics WHERE user_id = ?").arg(QLatin1String(column)),
                    { pseudonym(member) });
        };
        QCOMPARE(value("ts", 12345678), QStringLiteral("2019-07-29T15:44:55.000Z"));
        QCOMPARE(value("birth_year", 12345678), QStringLiteral("1980")); // the year only
        QCOMPARE(value("country", 12345678), QStringLiteral("United Kingdom")); // as a choice (answerscrub.h)
        QCOMPARE(value("diy_closed_loop_type", 12345678), QStringLiteral("OpenAPS, AndroidAPS"));
        QCOMPARE(value("height", 12345678), QStringLiteral("5'7\""));
        QCOMPARE(value("survey", 12345678), QStringLiteral("openaps"));
        QCOMPARE(value("diy_closed_loop_type", 23456789), QStringLiteral("Loop, OpenAPS"));
        QCOMPARE(value("insulin_units_per_day", 23456789), QStringLiteral("25.5"));
        QCOMPARE(value("carb_grams_per_day", 23456789), QStringLiteral("120"));
        QCOMPARE(value("last_lab_reported_a1c", 23456789), QStringLiteral("6.8"));
        QCOMPARE(value("ethnicity", 23456789), QStringLiteral("NULL"));
        QCOMPARE(value("survey", 34567890), QStringLiteral("nightscout"));
        QCOMPARE(value("birth_year", 34567890), QStringLiteral("1975"));
        QCOMPARE(value("diagnosis_year", 34567890), QStringLiteral("2000"));
        QCOMPARE(value("who_uses_the_closed_loop_system", 34567890), QStringLiteral("Self"));

        // Importing the same sheets again stores nothing new.
        const QStringList before = snapshot(database, QStringLiteral("member_demographics"));
        const auto again = importSurveyCsv(database, keys, fixture("survey-openaps.csv"));
        QVERIFY(again.ok());
        QCOMPARE(again->written, 0);
        QCOMPARE(again->unchanged, 2);
        QCOMPARE(snapshot(database, QStringLiteral("member_demographics")), before);
        // A corrected answer (same member and timestamp) replaces the old one.
        QByteArray edited = fixture("survey-openaps.csv");
        edited.replace("70 kg", "72 kg");
        QCOMPARE(importSurveyCsv(database, keys, edited)->written, 1);
        QCOMPARE(value("weight", 12345678), QStringLiteral("72 kg"));
        QCOMPARE(count(database, QStringLiteral("member_demographics")), qint64(3));
    }

    void cleansForAnalytics()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        joinAll(database);
        QVERIFY(importSurveyCsv(database, keys, fixture("survey-openaps.csv")).ok());
        QVERIFY(importSurveyCsv(database, keys, fixture("survey-nightscout.csv")).ok());
        QVERIFY(refreshDemographics(database, keys, QDate(2024, 6, 1)).ok());
        auto row = [&database](qint64 member) {
            auto conn = database.connection();
            QSqlQuery q(*conn);
            q.prepare(QStringLiteral("SELECT country_corrected, height_cm, weight_kg, age_years, age_bracket, "
                                     "years_since_diagnosed, years_since_diagnosed_bracket, gender "
                                     "FROM analytics_demographics WHERE user_id = ?"));
            q.addBindValue(pseudonym(member));
            QStringList values;
            if (q.exec() && q.next()) {
                for (int i = 0; i < 8; ++i)
                    values << asText(q.value(i));
            }
            return values.join(QLatin1Char('|'));
        };
        QCOMPARE(row(12345678), QStringLiteral("United Kingdom|170.2|70|44|31-45|29|20+|Female"));
        QCOMPARE(row(23456789), QStringLiteral("United States of America|147.3|39.9|16|16-20|9|06-10|Male"));
        QCOMPARE(row(34567890), QStringLiteral("Spain|180|69.9|49|46-60|24|20+|Non-binary"));
        QCOMPARE(count(database, QStringLiteral("analytics_demographics")), qint64(3));
    }

    // The configured URLs are fetched over HTTP (a published spreadsheet),
    // both layouts imported, the cleaned table rebuilt; a failing URL is
    // reported without its address.
    void fetchesConfiguredUrls()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        joinAll(database);
        QHttpServer server;
        server.route(QStringLiteral("/openaps.csv"), [] { return fixture("survey-openaps.csv"); });
        server.route(QStringLiteral("/nightscout.csv"), [] { return fixture("survey-nightscout.csv"); });
        const quint16 port = server.listen(QHostAddress::LocalHost, 0);
        QVERIFY(port);
        const QString base = QStringLiteral("http://127.0.0.1:%1/").arg(port);
        QNetworkAccessManager nam;
        DemographicsImport import(database, &nam,
                                  { QUrl(base + QStringLiteral("openaps.csv")),
                                    QUrl(base + QStringLiteral("nightscout.csv")),
                                    QUrl(base + QStringLiteral("missing.csv?secret=abc")) },
                                  keys);
        QSignalSpy finished(&import, &DemographicsImport::finished);
        import.start();
        QVERIFY(finished.wait(20000));
        QCOMPARE(import.report().written, 3);
        QCOMPARE(import.errors().size(), 1);
        QVERIFY(import.errors().first().contains(QLatin1String("404")));
        QVERIFY(!import.errors().first().contains(QLatin1String("secret")));
        QCOMPARE(count(database, QStringLiteral("analytics_demographics")), qint64(3));
    }

    // Answers are kept only for members who share: people who never joined,
    // whose consent is "none", or who were erased leave nothing, and answers
    // kept earlier go when a member withdraws. No member id is stored.
    void keepsOnlyMembersWhoShare()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        join(database, 12345678);
        join(database, 34567890, "none");
        // 23456789 never joined; 99999999 was erased.
        auto conn = database.connection();
        QVERIFY(privacy::addTombstone(*conn, keys.tombstone(QStringLiteral("99999999"))).ok());
        join(database, 99999999);
        const QByteArray openaps = fixture("survey-openaps.csv") + "8/1/2019 10:00:00,99999999,1/1/1990,Male\n";
        const auto first = importSurveyCsv(database, keys, openaps);
        QVERIFY(first.ok());
        QCOMPARE(first->written, 1);
        QCOMPARE(first->notSharing, 2); // 23456789, and the erased 99999999
        const auto second = importSurveyCsv(database, keys, fixture("survey-nightscout.csv"));
        QVERIFY(second.ok());
        QCOMPARE(second->notSharing, 1); // 34567890 withdrew
        QCOMPARE(count(database, QStringLiteral("member_demographics")), qint64(1));
        QCOMPARE(scalar(database, QStringLiteral("SELECT user_id FROM member_demographics")),
                 QString::number(pseudonym(12345678)));
        QVERIFY(refreshDemographics(database, keys, QDate(2024, 6, 1)).ok());
        QCOMPARE(count(database, QStringLiteral("analytics_demographics")), qint64(1));

        // 12345678 withdraws: the next import removes what was kept, and the
        // rebuilt analytics table follows.
        QSqlQuery q(*conn);
        QVERIFY(q.exec(QStringLiteral("UPDATE participants SET sharing_consent = 'none'")));
        const auto third = importSurveyCsv(database, keys, fixture("survey-openaps.csv"));
        QVERIFY(third.ok());
        QCOMPARE(third->removed, 1);
        QVERIFY(refreshDemographics(database, keys, QDate(2024, 6, 1)).ok());
        QCOMPARE(count(database, QStringLiteral("member_demographics")), qint64(0));
        QCOMPARE(count(database, QStringLiteral("analytics_demographics")), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestDemographics)
#include "tst_demographics.moc"
