// Small-cell suppression of the cohort views (issue 13): cells under k
// participants withheld, and never one withheld cell alone in a group whose
// total is known (it would be the total minus the others).

#include "api/cohort/suppression.h"

#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace openaps::api;

namespace {

CohortGroup group(const QList<qint64> &counts, bool partition = true)
{
    CohortGroup g;
    g.name = QStringLiteral("test");
    g.partition = partition;
    for (int i = 0; i < counts.size(); ++i)
        g.cells.append({ QStringLiteral("c%1").arg(i), counts[i], double(counts[i]) * 1.5, {} });
    return g;
}

QList<bool> suppressedFlags(const CohortGroup &g)
{
    QList<bool> out;
    for (const CohortCell &c : g.cells)
        out.append(c.suppressed);
    return out;
}

} // namespace

class TestCohortSuppression final : public QObject
{
    Q_OBJECT

private slots:
    void aCohortOfThreeShowsNoCell()
    {
        CohortGroup g = group({ 1, 2, 0 });
        suppressSmallCells(g, 5);
        QCOMPARE(suppressedFlags(g), (QList<bool> { true, true, true }));
        QVERIFY(totalSuppressed(g, 5));
    }

    void oneSmallCellTakesTheNextSmallestWithIt()
    {
        CohortGroup g = group({ 10, 8, 2, 30 });
        suppressSmallCells(g, 5);
        QCOMPARE(suppressedFlags(g), (QList<bool> { false, true, true, false }));
        QVERIFY(!totalSuppressed(g, 5));
    }

    void twoSmallCellsAreEnough()
    {
        CohortGroup g = group({ 10, 3, 2, 8 });
        suppressSmallCells(g, 5);
        QCOMPARE(suppressedFlags(g), (QList<bool> { false, true, true, false }));
    }

    void nothingSmallNothingWithheld()
    {
        CohortGroup g = group({ 5, 6, 7 });
        suppressSmallCells(g, 5);
        QCOMPARE(suppressedFlags(g), (QList<bool> { false, false, false }));
    }

    void overlappingCellsOnlyWithholdTheSmallOnes()
    {
        // Device groups: a participant may use several; no cell follows from a total.
        CohortGroup g = group({ 10, 2, 7 }, false);
        suppressSmallCells(g, 5);
        QCOMPARE(suppressedFlags(g), (QList<bool> { false, true, false }));
    }

    void noSuppressedCellCanBeDerived()
    {
        // Any partition, any k: every cell under k is withheld, and a group
        // never has exactly one withheld cell (total minus the others).
        QRandomGenerator random(20261202);
        for (int round = 0; round < 2000; ++round) {
            QList<qint64> counts;
            const int cells = 1 + int(random.bounded(7));
            for (int i = 0; i < cells; ++i)
                counts.append(random.bounded(12));
            const int k = 1 + int(random.bounded(8));
            CohortGroup g = group(counts);
            suppressSmallCells(g, k);
            int withheld = 0;
            for (const CohortCell &c : g.cells) {
                if (c.participants < k)
                    QVERIFY2(c.suppressed,
                             qPrintable(QStringLiteral("round %1: a cell of %2 < %3 is shown")
                                                .arg(round)
                                                .arg(c.participants)
                                                .arg(k)));
                withheld += c.suppressed ? 1 : 0;
            }
            QVERIFY2(
                    withheld != 1 || g.cells.size() == 1,
                    qPrintable(QStringLiteral("round %1: one withheld cell can be derived from the total").arg(round)));
        }
    }

    void withheldCellsAreNullNeverZero()
    {
        CohortGroup g = group({ 9, 1, 6 });
        suppressSmallCells(g, 5);
        const QJsonArray cells = cellsJson(g, true);
        QCOMPARE(cells.size(), 3);
        const QJsonObject shown = cells[0].toObject();
        QCOMPARE(shown.value(u"participants").toDouble(), 9.0);
        QCOMPARE(shown.value(u"value").toDouble(), 13.5);
        QCOMPARE(shown.value(u"suppressed").toBool(), false);
        for (int i : { 1, 2 }) {
            const QJsonObject hidden = cells[i].toObject();
            QVERIFY(hidden.value(u"participants").isNull());
            QVERIFY(hidden.value(u"value").isNull());
            QCOMPARE(hidden.value(u"suppressed").toBool(), true);
        }
        QVERIFY(!cellsJson(g, false)[0].toObject().contains(u"value"));
    }
};

QTEST_GUILESS_MAIN(TestCohortSuppression)
#include "tst_cohortsuppression.moc"
