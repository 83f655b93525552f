// The synthetic participant: reproducible, window-independent, plausible,
// and showing every messy shape of real Nightscout data.
#include "synthetic/generator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using openaps::ns::Collection;
using namespace openaps::synthetic;

namespace {

const QDateTime kStart(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC);

Options options(quint64 seed, int days, int mess, LoopFlavour flavour = LoopFlavour::OpenAPS)
{
    Options o;
    o.seed = seed;
    o.start = kStart;
    o.end = kStart.addDays(days);
    o.messLevel = mess;
    o.flavour = flavour;
    return o;
}

QByteArray dump(const QList<QJsonObject> &records)
{
    QByteArray out;
    for (const QJsonObject &r : records)
        out += QJsonDocument(r).toJson(QJsonDocument::Compact) + '\n';
    return out;
}

const QList<Collection> kAll { Collection::Entries, Collection::Treatments, Collection::DeviceStatus,
                               Collection::Profiles };

} // namespace

class TestSyntheticGenerator : public QObject
{
    Q_OBJECT

private slots:
    void sameSeedSameRecords_data();
    void sameSeedSameRecords();
    void differentSeedDifferentRecords();
    void windowsSplitAnywhereGiveTheSameRecords_data();
    void windowsSplitAnywhereGiveTheSameRecords();
    void recordsAreOrderedInsideTheWindowWithObjectIds();
    void cgmLooksLikeADayOfLife();
    void treatmentsCoverTheUsualEvents();
    void devicestatusShapes_data();
    void devicestatusShapes();
    void profilesCarryTheTimeZone();
    void messyShapesAppear_data();
    void messyShapesAppear();
    void cleanLevelHasNoMessyShapes();
};

void TestSyntheticGenerator::sameSeedSameRecords_data()
{
    QTest::addColumn<Collection>("collection");
    QTest::addRow("entries") << Collection::Entries;
    QTest::addRow("treatments") << Collection::Treatments;
    QTest::addRow("devicestatus") << Collection::DeviceStatus;
    QTest::addRow("profiles") << Collection::Profiles;
}

void TestSyntheticGenerator::sameSeedSameRecords()
{
    QFETCH(Collection, collection);
    const Generator a(options(42, 200, 2));
    const Generator b(options(42, 200, 2));
    const QDateTime to = collection == Collection::Profiles ? kStart.addDays(200) : kStart.addDays(2);
    const auto first = a.records(collection, kStart, to);
    QVERIFY(!first.isEmpty());
    QCOMPARE(dump(first), dump(b.records(collection, kStart, to)));
}

void TestSyntheticGenerator::differentSeedDifferentRecords()
{
    const Generator a(options(1, 2, 1));
    const Generator b(options(2, 2, 1));
    QVERIFY(dump(a.records(Collection::Entries, kStart, kStart.addDays(1)))
            != dump(b.records(Collection::Entries, kStart, kStart.addDays(1))));
}

void TestSyntheticGenerator::windowsSplitAnywhereGiveTheSameRecords_data()
{
    QTest::addColumn<Collection>("collection");
    QTest::addColumn<qint64>("splitMs");
    const qint64 odd = ((13 * 60 + 17) * 60 + 42) * 1000 + 500;
    for (Collection c : kAll) {
        const QString name = openaps::ns::collectionName(c);
        QTest::addRow("%s split at midnight", qPrintable(name)) << c << qint64(86400000);
        QTest::addRow("%s split at an odd instant", qPrintable(name)) << c << odd;
    }
}

void TestSyntheticGenerator::windowsSplitAnywhereGiveTheSameRecords()
{
    QFETCH(Collection, collection);
    QFETCH(qint64, splitMs);
    const Generator g(options(7, 400, 2, LoopFlavour::Loop));
    const int days = collection == Collection::Profiles ? 400 : 2;
    const QDateTime from = kStart.addMSecs(-3600000); // before the start: nothing there
    const QDateTime to = kStart.addDays(days);
    const QDateTime split = kStart.addMSecs(collection == Collection::Profiles ? splitMs * 90 : splitMs);
    const auto whole = g.records(collection, from, to);
    auto pieces = g.records(collection, from, split);
    pieces += g.records(collection, split, to);
    QVERIFY(!whole.isEmpty());
    QCOMPARE(dump(pieces), dump(whole));
}

void TestSyntheticGenerator::recordsAreOrderedInsideTheWindowWithObjectIds()
{
    const Generator g(options(3, 3, 2, LoopFlavour::AndroidAPS));
    const QDateTime from = kStart.addSecs(3600 * 5 + 7);
    const QDateTime to = kStart.addDays(2).addSecs(-61);
    static const QRegularExpression objectId(QStringLiteral("^[0-9a-f]{24}$"));
    QSet<QString> ids;
    for (Collection c : { Collection::Entries, Collection::Treatments, Collection::DeviceStatus }) {
        QDateTime previous = from;
        for (const QJsonObject &r : g.records(c, from, to)) {
            const QDateTime t = Generator::recordTime(c, r);
            QVERIFY2(t >= previous && t < to, QJsonDocument(r).toJson().constData());
            previous = t;
            const QString id = r.value(QLatin1String("_id")).toString();
            QVERIFY2(objectId.match(id).hasMatch(), qPrintable(id));
            // The first 8 hex digits are the record's time in seconds.
            QCOMPARE(id.left(8).toLongLong(nullptr, 16), t.toSecsSinceEpoch());
            QVERIFY2(!ids.contains(id), qPrintable(id));
            ids.insert(id);
        }
    }
    QVERIFY(ids.size() > 1000);
}

void TestSyntheticGenerator::cgmLooksLikeADayOfLife()
{
    const int days = 30;
    const Generator g(options(11, days, 0));
    int sgv = 0, mbg = 0, cal = 0, low = 0, high = 0, longestGapMinutes = 0;
    double sum = 0;
    qint64 previous = 0;
    for (const QJsonObject &e : g.records(Collection::Entries, kStart, kStart.addDays(days))) {
        const QString type = e.value(QLatin1String("type")).toString();
        if (type == QLatin1String("mbg")) {
            ++mbg;
            continue;
        }
        if (type == QLatin1String("cal")) {
            ++cal;
            continue;
        }
        QCOMPARE(type, QStringLiteral("sgv"));
        const int value = e.value(QLatin1String("sgv")).toInt();
        QVERIFY(value >= 40 && value <= 400);
        ++sgv;
        sum += value;
        low += value < 70;
        high += value > 180;
        const qint64 date = qint64(e.value(QLatin1String("date")).toDouble());
        if (previous)
            longestGapMinutes = qMax(longestGapMinutes, int((date - previous) / 60000));
        previous = date;
    }
    const double mean = sum / sgv;
    qInfo() << "sgv" << sgv << "mean" << mean << "low%" << 100.0 * low / sgv << "high%" << 100.0 * high / sgv
            << "longest gap min" << longestGapMinutes;
    QVERIFY(sgv > days * 288 * 0.9 && sgv < days * 288);
    QVERIFY(mean > 110 && mean < 190);
    QVERIFY(low > 0 && low < sgv / 10);
    QVERIFY(high > sgv / 20 && high < sgv / 2);
    QVERIFY(longestGapMinutes >= 120); // sensor warm-up
    QVERIFY(mbg >= days / 2);
    QCOMPARE(cal, days * 2);
}

void TestSyntheticGenerator::treatmentsCoverTheUsualEvents()
{
    QMap<QString, int> counts;
    for (LoopFlavour flavour : { LoopFlavour::OpenAPS, LoopFlavour::Loop }) {
        const Generator g(options(5, 20, 0, flavour));
        for (const QJsonObject &t : g.records(Collection::Treatments, kStart, kStart.addDays(20)))
            ++counts[t.value(QLatin1String("eventType")).toString()];
    }
    for (const char *type : { "Meal Bolus", "Carb Correction", "Correction Bolus", "Temp Basal", "Temporary Target",
                              "Temporary Override", "BG Check", "Site Change", "Sensor Start" })
        QVERIFY2(counts.value(QLatin1String(type)) > 0, type);
    QVERIFY(counts.value(QStringLiteral("Temp Basal")) > 20 * 50);
}

void TestSyntheticGenerator::devicestatusShapes_data()
{
    QTest::addColumn<LoopFlavour>("flavour");
    QTest::addColumn<QStringList>("paths");
    QTest::addRow("OpenAPS") << LoopFlavour::OpenAPS
                             << QString::fromLatin1(
                                        "openaps/iob,openaps/suggested/predBGs,openaps/enacted,pump/battery")
                                        .split(QLatin1Char(','));
    QTest::addRow("AndroidAPS") << LoopFlavour::AndroidAPS
                                << QString::fromLatin1("openaps/iob,openaps/suggested,openaps/enacted,uploaderBattery")
                                           .split(QLatin1Char(','));
    QTest::addRow("Loop") << LoopFlavour::Loop
                          << QString::fromLatin1("loop/iob,loop/cob,loop/enacted,loop/predicted/values,pump/reservoir")
                                     .split(QLatin1Char(','));
}

void TestSyntheticGenerator::devicestatusShapes()
{
    QFETCH(LoopFlavour, flavour);
    QFETCH(QStringList, paths);
    const Generator g(options(9, 1, 0, flavour));
    const auto statuses = g.records(Collection::DeviceStatus, kStart, kStart.addDays(1));
    QVERIFY(statuses.size() > 250);
    for (const QString &path : paths) {
        bool found = false;
        for (const QJsonObject &s : statuses) {
            QJsonValue v = s;
            for (const QString &key : path.split(QLatin1Char('/')))
                v = v.toObject().value(key);
            found = found || !v.isUndefined();
        }
        QVERIFY2(found, qPrintable(path));
    }
}

void TestSyntheticGenerator::profilesCarryTheTimeZone()
{
    Options o = options(4, 365, 0);
    o.timeZone = QTimeZone("Europe/Berlin");
    const Generator g(o);
    const auto profiles = g.records(Collection::Profiles, kStart, kStart.addDays(365));
    QVERIFY(profiles.size() >= 3 && profiles.size() <= 9);
    QCOMPARE(profiles.first().value(QLatin1String("startDate")).toString(), QStringLiteral("2024-01-01T00:00:00.000Z"));
    const QJsonObject store =
            profiles.first().value(QLatin1String("store")).toObject().value(QLatin1String("Default")).toObject();
    QCOMPARE(store.value(QLatin1String("timezone")).toString(), QStringLiteral("Europe/Berlin"));
    QVERIFY(store.value(QLatin1String("basal")).toArray().size() >= 3);
    // Entries carry local time: Berlin is UTC+1 in January, UTC+2 in July.
    const auto january = g.records(Collection::Entries, kStart, kStart.addSecs(3600));
    QVERIFY(january.first().value(QLatin1String("dateString")).toString().endsWith(QLatin1String("+01:00")));
    const QDateTime july(QDate(2024, 7, 1), QTime(12, 0), Qt::UTC);
    const auto summer = g.records(Collection::Entries, july, july.addSecs(3600));
    QVERIFY(summer.first().value(QLatin1String("dateString")).toString().endsWith(QLatin1String("+02:00")));
}

namespace {

using Check = std::function<bool(Collection, const QJsonObject &)>;

bool hasNul(const QJsonObject &r)
{
    return r.value(QLatin1String("device")).toString().contains(QChar(u'\0'));
}

bool hasStringNumber(Collection c, const QJsonObject &r)
{
    if (c == Collection::Entries)
        return r.value(QLatin1String("sgv")).isString();
    if (c == Collection::Treatments)
        return r.value(QLatin1String("insulin")).isString() || r.value(QLatin1String("carbs")).isString()
                || r.value(QLatin1String("absolute")).isString();
    return false;
}

bool hasLocalOffset(Collection c, const QJsonObject &r)
{
    if (c == Collection::Entries || c == Collection::Profiles)
        return false;
    static const QRegularExpression offset(QStringLiteral("[+-]\\d\\d:\\d\\d$"));
    return offset.match(r.value(QLatin1String("created_at")).toString()).hasMatch();
}

QJsonValue at(const QJsonObject &r, const char *path)
{
    QJsonValue v = r;
    for (const QString &key : QString::fromLatin1(path).split(QLatin1Char('/')))
        v = v.toObject().value(key);
    return v;
}

} // namespace

void TestSyntheticGenerator::messyShapesAppear_data()
{
    QTest::addColumn<Collection>("collection");
    QTest::addColumn<Check>("check");
    QTest::addRow("numbers as strings (entries)") << Collection::Entries << Check(hasStringNumber);
    QTest::addRow("numbers as strings (treatments)") << Collection::Treatments << Check(hasStringNumber);
    QTest::addRow("created_at with a local offset (treatments)") << Collection::Treatments << Check(hasLocalOffset);
    QTest::addRow("created_at with a local offset (devicestatus)") << Collection::DeviceStatus << Check(hasLocalOffset);
    QTest::addRow("NUL in device (entries)")
            << Collection::Entries << Check([](Collection, const QJsonObject &r) { return hasNul(r); });
    QTest::addRow("NUL in device (devicestatus)")
            << Collection::DeviceStatus << Check([](Collection, const QJsonObject &r) { return hasNul(r); });
    QTest::addRow("noise Clean") << Collection::Entries << Check([](Collection, const QJsonObject &r) {
        return r.value(QLatin1String("noise")).toString() == QLatin1String("Clean");
    });
    QTest::addRow("openaps.iob as an array")
            << Collection::DeviceStatus
            << Check([](Collection, const QJsonObject &r) { return at(r, "openaps/iob").isArray(); });
    QTest::addRow("recieved") << Collection::DeviceStatus << Check([](Collection, const QJsonObject &r) {
        return at(r, "openaps/enacted/recieved").toBool();
    });
    QTest::addRow("received") << Collection::DeviceStatus << Check([](Collection, const QJsonObject &r) {
        return at(r, "openaps/enacted/received").toBool();
    });
    QTest::addRow("big devicestatus with predictions")
            << Collection::DeviceStatus << Check([](Collection, const QJsonObject &r) {
                   return at(r, "openaps/suggested/predBGs/UAM").toArray().size() >= 48
                           && QJsonDocument(r).toJson(QJsonDocument::Compact).size() > 2000;
               });
    QTest::addRow("profile values as strings")
            << Collection::Profiles
            << Check([](Collection, const QJsonObject &r) { return at(r, "store/Default/dia").isString(); });
}

void TestSyntheticGenerator::messyShapesAppear()
{
    QFETCH(Collection, collection);
    QFETCH(Check, check);
    const Generator g(options(21, 2000, 2));
    const QDateTime to = kStart.addDays(collection == Collection::Profiles ? 2000 : 3);
    int hits = 0;
    g.generate(collection, kStart, to, [&](const QJsonObject &r) { hits += check(collection, r); });
    QVERIFY(hits > 0);
}

void TestSyntheticGenerator::cleanLevelHasNoMessyShapes()
{
    const Generator g(options(21, 3, 0));
    for (Collection c : kAll) {
        QMap<QString, int> perTime;
        for (const QJsonObject &r : g.records(c, kStart, kStart.addDays(3))) {
            QVERIFY(!hasNul(r));
            QVERIFY(!hasStringNumber(c, r));
            QVERIFY(!hasLocalOffset(c, r));
            QVERIFY(!at(r, "openaps/iob").isArray());
            QVERIFY(r.value(QLatin1String("noise")).toString() != QLatin1String("Clean"));
            ++perTime[openaps::synthetic::Generator::recordTime(c, r).toString(Qt::ISODateWithMs)
                      + r.value(QLatin1String("eventType")).toString() + r.value(QLatin1String("type")).toString()];
        }
        for (int n : std::as_const(perTime))
            QCOMPARE(n, 1); // no duplicates from a second uploader
    }
    // ...while at level 2 the same reading comes from two uploaders.
    const Generator messy(options(21, 3, 2));
    QMap<qint64, int> perDate;
    for (const QJsonObject &r : messy.records(Collection::Entries, kStart, kStart.addDays(1)))
        ++perDate[qint64(r.value(QLatin1String("date")).toDouble())];
    QVERIFY(std::any_of(perDate.cbegin(), perDate.cend(), [](int n) { return n == 2; }));
}

QTEST_GUILESS_MAIN(TestSyntheticGenerator)
#include "tst_syntheticgenerator.moc"
