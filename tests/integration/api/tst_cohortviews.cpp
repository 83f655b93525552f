// Cohort views over a real database (SQLite and PostgreSQL): hand-counted
// values on a small fixture, the researcher's scope, and small cells withheld,
// through the functions and over real HTTP (GET /api/v1/cohort/{view}), with
// the cache following the research data's generation.

#include "api/cohort/cohortviews.h"
#include "db/migrations.h"
#include "etl/analytics.h"
#include "exportharness.h"
#include "metrics/cgmmetrics.h"
#include "privacy/participantkeys.h"
#include "records/researchgeneration.h"
#include "site/erasure.h"
#include "testdatabase.h"

#include <QJsonArray>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <array>

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

// Participants of the HTTP fixture: six, four of them in the openaps
// consent group (source_entity 0), one in both (2), one in nsf (1).
constexpr qint64 p1 = 1000000000000101, p2 = 1000000000000102, p3 = 1000000000000103, p4 = 1000000000000104,
                 p5 = 1000000000000105, p6 = 1000000000000106;

struct Reading
{
    qint64 user;
    int sourceEntity;
    const char *device;
    const char *date; // UTC
    double sgv;
    int utcOffset = 0;
};

const QList<Reading> readings {
    { p1, 0, "xdrip", "2024-01-01T00:05:00.000Z", 100 },       { p1, 0, "xdrip", "2024-01-01T00:10:00.000Z", 110 },
    { p1, 0, "xdrip", "2024-02-01T00:05:00.000Z", 120 },       { p2, 0, "xdrip", "2024-01-01T00:05:00.000Z", 140 },
    { p2, 0, "xdrip", "2024-01-01T12:00:00.000Z", 180 },       { p3, 0, "dexcom", "2024-01-02T00:07:00.000Z", 160 },
    { p4, 0, "dexcom", "2024-01-01T01:05:00.000Z", 200, -60 }, // 00:05 local
    { p5, 2, "loop", "2024-01-03T00:00:00.000Z", 90 },         { p6, 1, "xdrip", "2024-01-01T00:05:00.000Z", 300 },
};

bool insertReading(test::ExportHarness &h, const Reading &r)
{
    static int serial = 0;
    return h.insert(u"entries"_s,
                    { { u"user_id"_s, r.user },
                      { u"id"_s, u"c%1"_s.arg(++serial) },
                      { u"sgv"_s, r.sgv },
                      { u"type"_s, u"sgv"_s },
                      { u"device"_s, QString::fromLatin1(r.device) },
                      { u"source_entity"_s, r.sourceEntity },
                      { u"date"_s, QString::fromLatin1(r.date) },
                      { u"utc_offset"_s, r.utcOffset } });
}

// The readings through the ETL's analytics refresh (which bumps the
// generation), then loop types per local day written as the refresh would.
bool seedHttpFixture(test::ExportHarness &h)
{
    QSet<qint64> users;
    for (const Reading &r : readings) {
        if (!insertReading(h, r))
            return false;
        users.insert(r.user);
    }
    for (qint64 user : users) {
        if (!etl::refreshParticipantAnalytics(h.database(), user))
            return false;
    }
    const std::tuple<qint64, const char *, const char *, int> days[] = {
        { p1, "2024-01-01", "closed loop", 0 }, { p1, "2024-01-02", "closed loop", 0 },
        { p2, "2024-01-01", "closed loop", 0 }, { p2, "2024-01-02", "open loop", 0 },
        { p3, "2024-01-01", "open loop", 0 },   { p4, "2024-01-05", "closed loop", 0 },
        { p5, "2024-01-01", "closed loop", 2 }, { p6, "2024-02-01", "closed loop", 1 },
    };
    for (const auto &[user, day, type, source] : days) {
        if (!h.insert(u"analytics_loop_type_by_day"_s,
                      { { u"user_id"_s, user },
                        { u"day"_s, QString::fromLatin1(day) },
                        { u"loop_type"_s, QString::fromLatin1(type) },
                        { u"device_status_rows"_s, 10 },
                        { u"source_entity"_s, source } }))
            return false;
    }
    return true;
}

// The cell `key` of group `name`.
QJsonObject cellOf(const QJsonObject &view, const QString &name, const QString &key)
{
    for (const QJsonValue &g : view.value(u"groups").toArray()) {
        if (g[u"name"].toString() != name)
            continue;
        for (const QJsonValue &c : g[u"cells"].toArray()) {
            if (c[u"key"].toString() == key)
                return c.toObject();
        }
    }
    return {};
}

// A participant_summary row as the ETL writes it (the columns this view reads
// and those that may not be empty): period "all" or "month" from `start`.
bool insertSummary(test::ExportHarness &h, qint64 user, int sourceEntity, const char *period, const char *start,
                   int readings, const std::array<double, 5> &bands)
{
    return h.insert(u"participant_summary"_s,
                    { { u"user_id"_s, user },
                      { u"period"_s, QString::fromLatin1(period) },
                      { u"period_start"_s, QString::fromLatin1(start) },
                      { u"period_end"_s, QString::fromLatin1(start) },
                      { u"readings"_s, readings },
                      { u"days_with_data"_s, 1 },
                      { u"sufficient"_s, false },
                      { u"very_low_percent"_s, bands[0] },
                      { u"low_percent"_s, bands[1] },
                      { u"in_range_percent"_s, bands[2] },
                      { u"high_percent"_s, bands[3] },
                      { u"very_high_percent"_s, bands[4] },
                      { u"source_entity"_s, sourceEntity } });
}

bool seedSummaries(test::ExportHarness &h)
{
    // Whole histories: in range 80, 60, 95, 75, 72, 40; below range 2, 5, 0, 1, 0.5, 10.
    return insertSummary(h, p1, 0, "all", "2024-01-01", 100, { 0, 2, 80, 15, 3 })
            && insertSummary(h, p2, 0, "all", "2024-01-01", 200, { 1, 4, 60, 30, 5 })
            && insertSummary(h, p3, 0, "all", "2024-01-01", 100, { 0, 0, 95, 5, 0 })
            && insertSummary(h, p4, 0, "all", "2024-01-01", 100, { 0, 1, 75, 20, 4 })
            && insertSummary(h, p5, 2, "all", "2024-01-01", 100, { 0, 0.5, 72, 20, 7.5 })
            && insertSummary(h, p6, 1, "all", "2024-01-01", 100, { 5, 5, 40, 30, 20 })
            // Months: p1 January and February, p2 January, p3 February, p4 March.
            && insertSummary(h, p1, 0, "month", "2024-01-01", 50, { 0, 10, 70, 20, 0 })
            && insertSummary(h, p1, 0, "month", "2024-02-01", 150, { 0, 0, 90, 10, 0 })
            && insertSummary(h, p2, 0, "month", "2024-01-01", 100, { 10, 10, 50, 20, 10 })
            && insertSummary(h, p3, 0, "month", "2024-02-01", 100, { 0, 0, 100, 0, 0 })
            && insertSummary(h, p4, 0, "month", "2024-03-01", 100, { 0, 0, 80, 20, 0 });
}

// "participants 6, readings 8, p5 95, ..." of a time-of-day bin.
QString figures(const QJsonObject &cell, const QList<const char *> &names)
{
    QStringList out;
    for (const char *name : names)
        out << QLatin1String(name) + u' ' + QString::number(cell.value(QLatin1String(name)).toDouble());
    return out.join(u", "_s);
}

QString binFigures(const QJsonObject &bin)
{
    return figures(bin, { "participants", "readings", "p5", "p25", "p50", "p75", "p95" });
}

// No cell shown describes fewer than k participants, a withheld cell shows
// none of its numbers, and no partition has exactly one withheld cell among
// several (it would be its total minus the others).
QString derivableCell(const QJsonObject &view)
{
    const int k = view.value(u"k").toInt();
    if (!view.value(u"participants").isNull() && view.value(u"participants").toInt() < k)
        return u"the total is under k"_s;
    for (const QJsonValue &g : view.value(u"groups").toArray()) {
        int withheld = 0;
        const QJsonArray groupCells = g[u"cells"].toArray();
        for (const QJsonValue &c : groupCells) {
            const QJsonObject cell = c.toObject();
            if (!cell.value(u"suppressed").toBool()) {
                if (cell.value(u"participants").toInt() < k)
                    return g[u"name"].toString() + u": a small cell is shown: " + cell.value(u"key").toString();
                continue;
            }
            ++withheld;
            for (auto it = cell.constBegin(); it != cell.constEnd(); ++it) {
                if (it.key() != u"key" && it.key() != u"suppressed" && !it.value().isNull())
                    return g[u"name"].toString() + u": a withheld cell shows " + it.key();
            }
        }
        if (g[u"partition"].toBool() && withheld == 1 && groupCells.size() > 1)
            return g[u"name"].toString() + u": one withheld cell is the total minus the others";
    }
    return {};
}

#define COHORT_HARNESS(k)                                                                                              \
    QFETCH_GLOBAL(QString, backend);                                                                                   \
    test::ExportHarness h(backend);                                                                                    \
    QVERIFY(h.isValid());                                                                                              \
    api::CohortApi &cohortApi = h.installCohortApi(k);                                                                 \
    Q_UNUSED(cohortApi);                                                                                               \
    QVERIFY(seedHttpFixture(h))

// GET /api/v1/cohort/{view}?query as `token`, a 200 with no derivable cell.
#define GET_VIEW(result, path, token)                                                                                  \
    const auto result##Reply = h.get(path, token);                                                                     \
    QVERIFY2(result##Reply.status == 200, result##Reply.body.constData());                                             \
    const QJsonObject result = result##Reply.json();                                                                   \
    QVERIFY2(derivableCell(result).isEmpty(), qPrintable(derivableCell(result)))

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
        const auto view = api::demographicsView(d, { { 0, 1, 2 }, 5, {}, {} });
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
        const auto openaps = api::demographicsView(d, { { 0, 2 }, 3, {}, {} });
        QVERIFY(openaps);
        QCOMPARE(openaps->value(u"participants").toInt(), 7);
        QCOMPARE(cells(*openaps, u"age_bracket"_s), (QMap<QString, qint64> { { u"18-25"_s, -1 }, { u"26-35"_s, -1 } }));
        QCOMPARE(cells(*openaps, u"gender"_s), (QMap<QString, qint64> { { u"female"_s, 4 }, { u"male"_s, 3 } }));
        // nsf scope (1 or 2): participants 6-12.
        const auto nsf = api::demographicsView(d, { { 1, 2 }, 3, {}, {} });
        QVERIFY(nsf);
        QCOMPARE(nsf->value(u"participants").toInt(), 7);
        QCOMPARE(cells(*nsf, u"country_corrected"_s),
                 (QMap<QString, qint64> { { u"Canada"_s, -1 }, { u"Germany"_s, -1 }, { u"United States"_s, 5 } }));
    }

    void aCohortOfThreeShowsNoDemographicCell()
    {
        QSqlDatabase d = db();
        QVERIFY(seed(d, twelve.mid(0, 3)));
        const auto view = api::demographicsView(d, { { 0, 1, 2 }, 5, {}, {} });
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
        const auto view = api::demographicsView(d, { { 0, 1, 2 }, 1, {}, {} });
        QVERIFY(view);
        QCOMPARE(view->value(u"participants").toInt(), 12);
        QCOMPARE(cells(*view, u"age_bracket"_s),
                 (QMap<QString, qint64> { { u"18-25"_s, 6 }, { u"26-35"_s, 5 }, { u"36-45"_s, 1 } }));
        QCOMPARE(cells(*view, u"gender"_s), (QMap<QString, qint64> { { u"female"_s, 6 }, { u"male"_s, 6 } }));
    }

    void overviewOverHttp()
    {
        COHORT_HARNESS(3);
        GET_VIEW(all, u"/api/v1/cohort/overview"_s, test::tokens::all);
        QCOMPARE(all.value(u"view").toString(), u"overview"_s);
        QCOMPARE(all.value(u"k").toInt(), 3);
        QCOMPARE(all.value(u"participants").toInt(), 6);
        // openaps 4, nsf 1, both 1: the two small ones withheld.
        QCOMPARE(cells(all, u"consent"_s),
                 (QMap<QString, qint64> { { u"openaps"_s, 4 }, { u"nsf"_s, -1 }, { u"both"_s, -1 } }));
        QCOMPARE(cells(all, u"days_with_data"_s), (QMap<QString, qint64> { { u"1-13"_s, 6 } }));
        QCOMPARE(cells(all, u"months"_s), (QMap<QString, qint64> { { u"2024-01"_s, 6 }, { u"2024-02"_s, -1 } }));
        QCOMPARE(cellOf(all, u"months"_s, u"2024-01"_s).value(u"readings").toInt(), 8);
        QVERIFY(cellOf(all, u"months"_s, u"2024-02"_s).value(u"readings").isNull());

        // Scope openaps: p1-p5. "both" (1) alone would be 5 - 4: openaps goes with it.
        GET_VIEW(openaps, u"/api/v1/cohort/overview"_s, test::tokens::openaps);
        QCOMPARE(openaps.value(u"participants").toInt(), 5);
        QCOMPARE(cells(openaps, u"consent"_s), (QMap<QString, qint64> { { u"openaps"_s, -1 }, { u"both"_s, -1 } }));
        QCOMPARE(cellOf(openaps, u"months"_s, u"2024-01"_s).value(u"readings").toInt(), 7);

        // A window: the months it touches (to exclusive), from the ETL's monthly summaries.
        GET_VIEW(january, u"/api/v1/cohort/overview?from=2024-01-01T00:06:00Z&to=2024-02-01"_s, test::tokens::all);
        QCOMPARE(january.value(u"from").toString(), u"2024-01-01T00:06:00.000Z"_s);
        QCOMPARE(january.value(u"to").toString(), u"2024-02-01T00:00:00.000Z"_s);
        QCOMPARE(january.value(u"participants").toInt(), 6);
        QCOMPARE(cells(january, u"months"_s), (QMap<QString, qint64> { { u"2024-01"_s, 6 } }));
        QCOMPARE(cellOf(january, u"months"_s, u"2024-01"_s).value(u"readings").toInt(), 8);
        // February: p1 alone.
        GET_VIEW(february, u"/api/v1/cohort/overview?from=2024-02-01"_s, test::tokens::all);
        QVERIFY(february.value(u"participants").isNull());
        QCOMPARE(cells(february, u"consent"_s), (QMap<QString, qint64> { { u"openaps"_s, -1 } }));
    }

    void timeInRangeOverHttp()
    {
        COHORT_HARNESS(3);
        // First as the ETL computed the summaries from the readings: in range
        // 100 % for p1, p2, p3, p5; 0 for p4 (200 mg/dL) and p6 (300).
        const QList<const char *> quartiles { "participants", "p25", "p50", "p75" };
        GET_VIEW(etl, u"/api/v1/cohort/time_in_range"_s, test::tokens::all);
        QCOMPARE(etl.value(u"participants").toInt(), 6);
        QCOMPARE(figures(cellOf(etl, u"bands"_s, u"in_range"_s), quartiles),
                 u"participants 6, p25 25, p50 100, p75 100"_s);
        // "under 50 %" (2) is withheld, and so "90 % and over" (4) with it.
        QCOMPARE(cells(etl, u"time_in_range"_s),
                 (QMap<QString, qint64> { { u"under 50 %"_s, -1 }, { u"90 % and over"_s, -1 } }));

        // Then hand-made summaries (the generation bumped as the ETL would).
        QVERIFY(h.database().connection()
                && QSqlQuery(*h.database().connection()).exec(u"DELETE FROM participant_summary"_s));
        QVERIFY(seedSummaries(h));
        QVERIFY(records::bumpResearchGeneration(*h.database().connection()));
        GET_VIEW(all, u"/api/v1/cohort/time_in_range"_s, test::tokens::all);
        QCOMPARE(all.value(u"participants").toInt(), 6);
        // In range: 70-90 p1, p4, p5; one each in the others, withheld.
        QCOMPARE(cells(all, u"time_in_range"_s),
                 (QMap<QString, qint64> { { u"under 50 %"_s, -1 },
                                          { u"50-70 %"_s, -1 },
                                          { u"70-90 %"_s, 3 },
                                          { u"90 % and over"_s, -1 } }));
        // Below range: two in each, all withheld.
        QCOMPARE(cells(all, u"time_below_range"_s),
                 (QMap<QString, qint64> { { u"under 1 %"_s, -1 }, { u"1-4 %"_s, -1 }, { u"4 % and over"_s, -1 } }));
        // In range sorted 40, 60, 72, 75, 80, 95; very low 0, 0, 0, 0, 1, 5.
        QCOMPARE(figures(cellOf(all, u"bands"_s, u"in_range"_s), quartiles),
                 u"participants 6, p25 63, p50 73.5, p75 78.75"_s);
        QCOMPARE(figures(cellOf(all, u"bands"_s, u"very_low"_s), quartiles),
                 u"participants 6, p25 0, p50 0, p75 0.75"_s);

        // Scope openaps (p1-p5): 70-90 three, 50-70 and 90+ one each.
        GET_VIEW(openaps, u"/api/v1/cohort/time_in_range"_s, test::tokens::openaps);
        QCOMPARE(openaps.value(u"participants").toInt(), 5);
        QCOMPARE(cells(openaps, u"time_in_range"_s),
                 (QMap<QString, qint64> { { u"50-70 %"_s, -1 }, { u"70-90 %"_s, 3 }, { u"90 % and over"_s, -1 } }));

        // 15 January to the end of February: the months January and February.
        // p1 (50 readings at 70 %, 150 at 90 %) 85, p2 50, p3 100; p4 (March) not.
        GET_VIEW(window, u"/api/v1/cohort/time_in_range?from=2024-01-15&to=2024-03-01"_s, test::tokens::all);
        QCOMPARE(window.value(u"participants").toInt(), 3);
        QCOMPARE(figures(cellOf(window, u"bands"_s, u"in_range"_s), quartiles),
                 u"participants 3, p25 67.5, p50 85, p75 92.5"_s);
        // Low for p1: 50 readings at 10 % of 200.
        QCOMPARE(figures(cellOf(window, u"bands"_s, u"low"_s), { "p25", "p50", "p75" }),
                 u"p25 1.25, p50 2.5, p75 6.25"_s);

        // Scope nsf: p5 and p6, under k.
        GET_VIEW(nsf, u"/api/v1/cohort/time_in_range"_s, test::tokens::nsf);
        QVERIFY(nsf.value(u"participants").isNull());
        QVERIFY(cellOf(nsf, u"bands"_s, u"in_range"_s).value(u"p50").isNull());
    }

    void glucoseByTimeOfDayOverHttp()
    {
        COHORT_HARNESS(3);
        GET_VIEW(all, u"/api/v1/cohort/glucose_by_time_of_day"_s, test::tokens::all);
        QCOMPARE(all.value(u"participants").toInt(), 6);
        const QJsonArray bins = all.value(u"groups").toArray().at(0)[u"cells"].toArray();
        QCOMPARE(bins.size(), 96);
        // 00:00-00:15 local: the participants' means 110 (p1: 100, 110, 120),
        // 140, 160, 200 (p4 at 01:05 UTC, 00:05 local), 90, 300.
        const QJsonObject first = bins.at(0).toObject();
        QCOMPARE(first.value(u"key").toString(), u"00:00"_s);
        QCOMPARE(binFigures(first), u"participants 6, readings 8, p5 95, p25 117.5, p50 150, p75 190, p95 275"_s);
        // 12:00: p2 alone, withheld; the others have no one.
        QCOMPARE(bins.at(48)[u"key"].toString(), u"12:00"_s);
        QVERIFY(bins.at(48)[u"suppressed"].toBool());
        QVERIFY(bins.at(48)[u"p50"].isNull());
        for (int bin = 1; bin < 96; ++bin)
            QVERIFY(bins.at(bin)[u"suppressed"].toBool());

        // In a window, from the entries: p1 110, p3 160, p4 200.
        GET_VIEW(window, u"/api/v1/cohort/glucose_by_time_of_day?from=2024-01-01T00:06:00Z&to=2024-01-03"_s,
                 test::tokens::all);
        QCOMPARE(binFigures(window.value(u"groups").toArray().at(0)[u"cells"].toArray().at(0).toObject()),
                 u"participants 3, readings 3, p5 115, p25 135, p50 160, p75 180, p95 196"_s);

        // A window around everything gives what the ETL's bins give.
        GET_VIEW(everything, u"/api/v1/cohort/glucose_by_time_of_day?from=2000-01-01"_s, test::tokens::all);
        QCOMPARE(everything.value(u"groups"), all.value(u"groups"));

        // Scope nsf: p5 and p6 only, under k: nothing shown at all.
        GET_VIEW(nsf, u"/api/v1/cohort/glucose_by_time_of_day"_s, test::tokens::nsf);
        QVERIFY(nsf.value(u"participants").isNull());
        QVERIFY(nsf.value(u"groups").toArray().at(0)[u"cells"].toArray().at(0)[u"suppressed"].toBool());
    }

    // A window that cuts days at both ends, over participants at UTC offsets
    // from -10 to +14 hours: the answer is that of the window's readings,
    // worked out here from the readings themselves, though its whole local
    // days come from the ETL's bins (a day's entries deleted behind the
    // ETL's back do not change it) and only its edges from the entries.
    void glucoseByTimeOfDayInALongWindow()
    {
        QFETCH_GLOBAL(QString, backend);
        test::ExportHarness h(backend);
        QVERIFY(h.isValid());
        h.installCohortApi(3);
        struct Row
        {
            qint64 user;
            qint64 utcMs;
            int offset;
            double sgv;
        };
        QList<Row> rows;
        const int offsets[] = { 840, -600, 330, 0, -300, 60 };
        const qint64 start = QDateTime(QDate(2024, 1, 5), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
        int serial = 0;
        for (int p = 0; p < 6; ++p) {
            const qint64 user = 1000000000000201 + p;
            for (int i = 0; i < 70 * 12; ++i) {
                // Every two hours, a quarter of an hour later each day for eight days: every bin.
                const Row r { user, start + qint64(i) * 2 * 3600000 + ((i / 12) % 8) * 15 * 60000 + p * 7 * 60000,
                              offsets[p], 60 + (i * 37 + p * 11) % 250 + (i % 4 == 0 ? 0.5 : 0) };
                rows.append(r);
                QVERIFY(h.insert(
                        u"entries"_s,
                        { { u"user_id"_s, r.user },
                          { u"id"_s, u"w%1"_s.arg(++serial) },
                          { u"sgv"_s, r.sgv },
                          { u"type"_s, u"sgv"_s },
                          { u"device"_s, u"xdrip"_s },
                          { u"source_entity"_s, 0 },
                          { u"date"_s,
                            QDateTime::fromMSecsSinceEpoch(r.utcMs, Qt::UTC).toString(u"yyyy-MM-ddTHH:mm:ss.zzzZ"_s) },
                          { u"utc_offset"_s, r.offset } }));
            }
            QVERIFY(etl::refreshParticipantAnalytics(h.database(), user));
        }
        const QDateTime from(QDate(2024, 1, 10), QTime(7, 30), Qt::UTC);
        const QDateTime to(QDate(2024, 3, 5), QTime(13, 45), Qt::UTC);
        // Per bin: each participant's mean there, and the readings.
        QMap<std::pair<int, qint64>, std::pair<qint64, double>> sums;
        for (const Row &r : std::as_const(rows)) {
            if (r.utcMs < from.toMSecsSinceEpoch() || r.utcMs >= to.toMSecsSinceEpoch())
                continue;
            const int bin = metrics::localMinuteOfDay({ r.utcMs, r.offset, r.sgv }) / 15;
            auto &[count, sum] = sums[{ bin, r.user }];
            ++count;
            sum += r.sgv;
        }
        QList<double> means[96];
        qint64 readings[96] = {};
        for (auto it = sums.cbegin(); it != sums.cend(); ++it) {
            means[it.key().first].append(it->second / double(it->first));
            readings[it.key().first] += it->first;
        }
        // 15 February, well inside: its entries gone, its bins still the ETL's.
        QSqlQuery remove(*h.database().connection());
        QVERIFY(remove.exec(h.database().isPostgres()
                                    ? u"DELETE FROM entries WHERE \"date\"::date = '2024-02-15'"_s
                                    : u"DELETE FROM entries WHERE substr(\"date\", 1, 10) = '2024-02-15'"_s));
        QVERIFY(remove.numRowsAffected() > 0);
        GET_VIEW(window, u"/api/v1/cohort/glucose_by_time_of_day?from=2024-01-10T07:30:00Z&to=2024-03-05T13:45:00Z"_s,
                 test::tokens::all);
        QCOMPARE(window.value(u"participants").toInt(), 6);
        const QJsonArray cells = window.value(u"groups").toArray().at(0)[u"cells"].toArray();
        QCOMPARE(cells.size(), 96);
        for (int bin = 0; bin < 96; ++bin) {
            std::sort(means[bin].begin(), means[bin].end());
            const QJsonObject cell = cells.at(bin).toObject();
            QCOMPARE(means[bin].size(), 6);
            QCOMPARE(cell.value(u"participants").toInt(), 6);
            QCOMPARE(qint64(cell.value(u"readings").toDouble()), readings[bin]);
            for (const auto &[name, p] : { std::pair { "p5", 0.05 }, { "p50", 0.5 }, { "p95", 0.95 } })
                QCOMPARE(cell.value(QLatin1String(name)).toDouble(), metrics::percentile(means[bin], p));
        }
    }

    void loopTypeByMonthOverHttp()
    {
        COHORT_HARNESS(3);
        GET_VIEW(all, u"/api/v1/cohort/loop_type_by_month"_s, test::tokens::all);
        QCOMPARE(all.value(u"participants").toInt(), 6);
        // January: closed p1, p4, p5 (4 days), mixed p2, open p3: the two small ones withheld.
        QCOMPARE(cells(all, u"2024-01"_s),
                 (QMap<QString, qint64> { { u"closed loop"_s, 3 }, { u"mixed"_s, -1 }, { u"open loop"_s, -1 } }));
        QCOMPARE(cellOf(all, u"2024-01"_s, u"closed loop"_s).value(u"days").toInt(), 4);
        // February: p6 alone.
        QCOMPARE(cells(all, u"2024-02"_s), (QMap<QString, qint64> { { u"closed loop"_s, -1 } }));

        // Scope openaps (p1-p5): January the same, February gone.
        GET_VIEW(openaps, u"/api/v1/cohort/loop_type_by_month"_s, test::tokens::openaps);
        QCOMPARE(openaps.value(u"participants").toInt(), 5);
        QCOMPARE(openaps.value(u"groups").toArray().size(), 1);

        // 2 to 4 January: p1 closed, p2 open, under k together.
        GET_VIEW(window, u"/api/v1/cohort/loop_type_by_month?from=2024-01-02&to=2024-01-05"_s, test::tokens::all);
        QVERIFY(window.value(u"participants").isNull());
        QCOMPARE(cells(window, u"2024-01"_s),
                 (QMap<QString, qint64> { { u"closed loop"_s, -1 }, { u"open loop"_s, -1 } }));
    }

    void deviceGroupsOverHttp()
    {
        COHORT_HARNESS(3);
        GET_VIEW(all, u"/api/v1/cohort/device_groups"_s, test::tokens::all);
        QCOMPARE(all.value(u"participants").toInt(), 6);
        QCOMPARE(cells(all, u"main_device_group"_s),
                 (QMap<QString, qint64> { { u"Dexcom"_s, -1 }, { u"Loop"_s, -1 }, { u"xDrip"_s, 3 } }));
        // Scope openaps: xDrip 2, Dexcom 2, Loop 1, all under k.
        GET_VIEW(openaps, u"/api/v1/cohort/device_groups"_s, test::tokens::openaps);
        QCOMPARE(openaps.value(u"participants").toInt(), 5);
        QCOMPARE(cells(openaps, u"main_device_group"_s),
                 (QMap<QString, qint64> { { u"Dexcom"_s, -1 }, { u"Loop"_s, -1 }, { u"xDrip"_s, -1 } }));
        // Devices seen from 2 to 3 January: p1's xDrip (until February), p3's Dexcom, p5's Loop.
        GET_VIEW(window, u"/api/v1/cohort/device_groups?from=2024-01-02&to=2024-01-04"_s, test::tokens::all);
        QCOMPARE(window.value(u"participants").toInt(), 3);
        QCOMPARE(cells(window, u"main_device_group"_s),
                 (QMap<QString, qint64> { { u"Dexcom"_s, -1 }, { u"Loop"_s, -1 }, { u"xDrip"_s, -1 } }));
    }

    void demographicsOverHttpWithTheDefaultK()
    {
        QFETCH_GLOBAL(QString, backend);
        test::ExportHarness h(backend);
        QVERIFY(h.isValid());
        h.installCohortApi(5);
        QSqlDatabase d = h.database().connection().value();
        QVERIFY(seed(d, twelve));
        GET_VIEW(all, u"/api/v1/cohort/demographics"_s, test::tokens::all);
        QCOMPARE(all.value(u"participants").toInt(), 12);
        QCOMPARE(cells(all, u"gender"_s),
                 (QMap<QString, qint64> { { u"female"_s, 6 }, { u"male"_s, -1 }, { u"unknown"_s, -1 } }));
        // Scope openaps: participants 1-7; ages 6 and 1, so both withheld.
        GET_VIEW(openaps, u"/api/v1/cohort/demographics"_s, test::tokens::openaps);
        QCOMPARE(openaps.value(u"participants").toInt(), 7);
        QCOMPARE(cells(openaps, u"age_bracket"_s), (QMap<QString, qint64> { { u"18-25"_s, -1 }, { u"26-35"_s, -1 } }));
    }

    void aCohortOfThreeShowsNoCellInAnyView()
    {
        QFETCH_GLOBAL(QString, backend);
        test::ExportHarness h(backend);
        QVERIFY(h.isValid());
        h.installCohortApi(5);
        QSqlDatabase d = h.database().connection().value();
        QVERIFY(seed(d, twelve.mid(0, 3)));
        for (const Answer &a : twelve.mid(0, 3))
            QVERIFY(etl::refreshParticipantAnalytics(h.database(), a.user));
        for (const QString &view : api::cohortViewNames()) {
            GET_VIEW(answer, u"/api/v1/cohort/"_s + view, test::tokens::all);
            QVERIFY2(answer.value(u"participants").isNull(), qPrintable(view));
            for (const QJsonValue &g : answer.value(u"groups").toArray()) {
                for (const QJsonValue &c : g[u"cells"].toArray())
                    QVERIFY2(c[u"suppressed"].toBool(), qPrintable(view + u' ' + c[u"key"].toString()));
            }
        }
    }

    void cachedUntilTheResearchDataChanges()
    {
        COHORT_HARNESS(3);
        // A window: computed from the entries themselves, so a row written
        // without the ETL's refresh would show if the answer were not kept.
        const QString path = u"/api/v1/cohort/glucose_by_time_of_day?from=2000-01-01"_s;
        QCOMPARE(h.get(path).json().value(u"participants").toInt(), 6);
        const qint64 computed = cohortApi.computedViews();
        QCOMPARE(h.get(path).json().value(u"participants").toInt(), 6);
        QCOMPARE(cohortApi.computedViews(), computed); // from the cache
        // Another scope or window is another answer.
        QCOMPARE(h.get(path, test::tokens::openaps).json().value(u"participants").toInt(), 5);
        QCOMPARE(cohortApi.computedViews(), computed + 1);

        // A second server instance on the same database.
        test::ExportHarness other(h.database());
        QVERIFY(other.isValid());
        other.installCohortApi(3);
        QCOMPARE(other.get(path).json().value(u"participants").toInt(), 6);

        // Rows written without the ETL's bump are not seen yet...
        constexpr qint64 p7 = 1000000000000107;
        QVERIFY(insertReading(h, { p7, 0, "xdrip", "2024-01-04T08:00:00.000Z", 130 }));
        QCOMPARE(h.get(path).json().value(u"participants").toInt(), 6);
        // ...and are, on both instances, once the ETL's refresh after the load bumped it.
        QVERIFY(etl::refreshParticipantAnalytics(h.database(), p7));
        QCOMPARE(h.get(path).json().value(u"participants").toInt(), 7);
        QCOMPARE(other.get(path).json().value(u"participants").toInt(), 7);
        QCOMPARE(h.get(path, test::tokens::openaps).json().value(u"participants").toInt(), 6);
    }

    void erasureEmptiesTheCache()
    {
        COHORT_HARNESS(3);
        const privacy::ParticipantKeys keys(QByteArray(32, 'k'));
        const QString member = u"12345678"_s;
        const qint64 pseudonym = keys.pseudonym(member);
        QVERIFY(insertReading(h, { pseudonym, 0, "dexcom", "2024-01-04T08:00:00.000Z", 130 }));
        QVERIFY(etl::refreshParticipantAnalytics(h.database(), pseudonym));
        for (const QString &view : { u"overview"_s, u"device_groups"_s, u"glucose_by_time_of_day"_s })
            QCOMPARE(h.get(u"/api/v1/cohort/"_s + view).json().value(u"participants").toInt(), 7);
        const auto january = [&h] {
            return cellOf(h.get(u"/api/v1/cohort/overview"_s).json(), u"months"_s, u"2024-01"_s)
                    .value(u"readings")
                    .toInt();
        };
        QCOMPARE(january(), 9);

        QVERIFY(site::eraseMember(h.database(), keys, member));
        for (const QString &view : { u"overview"_s, u"device_groups"_s, u"glucose_by_time_of_day"_s })
            QCOMPARE(h.get(u"/api/v1/cohort/"_s + view).json().value(u"participants").toInt(), 6);
        QCOMPARE(january(), 8);
    }

    void refusesWhatItDoesNotKnow()
    {
        COHORT_HARNESS(3);
        const auto unknown = h.get(u"/api/v1/cohort/pie_chart"_s);
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.json().value(u"error").toString(), u"unknown-view"_s);
        QVERIFY(unknown.json()
                        .value(u"message")
                        .toString()
                        .contains(u"overview, time_in_range, glucose_by_time_of_day"_s));
        for (const auto &[query, parameter] : { std::pair { u"from=yesterday"_s, u"from"_s },
                                                { u"to=2024-13-01"_s, u"to"_s },
                                                { u"from=2024-02-01&to=2024-01-01"_s, u"to"_s },
                                                { u"from=2024-01-01&from=2024-01-02"_s, u"from"_s },
                                                { u"participants=1"_s, u"participants"_s } }) {
            const auto reply = h.get(u"/api/v1/cohort/overview?"_s + query);
            QCOMPARE(reply.status, 400);
            QCOMPARE(reply.json().value(u"error").toString(), u"bad-request"_s);
            QVERIFY2(reply.json().value(u"message").toString().contains(u'\'' + parameter + u'\''),
                     reply.body.constData());
        }
        const auto noToken = h.get(u"/api/v1/cohort/overview"_s, QByteArray());
        QCOMPARE(noToken.status, 401);
        QCOMPARE(noToken.header("Cache-Control"), QByteArray("no-store"));
    }
};

QTEST_GUILESS_MAIN(TestCohortViews)
#include "tst_cohortviews.moc"
