#include "../etl/etltestsupport.h"
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
        const auto openaps = importSurveyCsv(database, fixture("survey-openaps.csv"));
        QVERIFY2(openaps.ok(), openaps.ok() ? "" : qPrintable(openaps.error().message));
        QCOMPARE(openaps->rows, 3);
        QCOMPARE(openaps->written, 2);
        QCOMPARE(openaps->skipped, 1);
        QCOMPARE(openaps->problems, QStringList { QStringLiteral("row 4: no usable project member id") });
        const auto nightscout = importSurveyCsv(database, fixture("survey-nightscout.csv"));
        QVERIFY(nightscout.ok());
        QCOMPARE(nightscout->written, 1);

        auto value = [&database](const char *column, qint64 member) {
            return scalar(database,
                          QStringLiteral("SELECT %1 FROM member_demographics WHERE project_member_id = ?")
                                  .arg(QLatin1String(column)),
                          { member });
        };
        QCOMPARE(value("ts", 12345678), QStringLiteral("2019-07-29T15:44:55.000Z"));
        QCOMPARE(value("date_of_birth", 12345678), QStringLiteral("1980-03-14"));
        QCOMPARE(value("country", 12345678), QStringLiteral("the UK"));
        QCOMPARE(value("diy_closed_loop_type", 12345678), QStringLiteral("OpenAPS (oref0), AndroidAPS"));
        QCOMPARE(value("height", 12345678), QStringLiteral("5'7\""));
        QCOMPARE(value("survey", 12345678), QStringLiteral("openaps"));
        QCOMPARE(value("diy_closed_loop_type", 23456789), QStringLiteral("Loop\n(and sometimes OpenAPS)"));
        QCOMPARE(value("insulin_units_per_day", 23456789), QStringLiteral("25.5"));
        QCOMPARE(value("carb_grams_per_day", 23456789), QStringLiteral("120"));
        QCOMPARE(value("last_lab_reported_a1c", 23456789), QStringLiteral("6.8"));
        QCOMPARE(value("ethnicity", 23456789), QStringLiteral("NULL"));
        QCOMPARE(value("survey", 34567890), QStringLiteral("nightscout"));
        QCOMPARE(value("date_of_birth", 34567890), QStringLiteral("1975-01-01"));
        QCOMPARE(value("first_diagnosed_date", 34567890), QStringLiteral("2000-05-20"));
        QCOMPARE(value("who_uses_the_closed_loop_system", 34567890), QStringLiteral("Self"));

        // Importing the same sheets again stores nothing new.
        const QStringList before = snapshot(database, QStringLiteral("member_demographics"));
        const auto again = importSurveyCsv(database, fixture("survey-openaps.csv"));
        QVERIFY(again.ok());
        QCOMPARE(again->written, 0);
        QCOMPARE(again->unchanged, 2);
        QCOMPARE(snapshot(database, QStringLiteral("member_demographics")), before);
        // A corrected answer (same member and timestamp) replaces the old one.
        QByteArray edited = fixture("survey-openaps.csv");
        edited.replace("70 kg", "72 kg");
        QCOMPARE(importSurveyCsv(database, edited)->written, 1);
        QCOMPARE(value("weight", 12345678), QStringLiteral("72 kg"));
        QCOMPARE(count(database, QStringLiteral("member_demographics")), qint64(3));
    }

    void cleansForAnalytics()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        QVERIFY(importSurveyCsv(database, fixture("survey-openaps.csv")).ok());
        QVERIFY(importSurveyCsv(database, fixture("survey-nightscout.csv")).ok());
        QVERIFY(refreshDemographics(database, QDate(2024, 6, 1)).ok());
        auto row = [&database](qint64 member) {
            auto conn = database.connection();
            QSqlQuery q(*conn);
            q.prepare(QStringLiteral("SELECT country_corrected, height_cm, weight_kg, age_years, age_bracket, "
                                     "years_since_diagnosed, years_since_diagnosed_bracket, gender "
                                     "FROM analytics_demographics WHERE project_member_id = ?"));
            q.addBindValue(member);
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
                                    QUrl(base + QStringLiteral("missing.csv?secret=abc")) });
        QSignalSpy finished(&import, &DemographicsImport::finished);
        import.start();
        QVERIFY(finished.wait(20000));
        QCOMPARE(import.report().written, 3);
        QCOMPARE(import.errors().size(), 1);
        QVERIFY(import.errors().first().contains(QLatin1String("404")));
        QVERIFY(!import.errors().first().contains(QLatin1String("secret")));
        QCOMPARE(count(database, QStringLiteral("analytics_demographics")), qint64(3));
    }
};

QTEST_GUILESS_MAIN(TestDemographics)
#include "tst_demographics.moc"
