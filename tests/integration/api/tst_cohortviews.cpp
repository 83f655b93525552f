// Cohort views over a real database (SQLite and PostgreSQL): hand-counted
// values on a small fixture, the researcher's scope, and small cells withheld.

#include "api/cohort/cohortviews.h"
#include "db/migrations.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

namespace {

struct Answer
{
    qint64 user;
    int sourceEntity; // 0 openaps, 1 nightscout (nsf), 2 both
    const char *age;
    const char *years;
    const char *gender; // nullptr: not answered
    const char *country;
};

bool seed(QSqlDatabase &db, const QList<Answer> &answers)
{
    QSqlQuery q(db);
    int seq = 0;
    for (const Answer &a : answers) {
        q.prepare(QStringLiteral("INSERT INTO entries (user_id, sgv, source_entity, \"date\") VALUES (?, 120, ?, ?)"));
        q.addBindValue(a.user);
        q.addBindValue(a.sourceEntity);
        q.addBindValue(QStringLiteral("2024-03-01T00:00:00Z"));
        if (!q.exec())
            return false;
        q.prepare(
                QStringLiteral("INSERT INTO analytics_demographics (seq_id, user_id, ts, survey, age_bracket, "
                               "years_since_diagnosed_bracket, gender, country_corrected) VALUES (?, ?, ?, 'openaps', "
                               "?, ?, ?, ?)"));
        q.addBindValue(++seq);
        q.addBindValue(a.user);
        q.addBindValue(QStringLiteral("2024-01-%1T00:00:00Z").arg(10 + seq % 15));
        q.addBindValue(QString::fromLatin1(a.age));
        q.addBindValue(QString::fromLatin1(a.years));
        q.addBindValue(a.gender ? QVariant(QString::fromLatin1(a.gender)) : QVariant(QMetaType(QMetaType::QString)));
        q.addBindValue(QString::fromLatin1(a.country));
        if (!q.exec()) {
            qWarning("%s", qPrintable(q.lastError().text()));
            return false;
        }
    }
    return true;
}

// {key: participants or -1 when withheld} of one group of a view's answer.
QMap<QString, qint64> cells(const QJsonObject &view, const QString &group)
{
    QMap<QString, qint64> out;
    for (const QJsonValue &g : view.value(u"groups").toArray()) {
        if (g[u"name"].toString() != group)
            continue;
        for (const QJsonValue &c : g[u"cells"].toArray()) {
            const bool withheld = c[u"suppressed"].toBool();
            if (withheld && !c[u"participants"].isNull())
                qFatal("a withheld cell shows its count");
            out.insert(c[u"key"].toString(), withheld ? -1 : qint64(c[u"participants"].toDouble()));
        }
    }
    return out;
}

const QList<Answer> twelve {
    { 1000000000000001, 0, "18-25", "0-5", "female", "Germany" },
    { 1000000000000002, 0, "18-25", "0-5", "female", "Germany" },
    { 1000000000000003, 0, "18-25", "6-10", "female", "Germany" },
    { 1000000000000004, 0, "18-25", "6-10", "male", "Germany" },
    { 1000000000000005, 0, "18-25", "6-10", "male", "Germany" },
    { 1000000000000006, 2, "18-25", "11-20", "male", "Germany" },
    { 1000000000000007, 2, "26-35", "11-20", "female", "United States" },
    { 1000000000000008, 1, "26-35", "0-5", "female", "United States" },
    { 1000000000000009, 1, "26-35", "0-5", "male", "United States" },
    { 1000000000000010, 1, "26-35", "6-10", "male", "United States" },
    { 1000000000000011, 1, "36-45", "6-10", "female", "United States" },
    { 1000000000000012, 1, "36-45", "6-10", nullptr, "Canada" },
};

} // namespace

class TestCohortViews final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::TestDatabase> m_tdb;
    QSqlDatabase db() { return m_tdb->database().connection().value(); }

private slots:
    void initTestCase_data() { test::addBackendRows(); }

    void init()
    {
        QFETCH_GLOBAL(QString, backend);
        m_tdb = std::make_unique<test::TestDatabase>(backend);
        QVERIFY(m_tdb->isValid());
        auto database = m_tdb->database();
        QVERIFY(db::migrate(database));
    }

    void cleanup() { m_tdb.reset(); }

    void demographicsHandCounted()
    {
        QSqlDatabase d = db();
        QVERIFY(seed(d, twelve));
        const auto view = api::demographicsView(d, { { 0, 1, 2 }, 5 });
        QVERIFY2(view, view ? "" : qPrintable(view.error().message));
        QCOMPARE(view->value(u"participants").toInt(), 12);
        // Ages 6, 4, 2: the two small cells withheld.
        QCOMPARE(cells(*view, u"age_bracket"_s),
                 (QMap<QString, qint64> { { u"18-25"_s, 6 }, { u"26-35"_s, -1 }, { u"36-45"_s, -1 } }));
        // Gender 6, 5 and one unanswered: "unknown" alone would be 12 - 6 - 5,
        // so the smallest shown cell (male, 5) goes with it.
        QCOMPARE(cells(*view, u"gender"_s),
                 (QMap<QString, qint64> { { u"female"_s, 6 }, { u"male"_s, -1 }, { u"unknown"_s, -1 } }));
        QCOMPARE(cells(*view, u"country_corrected"_s),
                 (QMap<QString, qint64> { { u"Canada"_s, -1 }, { u"Germany"_s, 6 }, { u"United States"_s, -1 } }));
        QCOMPARE(cells(*view, u"years_since_diagnosed_bracket"_s),
                 (QMap<QString, qint64> { { u"0-5"_s, -1 }, { u"11-20"_s, -1 }, { u"6-10"_s, 6 } }));
    }

    void scopeLimitsTheParticipants()
    {
        QSqlDatabase d = db();
        QVERIFY(seed(d, twelve));
        // openaps scope (source_entity 0 or 2): participants 1-7.
        const auto openaps = api::demographicsView(d, { { 0, 2 }, 3 });
        QVERIFY(openaps);
        QCOMPARE(openaps->value(u"participants").toInt(), 7);
        QCOMPARE(cells(*openaps, u"age_bracket"_s), (QMap<QString, qint64> { { u"18-25"_s, -1 }, { u"26-35"_s, -1 } }));
        QCOMPARE(cells(*openaps, u"gender"_s), (QMap<QString, qint64> { { u"female"_s, 4 }, { u"male"_s, 3 } }));
        // nsf scope (1 or 2): participants 6-12.
        const auto nsf = api::demographicsView(d, { { 1, 2 }, 3 });
        QVERIFY(nsf);
        QCOMPARE(nsf->value(u"participants").toInt(), 7);
        QCOMPARE(cells(*nsf, u"country_corrected"_s),
                 (QMap<QString, qint64> { { u"Canada"_s, -1 }, { u"Germany"_s, -1 }, { u"United States"_s, 5 } }));
    }

    void aCohortOfThreeShowsNoDemographicCell()
    {
        QSqlDatabase d = db();
        QVERIFY(seed(d, twelve.mid(0, 3)));
        const auto view = api::demographicsView(d, { { 0, 1, 2 }, 5 });
        QVERIFY(view);
        QVERIFY(view->value(u"participants").isNull());
        for (const QJsonValue &g : view->value(u"groups").toArray()) {
            for (const QJsonValue &c : g[u"cells"].toArray()) {
                QVERIFY2(c[u"suppressed"].toBool(), qPrintable(c[u"key"].toString()));
                QVERIFY(c[u"participants"].isNull());
            }
        }
    }

    void theLatestAnswerCounts()
    {
        QSqlDatabase d = db();
        QList<Answer> answers = twelve;
        // Participant 12 answers again later: now "26-35" (the second row is later: seq 13).
        answers.append({ 1000000000000012, 1, "26-35", "6-10", "male", "Canada" });
        QVERIFY(seed(d, answers));
        const auto view = api::demographicsView(d, { { 0, 1, 2 }, 1 });
        QVERIFY(view);
        QCOMPARE(view->value(u"participants").toInt(), 12);
        QCOMPARE(cells(*view, u"age_bracket"_s),
                 (QMap<QString, qint64> { { u"18-25"_s, 6 }, { u"26-35"_s, 5 }, { u"36-45"_s, 1 } }));
        QCOMPARE(cells(*view, u"gender"_s), (QMap<QString, qint64> { { u"female"_s, 6 }, { u"male"_s, 6 } }));
    }
};

QTEST_GUILESS_MAIN(TestCohortViews)
#include "tst_cohortviews.moc"
