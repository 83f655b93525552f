#include "survey/demographicscleaning.h"

#include <QTest>

using namespace openaps::survey;

// The survey answer cleaning (the CSV reader: tests/unit/foundation/tst_csv.cpp).
class TestDemographicsCleaning : public QObject
{
    Q_OBJECT

private slots:
    void normalisesCountries_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<QString>("country");
        QTest::addRow("the UK") << "the UK"
                                << "United Kingdom";
        QTest::addRow("U.S.A.") << "U.S.A."
                                << "United States of America";
        QTest::addRow("usa spaced") << "  usa "
                                    << "United States of America";
        QTest::addRow("United States") << "United States"
                                       << "United States of America";
        QTest::addRow("España") << QString::fromUtf8("España") << "Spain";
        QTest::addRow("italia") << "italia"
                                << "Italy";
        QTest::addRow("other, capitalised") << "new zealand"
                                            << "New Zealand";
        QTest::addRow("bosnia") << "bosnia and herzegovina"
                                << "Bosnia and Herzegovina";
        QTest::addRow("empty") << ""
                               << "Not Available";
    }
    void normalisesCountries()
    {
        QFETCH(QString, raw);
        QFETCH(QString, country);
        QCOMPARE(normaliseCountry(raw), country);
    }

    void readsHeights_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<double>("cm"); // -1: null
        QTest::addRow("feet inches quote") << "5'8\"" << 172.7;
        QTest::addRow("feet space inches") << "5' 8" << 172.7;
        QTest::addRow("ft in words") << "5 ft 8 in" << 172.7;
        QTest::addRow("feet only") << "6'" << 182.9;
        QTest::addRow("acute accent") << QString::fromUtf8("5´8") << 172.7;
        QTest::addRow("cm") << "172 cm" << 172.0;
        QTest::addRow("plain cm") << "172" << 172.0;
        QTest::addRow("metres") << "1.72 m" << 172.0;
        QTest::addRow("metres comma") << "1,72" << 172.0;
        QTest::addRow("inches") << "68 in" << 172.7;
        QTest::addRow("plain inches") << "68" << 172.7;
        QTest::addRow("nonsense") << "tall" << -1.0;
        QTest::addRow("out of range") << "900 cm" << -1.0;
    }
    void readsHeights()
    {
        QFETCH(QString, raw);
        QFETCH(double, cm);
        const auto h = heightCm(raw);
        QCOMPARE(h.value_or(-1), cm);
    }

    void readsWeights_data()
    {
        QTest::addColumn<QString>("raw");
        QTest::addColumn<bool>("pounds");
        QTest::addColumn<double>("kg");
        QTest::addRow("kg") << "70 kg" << true << 70.0;
        QTest::addRow("lbs") << "154 lbs" << false << 69.9;
        QTest::addRow("pounds word") << "154 pounds" << false << 69.9;
        QTest::addRow("stone") << "11 st" << false << 69.9;
        QTest::addRow("plain, US") << "154" << true << 69.9;
        QTest::addRow("plain, elsewhere") << "70" << false << 70.0;
        QTest::addRow("decimal comma") << "70,5kg" << false << 70.5;
        QTest::addRow("words") << "prefer not to say" << false << -1.0;
    }
    void readsWeights()
    {
        QFETCH(QString, raw);
        QFETCH(bool, pounds);
        QFETCH(double, kg);
        QCOMPARE(weightKg(raw, pounds).value_or(-1), kg);
    }

    void bracketsAges()
    {
        const QDate today(2024, 6, 1);
        QCOMPARE(fullYears(QDate(1980, 6, 1), today).value(), 44);
        QCOMPARE(fullYears(QDate(1980, 6, 2), today).value(), 43);
        QVERIFY(!fullYears(QDate(2030, 1, 1), today));
        QVERIFY(!fullYears(QDate(), today));
        QCOMPARE(ageBracket(5), QStringLiteral("00-05"));
        QCOMPARE(ageBracket(6), QStringLiteral("06-10"));
        QCOMPARE(ageBracket(45), QStringLiteral("31-45"));
        QCOMPARE(ageBracket(61), QStringLiteral("60+"));
        QCOMPARE(diagnosedBracket(2), QStringLiteral("00-02"));
        QCOMPARE(diagnosedBracket(3), QStringLiteral("03-05"));
        QCOMPARE(diagnosedBracket(21), QStringLiteral("20+"));
        const CleanDemographics c = cleanDemographics(QString(), QStringLiteral("usa"), QStringLiteral("5'7\""),
                                                      QStringLiteral("154"), QDate(1980, 3, 14), QDate(1995, 6, 1),
                                                      today);
        QCOMPARE(c.gender, QStringLiteral("Not Available"));
        QCOMPARE(c.weightKg.value(), 69.9); // a plain number in the USA is pounds
        QCOMPARE(c.ageBracket, QStringLiteral("31-45"));
        QCOMPARE(c.diagnosedBracket, QStringLiteral("20+"));
    }
};

QTEST_GUILESS_MAIN(TestDemographicsCleaning)
#include "tst_demographicscleaning.moc"
