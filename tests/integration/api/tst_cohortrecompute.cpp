// Every cohort view, the participants list and the derived export datasets
// after new data and after erasure (issue 13), on SQLite and PostgreSQL:
// each is asked first (so the cohort views are cached), then data arrives
// through the ETL's loader and refresh and through the survey import, or
// members are erased, and the next answer must show the new numbers worked
// out here by hand, down to cells that fall under k and are withheld.

#include "../etl/etltestsupport.h"
#include "etl/analytics.h"
#include "etl/derivedtables.h"
#include "etl/fileloader.h"
#include "exportharness.h"
#include "privacy/participantdata.h"
#include "privacy/participantkeys.h"
#include "records/datatype.h"
#include "site/erasure.h"
#include "survey/demographics.h"
#include "survey/demographicstable.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>

using namespace openaps;
using namespace Qt::StringLiterals;
using records::DataType;

namespace {

const privacy::ParticipantKeys keys(QByteArray(32, 'r'));
// Participants A to E, all sharing with consent group openaps (source_entity 0).
const QString letters = u"ABCDE"_s;

QString member(QChar letter)
{
    return u"4200000"_s + QString::number(letters.indexOf(letter) + 1);
}

qint64 pseudonym(QChar letter)
{
    return keys.pseudonym(member(letter));
}

QString letterOf(qint64 userId)
{
    for (QChar l : letters) {
        if (pseudonym(l) == userId)
            return l;
    }
    return u"?"_s;
}

// One file of the participant, as the ETL loads it (its span made pending).
Status load(const db::Database &database, QChar letter, DataType type, const QByteArray &data)
{
    static int files = 0;
    QBuffer buffer;
    buffer.setData(data);
    buffer.open(QIODevice::ReadOnly);
    auto report = etl::FileLoader(database).load(&buffer, type,
                                                 etl::LoadTarget { pseudonym(letter), 0, u"test"_s, {} });
    if (!report)
        return report.error();
    if (report->badLines != 0)
        return makeError("test", report->badLineSummary());
    return etl::noteLoadedFile(database, pseudonym(letter), u"file%1"_s.arg(++files), *report);
}

// Readings (UTC times, mg/dL) from an xDrip uploader, and a Loop decision
// enacted at the first of them (that local day is "closed loop"); then the
// ETL's refresh after the load.
Status share(const db::Database &database, QChar letter, const QList<std::pair<const char *, int>> &readings)
{
    static int serial = 0;
    QByteArray entries;
    for (const auto &[time, sgv] : readings)
        entries +=
                u"{\"_id\":\"r%1\",\"type\":\"sgv\",\"sgv\":%2,\"dateString\":\"%3+00:00\",\"device\":\"xDrip-DexcomG5\"}\n"_s
                        .arg(++serial)
                        .arg(sgv)
                        .arg(QLatin1String(time))
                        .toUtf8();
    if (auto s = load(database, letter, DataType::Entries, entries); !s)
        return s;
    const QByteArray status = u"{\"_id\":\"s%1\",\"device\":\"loop://iPhone\",\"created_at\":\"%2+00:00\","
                              "\"loop\":{\"iob\":{\"iob\":1.5},\"enacted\":{\"rate\":1.0,\"duration\":30}}}\n"_s
                                      .arg(++serial)
                                      .arg(QLatin1String(readings.first().first))
                                      .toUtf8();
    if (auto s = load(database, letter, DataType::DeviceStatus, status); !s)
        return s;
    return etl::refreshParticipantAnalytics(database, pseudonym(letter));
}

// Members with an account who share (only their survey answers are kept).
bool join(const db::Database &database, QChar letter)
{
    QSqlQuery q(*database.connection());
    q.prepare(u"INSERT INTO participants (member_id, sharing_consent) VALUES (?, 'openaps')"_s);
    q.addBindValue(member(letter));
    return q.exec();
}

// Survey answers (timestamp, participant, gender): born 1990, diagnosed
// 2010, in Germany; then analytics_demographics rebuilt as of 1 June 2024
// (aged 34: "31-45"; 14 years with diabetes: "11-20").
Status answerSurvey(const db::Database &database, const QList<std::tuple<const char *, QChar, const char *>> &answers)
{
    QFile fixture(test::etl::fixturePath("survey-openaps.csv"));
    if (!fixture.open(QIODevice::ReadOnly))
        return makeError("test", u"no survey fixture"_s);
    QByteArray csv = fixture.readLine();
    for (const auto &[ts, letter, gender] : answers)
        csv += u"%1,%2,1/1/1990,%3,,Germany,1/1/2010,,,,,,,,,,,,\n"_s
                       .arg(QLatin1String(ts), member(letter), QLatin1String(gender))
                       .toUtf8();
    auto imported = survey::importSurveyCsv(database, keys, csv);
    if (!imported)
        return imported.error();
    if (imported->written != answers.size())
        return makeError("test", u"%1 answers written"_s.arg(imported->written));
    return survey::refreshDemographics(database, keys, QDate(2024, 6, 1));
}

QString number(const QJsonValue &v)
{
    return v.isNull() ? u"-"_s : QString::number(v.toDouble());
}

// A view's answer as text: "participants 4; group: key n (figure x, ...), ...",
// "-" for what is withheld; only the cells `key` when given. Or what makes
// it unsafe: a cell under k shown, a withheld one showing its count, one
// withheld cell in a partition (the total minus the others).
QString describe(const QJsonObject &view, const QList<const char *> &figures = {}, const QString &key = {})
{
    const int k = view.value(u"k").toInt();
    if (view.value(u"participants").toInt(k) < k)
        return u"the total is under k"_s;
    QStringList parts { u"participants "_s + number(view.value(u"participants")) };
    for (const QJsonValue &g : view.value(u"groups").toArray()) {
        QStringList cells;
        int withheld = 0;
        for (const QJsonValue &c : g[u"cells"].toArray()) {
            const bool suppressed = c[u"suppressed"].toBool();
            withheld += suppressed ? 1 : 0;
            if (suppressed != c[u"participants"].isNull() || (!suppressed && c[u"participants"].toInt() < k))
                return u"unsafe cell "_s + c[u"key"].toString();
            if (!key.isEmpty() && c[u"key"].toString() != key)
                continue;
            QString cell = c[u"key"].toString() + u' ' + number(c[u"participants"]);
            QStringList shown;
            for (const char *name : figures) {
                if (c.toObject().contains(QLatin1String(name)))
                    shown << QLatin1String(name) + u' ' + number(c[QLatin1String(name)]);
            }
            if (!shown.isEmpty())
                cell += u" ("_s + shown.join(u", "_s) + u')';
            cells << cell;
        }
        if (g[u"partition"].toBool() && withheld == 1 && g[u"cells"].toArray().size() > 1)
            return g[u"name"].toString() + u": one withheld cell is the total minus the others";
        parts << g[u"name"].toString() + u": " + cells.join(u", "_s);
    }
    return parts.join(u"; "_s);
}

// The time-of-day bins that are not withheld.
QStringList shownBins(const QJsonObject &view)
{
    QStringList shown;
    for (const QJsonValue &c : view.value(u"groups").toArray().at(0)[u"cells"].toArray()) {
        if (!c[u"suppressed"].toBool())
            shown << c[u"key"].toString();
    }
    return shown;
}

const QList<const char *> glucoseFigures { "readings", "p5", "p25", "p50", "p75", "p95" };
const QList<const char *> quartiles { "p25", "p50", "p75" };

// Every view, answered now over HTTP as the researcher with scope all; and
// the views whose answer for a window around all the data (the ETL's
// monthly and daily sums, the entries at its edges) is not the same.
struct Views
{
    QString overview, timeInRange, glucose, loopTypes, devices, demographics;
    QStringList glucoseBins;
    QStringList windowDiffers;
};

Views ask(test::ExportHarness &api)
{
    Views v;
    const auto view = [&api, &v](const char *name, const QList<const char *> &figures = {}, const QString &key = {}) {
        QString answers[2];
        QJsonObject whole;
        for (int windowed = 0; windowed < 2; ++windowed) {
            const test::ApiReply reply = api.get(u"/api/v1/cohort/"_s + QLatin1String(name)
                                                 + (windowed ? u"?from=2000-01-01&to=2030-01-01"_s : QString()));
            if (reply.status != 200)
                qWarning("%s: %d %s", name, reply.status, reply.body.constData());
            answers[windowed] = describe(reply.json(), figures, key);
            if (!windowed)
                whole = reply.json();
        }
        if (answers[0] != answers[1])
            v.windowDiffers << QLatin1String(name) + u": " + answers[1];
        if (key == u"10:00"_s)
            v.glucoseBins = shownBins(whole);
        return answers[0];
    };
    v.overview = view("overview", { "readings" });
    v.timeInRange = view("time_in_range", quartiles);
    v.glucose = view("glucose_by_time_of_day", glucoseFigures, u"10:00"_s);
    v.loopTypes = view("loop_type_by_month", { "days" });
    v.devices = view("device_groups");
    v.demographics = view("demographics");
    return v;
}

// GET /api/v1/participants: "A days first last" per participant.
QStringList participantsList(test::ExportHarness &api)
{
    QStringList out;
    for (const QJsonValue &p : api.get(u"/api/v1/participants"_s).json().value(u"participants").toArray())
        out << u"%1 %2 %3 %4"_s.arg(letterOf(p[u"user_id"].toInteger()), number(p[u"days_with_data"]),
                                    p[u"first_data"].toString(), p[u"last_data"].toString());
    out.sort();
    return out;
}

// Per derived export dataset, its rows of each participant: "data_quality A2 B1".
QStringList exported(test::ExportHarness &api)
{
    QStringList out;
    for (const char *dataset : { "participant_summary", "data_quality", "analytics_glucose_time_of_day",
                                 "analytics_loop_type_by_day", "analytics_device_groups", "analytics_demographics" }) {
        const test::ApiReply reply = api.get(u"/api/v1/export/%1?format=ndjson"_s.arg(QLatin1String(dataset)));
        QMap<QString, int> rows;
        for (const QByteArray &line : reply.body.split('\n')) {
            if (!line.isEmpty())
                ++rows[letterOf(QJsonDocument::fromJson(line).object().value(u"user_id").toInteger())];
        }
        QStringList who { QLatin1String(dataset) };
        for (auto it = rows.cbegin(); it != rows.cend(); ++it)
            who << it.key() + QString::number(it.value());
        out << (reply.status == 200 ? who.join(u' ') : u"%1 error %2"_s.arg(QLatin1String(dataset)).arg(reply.status));
    }
    return out;
}

} // namespace

class TestCohortRecompute : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { test::etl::quietLogs(); }

    void viewsFollowNewDataAndErasure()
    {
        ETL_MIGRATED_DATABASE(tdb, database);
        test::ExportHarness api(database);
        QVERIFY(api.isValid());
        api.installCohortApi(3);
        for (QChar l : letters)
            QVERIFY(join(database, l));

        // A to D on 1 March 2024 at 10:00 and 10:05 UTC, all in range; E
        // answered the survey but has no data yet, so no view counts E.
        QVERIFY(share(database, u'A', { { "2024-03-01T10:00:00", 100 }, { "2024-03-01T10:05:00", 120 } }).ok());
        QVERIFY(share(database, u'B', { { "2024-03-01T10:00:00", 150 }, { "2024-03-01T10:05:00", 170 } }).ok());
        QVERIFY(share(database, u'C', { { "2024-03-01T10:00:00", 130 }, { "2024-03-01T10:05:00", 150 } }).ok());
        QVERIFY(share(database, u'D', { { "2024-03-01T10:00:00", 80 }, { "2024-03-01T10:05:00", 100 } }).ok());
        const Status answered = answerSurvey(database,
                                             { { "1/10/2024 09:00:00", u'A', "Female" },
                                               { "1/10/2024 09:00:00", u'B', "Female" },
                                               { "1/10/2024 09:00:00", u'C', "Female" },
                                               { "1/10/2024 09:00:00", u'D', "Female" },
                                               { "1/10/2024 09:00:00", u'E', "Female" } });
        QVERIFY2(answered.ok(), answered.ok() ? "" : qPrintable(answered.error().message));

        Views v = ask(api);
        QCOMPARE(v.windowDiffers, QStringList());
        QCOMPARE(v.overview,
                 u"participants 4; consent: openaps 4; days_with_data: 1-13 4; months: 2024-03 4 (readings 8)"_s);
        QCOMPARE(v.timeInRange,
                 u"participants 4; time_in_range: 90 % and over 4; time_below_range: under 1 % 4; "
                 "bands: very_low 4 (p25 0, p50 0, p75 0), low 4 (p25 0, p50 0, p75 0), "
                 "in_range 4 (p25 100, p50 100, p75 100), high 4 (p25 0, p50 0, p75 0), "
                 "very_high 4 (p25 0, p50 0, p75 0)"_s);
        // Means 110, 160, 140, 90: sorted 90 110 140 160.
        QCOMPARE(v.glucose,
                 u"participants 4; bins: 10:00 4 (readings 8, p5 93, p25 105, p50 125, p75 145, "
                 "p95 157)"_s);
        QCOMPARE(v.glucoseBins, QStringList { u"10:00"_s });
        QCOMPARE(v.loopTypes, u"participants 4; 2024-03: closed loop 4 (days 4)"_s);
        QCOMPARE(v.devices, u"participants 4; main_device_group: xDrip 4"_s);
        QCOMPARE(v.demographics,
                 u"participants 4; age_bracket: 31-45 4; years_since_diagnosed_bracket: 11-20 4; gender: Female 4; "
                 "country_corrected: Germany 4"_s);
        const QString march = u"1 2024-03-01T10:00:00.000Z 2024-03-01T10:05:00.000Z"_s;
        QCOMPARE(participantsList(api),
                 (QStringList { u"A "_s + march, u"B "_s + march, u"C "_s + march, u"D "_s + march }));
        QCOMPARE(exported(api),
                 (QStringList { u"participant_summary A4 B4 C4 D4"_s, u"data_quality A1 B1 C1 D1"_s,
                                u"analytics_glucose_time_of_day A1 B1 C1 D1"_s,
                                u"analytics_loop_type_by_day A1 B1 C1 D1"_s, u"analytics_device_groups A1 B1 C1 D1"_s,
                                u"analytics_demographics A1 B1 C1 D1"_s }));

        // New data: A's April day (300 mg/dL, very high, at 10:00 again);
        // E's first data (200 and 220: high, not in range), so E counts now.
        QVERIFY(share(database, u'A', { { "2024-04-01T10:00:00", 300 } }).ok());
        QVERIFY(share(database, u'E', { { "2024-03-01T10:00:00", 200 }, { "2024-03-01T10:05:00", 220 } }).ok());

        v = ask(api);
        QCOMPARE(v.windowDiffers, QStringList());
        QCOMPARE(v.demographics,
                 u"participants 5; age_bracket: 31-45 5; years_since_diagnosed_bracket: 11-20 5; gender: Female 5; "
                 "country_corrected: Germany 5"_s);
        // Then only the survey import: D answers again, "Male" now (the
        // latest answer counts).
        QVERIFY(answerSurvey(database, { { "2/15/2024 09:00:00", u'D', "Male" } }).ok());
        v = ask(api);
        QCOMPARE(v.windowDiffers, QStringList());
        // April: A alone, withheld with its readings.
        QCOMPARE(v.overview,
                 u"participants 5; consent: openaps 5; days_with_data: 1-13 5; "
                 "months: 2024-03 5 (readings 10), 2024-04 - (readings -)"_s);
        // In range: A 2 of 3 (66.67 %), E 0, the others 100: E and A alone in
        // their cells (withheld), 90 % and over 3. Sorted 0 66.67 100 100 100;
        // A very high 33.33 %, E high 100 %, each alone above the others' 0.
        QCOMPARE(v.timeInRange,
                 u"participants 5; time_in_range: under 50 % -, 50-70 % -, 90 % and over 3; "
                 "time_below_range: under 1 % 5; "
                 "bands: very_low 5 (p25 0, p50 0, p75 0), low 5 (p25 0, p50 0, p75 0), "
                 "in_range 5 (p25 66.6667, p50 100, p75 100), high 5 (p25 0, p50 0, p75 0), "
                 "very_high 5 (p25 0, p50 0, p75 0)"_s);
        // Means: A (100 + 120 + 300) / 3 = 173.33, B 160, C 140, D 90, E 210;
        // sorted 90 140 160 173.33 210: p5 90 + 0.2 x 50, p95 173.33 + 0.8 x 36.67.
        QCOMPARE(v.glucose,
                 u"participants 5; bins: 10:00 5 (readings 11, p5 100, p25 140, p50 160, "
                 "p75 173.333, p95 202.667)"_s);
        QCOMPARE(v.glucoseBins, QStringList { u"10:00"_s });
        QCOMPARE(v.loopTypes, u"participants 5; 2024-03: closed loop 5 (days 5); 2024-04: closed loop - (days -)"_s);
        QCOMPARE(v.devices, u"participants 5; main_device_group: xDrip 5"_s);
        // Female 4, Male 1: the small one withheld, and Female with it (5 - 1).
        QCOMPARE(v.demographics,
                 u"participants 5; age_bracket: 31-45 5; years_since_diagnosed_bracket: 11-20 5; "
                 "gender: Female -, Male -; country_corrected: Germany 5"_s);
        QCOMPARE(participantsList(api),
                 (QStringList { u"A 2 2024-03-01T10:00:00.000Z 2024-04-01T10:00:00.000Z"_s, u"B "_s + march,
                                u"C "_s + march, u"D "_s + march, u"E "_s + march }));
        QCOMPARE(exported(api),
                 (QStringList { u"participant_summary A5 B4 C4 D4 E4"_s, u"data_quality A2 B1 C1 D1 E1"_s,
                                u"analytics_glucose_time_of_day A1 B1 C1 D1 E1"_s,
                                u"analytics_loop_type_by_day A2 B1 C1 D1 E1"_s,
                                u"analytics_device_groups A1 B1 C1 D1 E1"_s,
                                u"analytics_demographics A1 B1 C1 D2 E1"_s }));

        // B is erased: what B contributed is gone from every view.
        QVERIFY(site::eraseMember(database, keys, member(u'B')).ok());
        v = ask(api);
        QCOMPARE(v.windowDiffers, QStringList());
        QCOMPARE(v.overview,
                 u"participants 4; consent: openaps 4; days_with_data: 1-13 4; "
                 "months: 2024-03 4 (readings 8), 2024-04 - (readings -)"_s);
        // In range 0 (E), 66.67 (A), 100 (C, D): every cell under 3. Sorted
        // 0 66.67 100 100: p25 0.75 x 66.67, p50 (66.67 + 100) / 2; high
        // 0 0 0 100 and very high 0 0 0 33.33: p75 a quarter of the last.
        QCOMPARE(v.timeInRange,
                 u"participants 4; time_in_range: under 50 % -, 50-70 % -, 90 % and over -; "
                 "time_below_range: under 1 % 4; "
                 "bands: very_low 4 (p25 0, p50 0, p75 0), low 4 (p25 0, p50 0, p75 0), "
                 "in_range 4 (p25 50, p50 83.3333, p75 100), high 4 (p25 0, p50 0, p75 25), "
                 "very_high 4 (p25 0, p50 0, p75 8.33333)"_s);
        // Sorted 90 140 173.33 210.
        QCOMPARE(v.glucose,
                 u"participants 4; bins: 10:00 4 (readings 9, p5 97.5, p25 127.5, p50 156.667, "
                 "p75 182.5, p95 204.5)"_s);
        QCOMPARE(v.loopTypes, u"participants 4; 2024-03: closed loop 4 (days 4); 2024-04: closed loop - (days -)"_s);
        QCOMPARE(v.devices, u"participants 4; main_device_group: xDrip 4"_s);
        QCOMPARE(v.demographics,
                 u"participants 4; age_bracket: 31-45 4; years_since_diagnosed_bracket: 11-20 4; "
                 "gender: Female -, Male -; country_corrected: Germany 4"_s);
        QCOMPARE(participantsList(api),
                 (QStringList { u"A 2 2024-03-01T10:00:00.000Z 2024-04-01T10:00:00.000Z"_s, u"C "_s + march,
                                u"D "_s + march, u"E "_s + march }));
        QCOMPARE(exported(api),
                 (QStringList { u"participant_summary A5 C4 D4 E4"_s, u"data_quality A2 C1 D1 E1"_s,
                                u"analytics_glucose_time_of_day A1 C1 D1 E1"_s,
                                u"analytics_loop_type_by_day A2 C1 D1 E1"_s, u"analytics_device_groups A1 C1 D1 E1"_s,
                                u"analytics_demographics A1 C1 D2 E1"_s }));

        // E's consent changes to nsf: a researcher with scope openaps no
        // longer sees E, one with scope all sees E apart (and alone).
        const auto overview = [&api](const QByteArray &token) {
            return describe(api.get(u"/api/v1/cohort/overview"_s, token).json(), { "readings" });
        };
        QCOMPARE(overview(test::tokens::openaps), v.overview);
        QVERIFY(privacy::restampSourceEntity(database, pseudonym(u'E'), 1, {}).ok());
        QCOMPARE(overview(test::tokens::openaps),
                 u"participants 3; consent: openaps 3; days_with_data: 1-13 3; "
                 "months: 2024-03 3 (readings 6), 2024-04 - (readings -)"_s);
        QCOMPARE(overview(test::tokens::all),
                 u"participants 4; consent: openaps -, nsf -; days_with_data: 1-13 4; "
                 "months: 2024-03 4 (readings 8), 2024-04 - (readings -)"_s);

        // C and D are erased: two left, under k, so nothing is shown at all.
        QVERIFY(site::eraseMember(database, keys, member(u'C')).ok());
        QVERIFY(site::eraseMember(database, keys, member(u'D')).ok());
        v = ask(api);
        QCOMPARE(v.windowDiffers, QStringList());
        QCOMPARE(v.overview,
                 u"participants -; consent: openaps -, nsf -; days_with_data: 1-13 -; "
                 "months: 2024-03 - (readings -), 2024-04 - (readings -)"_s);
        QCOMPARE(v.timeInRange,
                 u"participants -; time_in_range: under 50 % -, 50-70 % -; time_below_range: under 1 % -; "
                 "bands: very_low - (p25 -, p50 -, p75 -), low - (p25 -, p50 -, p75 -), "
                 "in_range - (p25 -, p50 -, p75 -), high - (p25 -, p50 -, p75 -), "
                 "very_high - (p25 -, p50 -, p75 -)"_s);
        QCOMPARE(v.glucose, u"participants -; bins: 10:00 - (readings -, p5 -, p25 -, p50 -, p75 -, p95 -)"_s);
        QCOMPARE(v.glucoseBins, QStringList());
        QCOMPARE(v.loopTypes, u"participants -; 2024-03: closed loop - (days -); 2024-04: closed loop - (days -)"_s);
        QCOMPARE(v.devices, u"participants -; main_device_group: xDrip -"_s);
        QCOMPARE(v.demographics,
                 u"participants -; age_bracket: 31-45 -; years_since_diagnosed_bracket: 11-20 -; "
                 "gender: Female -; country_corrected: Germany -"_s);
        QCOMPARE(participantsList(api),
                 (QStringList { u"A 2 2024-03-01T10:00:00.000Z 2024-04-01T10:00:00.000Z"_s, u"E "_s + march }));
        QCOMPARE(exported(api),
                 (QStringList { u"participant_summary A5 E4"_s, u"data_quality A2 E1"_s,
                                u"analytics_glucose_time_of_day A1 E1"_s, u"analytics_loop_type_by_day A2 E1"_s,
                                u"analytics_device_groups A1 E1"_s, u"analytics_demographics A1 E1"_s }));
    }
};

QTEST_GUILESS_MAIN(TestCohortRecompute)
#include "tst_cohortrecompute.moc"
