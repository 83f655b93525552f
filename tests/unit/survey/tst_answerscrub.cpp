// What member_demographics keeps of typed survey answers (issue 11, "No
// identifiers in research data"): the forms' choices, named in any words,
// or Other; measurements only as numbers with units.

#include "survey/answerscrub.h"

#include <QTest>

using namespace openaps::survey;

class TestAnswerScrub : public QObject
{
    Q_OBJECT

private slots:
    void answers_data()
    {
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QString>("kept");
        const auto row = [](const char *name, const char *column, const char *typed, const char *kept) {
            QTest::addRow("%s", name) << QString::fromLatin1(column) << QString::fromUtf8(typed)
                                      << QString::fromUtf8(kept);
        };
        row("gender choice", "gender", "Female", "Female");
        row("gender letter", "gender", " m ", "Male");
        row("gender words", "gender", "I'm a woman", "Female");
        row("gender non-binary", "gender", "Non-binary", "Non-binary");
        row("gender other typed", "gender", "Other: Zebulon Quargh zq.private@example.org", "Other");
        row("gender empty", "gender", "  ", "");
        row("ethnicity several", "ethnicity", "White, Hispanic", "White, Hispanic");
        row("ethnicity american indian", "ethnicity", "American Indian", "Native American");
        row("ethnicity typed", "ethnicity", "Caucasian; ask Zebulon at +44 7700 900461", "White, Other");
        row("country alias", "country", "the UK", "United Kingdom");
        row("country native name", "country", "España", "Spain");
        row("country usa", "country", "U.S.A.", "United States of America");
        row("country Qt's name", "country", "new zealand", "New Zealand");
        row("country typed", "country", "Zebulon Quargh's farm", "Other");
        row("loop form", "loop", "OpenAPS (oref0), AndroidAPS", "OpenAPS, AndroidAPS");
        row("loop words", "loop", "Loop\n(and sometimes OpenAPS)", "Loop, OpenAPS");
        row("loop other typed", "loop", "Other: rig SN99X41277 from https://zq-loop.example.net", "Other, Loop");
        row("loop repeated", "loop", "Trio and trio", "Trio");
        row("relation self", "relation", "I have diabetes", "Self");
        row("relation child", "relation", "My child has diabetes", "Child");
        row("relation typed", "relation", "My son Zebulon (zq.private@example.org)", "Child");
        row("relation other", "relation", "Zebulon Quargh", "Other");
        row("weight kg", "measure", "70 kg", "70 kg");
        row("height feet", "measure", "5'7\"", "5'7\"");
        row("height feet space", "measure", "4' 10", "4' 10");
        row("weight stones", "measure", "11 st 4 lb", "11 st 4 lb");
        row("height metres", "measure", "1.80 m", "1.80 m");
        row("plain number", "measure", "88", "88");
        row("phone number", "measure", "+44 7700 900461", "");
        row("long number", "measure", "7700900461", "");
        row("measure with words", "measure", "70 kg, call Zebulon", "");
    }

    void answers()
    {
        QFETCH(QString, column);
        QFETCH(QString, typed);
        QFETCH(QString, kept);
        QString got;
        if (column == QLatin1String("gender"))
            got = genderAnswer(typed);
        else if (column == QLatin1String("ethnicity"))
            got = ethnicityAnswer(typed);
        else if (column == QLatin1String("country"))
            got = countryAnswer(typed);
        else if (column == QLatin1String("loop"))
            got = loopSystemsAnswer(typed);
        else if (column == QLatin1String("relation"))
            got = relationshipAnswer(typed);
        else
            got = measurementAnswer(typed);
        QCOMPARE(got, kept);
    }
};

QTEST_GUILESS_MAIN(TestAnswerScrub)
#include "tst_answerscrub.moc"
