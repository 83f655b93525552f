// The Nightscout stand-in answers like the documented v1 API, so that tests
// of the client and of ingest mean something: 4-day default window, default
// counts, newest first, string comparison of created_at, 401s.
#include "standins/nightscoutstandin.h"

#include "nightscout/credentials.h"
#include "synthetic/generator.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtTest>

using namespace openaps;
using ns::Collection;
using standins::NightscoutSite;
using standins::NightscoutStandIn;

namespace {

const QDateTime kNow(QDate(2024, 3, 10), QTime(12, 0), Qt::UTC);

struct Answer
{
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
};

QJsonObject recordAt(Collection collection, const QDateTime &t, const QString &id)
{
    QJsonObject r { { QStringLiteral("_id"), id } };
    if (collection == Collection::Entries)
        r.insert(QStringLiteral("date"), double(t.toMSecsSinceEpoch()));
    else
        r.insert(ns::dateField(collection), ns::isoUtc(t));
    return r;
}

QList<QJsonObject> fixture(const char *name)
{
    // ctest sets OPENAPS_TEST_SOURCE_DIR; run by hand, the compiled-in source dir serves.
    QString root = qEnvironmentVariable("OPENAPS_TEST_SOURCE_DIR");
    if (root.isEmpty())
        root = QStringLiteral(QT_TESTCASE_SOURCEDIR "/../..");
    QFile file(root + QLatin1String("/tests/fixtures/nightscout/") + QLatin1String(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QJsonObject> out;
    for (const QJsonValue &v : QJsonDocument::fromJson(file.readAll()).array())
        out.append(v.toObject());
    return out;
}

QStringList ids(const QJsonArray &array)
{
    QStringList out;
    for (const QJsonValue &v : array)
        out.append(v.toObject().value(QLatin1String("_id")).toString());
    return out;
}

} // namespace

class TestNightscoutStandIn : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void withoutDateFilterOnlyTheLastFourDays_data();
    void withoutDateFilterOnlyTheLastFourDays();
    void countDefaults_data();
    void countDefaults();
    void entryDateOperators_data();
    void entryDateOperators();
    void createdAtComparesAsStrings_data();
    void createdAtComparesAsStrings();
    void auth_data();
    void auth();
    void verifyAuthShapes_data();
    void verifyAuthShapes();
    void profileIgnoresFindProfilesFilters();
    void statusJson();
    void sitesBelowPathPrefixes();
    void recordsAddedBetweenCalls();
    void generatedParticipantAnswersLikeAStoredOne_data();
    void generatedParticipantAnswersLikeAStoredOne();
    void serverErrorOnTheNthRequestOnly();
    void malformedAndTruncatedBodies();

private:
    Answer get(const QString &pathAndQuery, const QByteArray &apiSecret = {}, const QString &site = {});

    std::unique_ptr<NightscoutStandIn> m_standIn;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

void TestNightscoutStandIn::init()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_standIn = std::make_unique<NightscoutStandIn>();
    QVERIFY(m_standIn->listen().ok());
    m_standIn->setClock([] { return kNow; });
}

void TestNightscoutStandIn::cleanup()
{
    m_standIn.reset();
    m_nam.reset();
}

Answer TestNightscoutStandIn::get(const QString &pathAndQuery, const QByteArray &apiSecret, const QString &site)
{
    QNetworkRequest request(QUrl(m_standIn->url(site).toString() + pathAndQuery));
    if (!apiSecret.isEmpty())
        request.setRawHeader("api-secret", apiSecret);
    std::unique_ptr<QNetworkReply> reply(m_nam->get(request));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(5000))
        return {};
    return { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll(), reply->error() };
}

void TestNightscoutStandIn::withoutDateFilterOnlyTheLastFourDays_data()
{
    QTest::addColumn<Collection>("collection");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("expected");
    // One record every 6 hours for 10 days up to now: 4 days back (inclusive) is 17 records.
    QTest::addRow("entries") << Collection::Entries << QStringLiteral("/api/v1/entries.json?count=1000") << 17;
    QTest::addRow("treatments") << Collection::Treatments << QStringLiteral("/api/v1/treatments.json?count=1000") << 17;
    QTest::addRow("devicestatus") << Collection::DeviceStatus << QStringLiteral("/api/v1/devicestatus.json?count=1000")
                                  << 17;
    QTest::addRow("entries, other filter only")
            << Collection::Entries << QStringLiteral("/api/v1/entries.json?count=1000&find[type]=sgv") << 17;
    QTest::addRow("profiles: no default window")
            << Collection::Profiles << QStringLiteral("/api/v1/profiles.json") << 41;
}

void TestNightscoutStandIn::withoutDateFilterOnlyTheLastFourDays()
{
    QFETCH(Collection, collection);
    QFETCH(QString, path);
    QFETCH(int, expected);
    for (int i = 0; i <= 40; ++i) {
        QJsonObject r = recordAt(collection, kNow.addSecs(-6 * 3600 * i), QStringLiteral("r%1").arg(i));
        r.insert(QStringLiteral("type"), QStringLiteral("sgv"));
        m_standIn->site().store().add(collection, r);
    }
    const Answer answer = get(path);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.array().size(), expected);
}

void TestNightscoutStandIn::countDefaults_data()
{
    QTest::addColumn<Collection>("collection");
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("expected");
    QTest::addRow("entries: 10") << Collection::Entries << QString() << 10;
    QTest::addRow("treatments: 100") << Collection::Treatments << QString() << 100;
    QTest::addRow("devicestatus: 10") << Collection::DeviceStatus << QString() << 10;
    QTest::addRow("explicit count") << Collection::Treatments << QStringLiteral("count=7") << 7;
    QTest::addRow("count=0 is no limit") << Collection::Entries << QStringLiteral("count=0") << 150;
    QTest::addRow("count not a number: default") << Collection::Entries << QStringLiteral("count=many") << 10;
}

void TestNightscoutStandIn::countDefaults()
{
    QFETCH(Collection, collection);
    QFETCH(QString, query);
    QFETCH(int, expected);
    for (int i = 0; i < 150; ++i)
        m_standIn->site().store().add(collection,
                                      recordAt(collection, kNow.addSecs(-60 * i), QStringLiteral("r%1").arg(i)));
    const Answer answer = get(QLatin1String("/api/v1/") + ns::collectionEndpoint(collection) + QLatin1Char('?')
                              + query);
    QCOMPARE(answer.status, 200);
    const QJsonArray array = answer.array();
    QCOMPARE(array.size(), expected);
    // Newest first.
    QCOMPARE(array.first().toObject().value(QLatin1String("_id")).toString(), QStringLiteral("r0"));
    QCOMPARE(array.at(1).toObject().value(QLatin1String("_id")).toString(), QStringLiteral("r1"));
}

void TestNightscoutStandIn::entryDateOperators_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("expected");
    auto list = [](const char *csv) { return QString::fromLatin1(csv).split(QLatin1Char(','), Qt::SkipEmptyParts); };
    QTest::addRow("$gt") << QStringLiteral("find[date][$gt]=2000") << list("e3,e4");
    QTest::addRow("$gte") << QStringLiteral("find[date][$gte]=2000") << list("e3,e4,e2a,e2b");
    QTest::addRow("$lt") << QStringLiteral("find[date][$lt]=2000") << list("e1");
    QTest::addRow("$lte") << QStringLiteral("find[date][$lte]=2000") << list("e2a,e2b,e1");
    QTest::addRow("equal") << QStringLiteral("find[date]=2000") << list("e2a,e2b");
    QTest::addRow("window ($gt, $lte]") << QStringLiteral("find[date][$gt]=1000&find[date][$lte]=3000")
                                        << list("e3,e2a,e2b");
    QTest::addRow("window, count 1") << QStringLiteral("find[date][$gt]=1000&find[date][$lte]=3000&count=1")
                                     << list("e3");
    QTest::addRow("string date never matches") << QStringLiteral("find[date][$gte]=0") << list("e4,e3,e2a,e2b,e1");
}

void TestNightscoutStandIn::entryDateOperators()
{
    QFETCH(QString, query);
    QFETCH(QStringList, expected);
    auto add = [this](const char *id, QJsonValue date) {
        m_standIn->site().store().add(
                Collection::Entries,
                QJsonObject { { QStringLiteral("_id"), QLatin1String(id) }, { QStringLiteral("date"), date } });
    };
    add("e1", 1000);
    add("e2a", 2000);
    add("e2b", 2000);
    add("e3", 3000);
    add("e4", 4000);
    add("string-date", QStringLiteral("2500"));
    const QString count = query.contains(QLatin1String("count=")) ? QString() : QStringLiteral("count=100&");
    const Answer answer = get(QLatin1String("/api/v1/entries.json?") + count + query);
    QCOMPARE(answer.status, 200);
    QStringList got = ids(answer.array());
    // Records sharing a timestamp may come in any order.
    auto sorted = [](QStringList l) {
        l.sort();
        return l;
    };
    QCOMPARE(sorted(got), sorted(expected));
    QCOMPARE(got.size(), expected.size());
}

void TestNightscoutStandIn::createdAtComparesAsStrings_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QStringList>("expected");
    auto list = [](const char *csv) { return QString::fromLatin1(csv).split(QLatin1Char(','), Qt::SkipEmptyParts); };
    // "…10:00:00-07:00" is 17:00 UTC but sorts as text before "…10:30:00.000Z".
    // ("+" sorts before ".", so "11:00:00+01:00" is below "11:00:00.000Z" too.)
    QTest::addRow("$gte 11:00Z excludes 10:00-07:00")
            << QStringLiteral("find[created_at][$gte]=2024-03-01T11:00:00.000Z") << list("65e1a0000000000000000002");
    QTest::addRow("$lt 10:30Z includes 10:00-07:00")
            << QStringLiteral("find[created_at][$lt]=2024-03-01T10:30:00.000Z") << list("65e1a0000000000000000001");
    QTest::addRow("window by text") << QStringLiteral(
            "find[created_at][$gt]=2024-03-01T10:00:00Z&find[created_at][$lte]=2024-03-01T11:00:00.000Z")
                                    << list("65e1a0000000000000000004,65e1a0000000000000000003");
    QTest::addRow("the whole day, newest text first")
            << QStringLiteral("find[created_at][$gte]=2024-03-01&find[created_at][$lt]=2024-03-02")
            << list("65e1a0000000000000000002,65e1a0000000000000000004,65e1a0000000000000000003,65e1a0000000000000000001");
}

void TestNightscoutStandIn::createdAtComparesAsStrings()
{
    QFETCH(QString, query);
    QFETCH(QStringList, expected);
    const auto records = fixture("treatments-mixed-offsets.json");
    QCOMPARE(records.size(), 5);
    m_standIn->site().store().add(Collection::Treatments, records);
    const Answer answer = get(QLatin1String("/api/v1/treatments.json?count=100&") + query);
    QCOMPARE(answer.status, 200);
    QCOMPARE(ids(answer.array()), expected);
}

void TestNightscoutStandIn::auth_data()
{
    QTest::addColumn<NightscoutSite::Auth>("auth");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("secretHeader");
    QTest::addColumn<int>("status");
    const QByteArray sha1 = ns::Credentials::hashSecret(QStringLiteral("a long api secret"));
    using A = NightscoutSite::Auth;
    QTest::addRow("open, nothing") << A::Open << QString() << QByteArray() << 200;
    QTest::addRow("open, unknown token") << A::Open << QStringLiteral("token=nobody") << QByteArray() << 200;
    QTest::addRow("token, nothing") << A::Token << QString() << QByteArray() << 401;
    QTest::addRow("token, wrong token") << A::Token << QStringLiteral("token=reader-0000") << QByteArray() << 401;
    QTest::addRow("token, right token") << A::Token << QStringLiteral("token=reader-1234") << QByteArray() << 200;
    QTest::addRow("secret, nothing") << A::ApiSecret << QString() << QByteArray() << 401;
    QTest::addRow("secret, plain text") << A::ApiSecret << QString() << QByteArray("a long api secret") << 401;
    QTest::addRow("secret, wrong hash") << A::ApiSecret << QString() << QByteArray(40, 'a') << 401;
    QTest::addRow("secret, SHA-1") << A::ApiSecret << QString() << sha1 << 200;
    QTest::addRow("secret, SHA-1 upper case") << A::ApiSecret << QString() << sha1.toUpper() << 200;
}

void TestNightscoutStandIn::auth()
{
    QFETCH(NightscoutSite::Auth, auth);
    QFETCH(QString, query);
    QFETCH(QByteArray, secretHeader);
    QFETCH(int, status);
    if (auth == NightscoutSite::Auth::Token)
        m_standIn->site().requireToken(QStringLiteral("reader-1234"));
    if (auth == NightscoutSite::Auth::ApiSecret)
        m_standIn->site().requireApiSecret(QStringLiteral("a long api secret"));
    for (const char *path : { "/api/v1/entries.json?", "/api/v1/treatments.json?", "/api/v1/devicestatus.json?",
                              "/api/v1/profile.json?", "/api/v1/profiles.json?" }) {
        const Answer answer = get(QLatin1String(path) + query, secretHeader);
        QCOMPARE(answer.status, status);
        if (status == 401) {
            QCOMPARE(answer.object().value(QLatin1String("status")).toInt(), 401);
            QCOMPARE(answer.object().value(QLatin1String("message")).toString(), QStringLiteral("Unauthorized"));
        } else {
            QVERIFY(QJsonDocument::fromJson(answer.body).isArray());
        }
    }
    QCOMPARE(get(QStringLiteral("/api/v1/status.json")).status, 200); // always answers
}

void TestNightscoutStandIn::verifyAuthShapes_data()
{
    QTest::addColumn<NightscoutSite::Auth>("auth");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("secretHeader");
    QTest::addColumn<bool>("canRead");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("isAdmin");
    using A = NightscoutSite::Auth;
    const QByteArray sha1 = ns::Credentials::hashSecret(QStringLiteral("a long api secret"));
    QTest::addRow("open, nothing: default role")
            << A::Open << QString() << QByteArray() << true << QStringLiteral("UNAUTHORIZED") << false;
    QTest::addRow("token site, nothing") << A::Token << QString() << QByteArray() << false
                                         << QStringLiteral("UNAUTHORIZED") << false;
    QTest::addRow("token site, right token")
            << A::Token << QStringLiteral("token=reader-1234") << QByteArray() << true << QStringLiteral("OK") << false;
    QTest::addRow("token site, wrong token") << A::Token << QStringLiteral("token=x") << QByteArray() << false
                                             << QStringLiteral("UNAUTHORIZED") << false;
    QTest::addRow("secret site, secret") << A::ApiSecret << QString() << sha1 << true << QStringLiteral("OK") << true;
}

void TestNightscoutStandIn::verifyAuthShapes()
{
    QFETCH(NightscoutSite::Auth, auth);
    QFETCH(QString, query);
    QFETCH(QByteArray, secretHeader);
    QFETCH(bool, canRead);
    QFETCH(QString, message);
    QFETCH(bool, isAdmin);
    if (auth == NightscoutSite::Auth::Token)
        m_standIn->site().requireToken(QStringLiteral("reader-1234"));
    if (auth == NightscoutSite::Auth::ApiSecret)
        m_standIn->site().requireApiSecret(QStringLiteral("a long api secret"));
    const Answer answer = get(QLatin1String("/api/v1/verifyauth?") + query, secretHeader);
    QCOMPARE(answer.status, 200);
    const QJsonObject info = answer.object().value(QLatin1String("message")).toObject();
    QCOMPARE(info.value(QLatin1String("canRead")).toBool(), canRead);
    QCOMPARE(info.value(QLatin1String("message")).toString(), message);
    QCOMPARE(info.value(QLatin1String("isAdmin")).toBool(), isAdmin);
}

void TestNightscoutStandIn::profileIgnoresFindProfilesFilters()
{
    for (int i = 0; i < 3; ++i)
        m_standIn->site().store().add(Collection::Profiles,
                                      recordAt(Collection::Profiles,
                                               QDateTime(QDate(2023, 1 + i, 1), QTime(0, 0), Qt::UTC),
                                               QStringLiteral("p%1").arg(i)));
    const QString find = QStringLiteral("?find[startDate][$gte]=2023-02-01T00:00:00.000Z");
    QCOMPARE(ids(get(QLatin1String("/api/v1/profile.json") + find).array()),
             (QStringList { QStringLiteral("p2"), QStringLiteral("p1"), QStringLiteral("p0") }));
    QCOMPARE(ids(get(QLatin1String("/api/v1/profiles.json") + find).array()),
             (QStringList { QStringLiteral("p2"), QStringLiteral("p1") }));
}

void TestNightscoutStandIn::statusJson()
{
    const QJsonObject status = get(QStringLiteral("/api/v1/status.json")).object();
    QCOMPARE(status.value(QLatin1String("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(status.value(QLatin1String("name")).toString(), QStringLiteral("nightscout"));
    QCOMPARE(status.value(QLatin1String("serverTime")).toString(), QStringLiteral("2024-03-10T12:00:00.000Z"));
    QVERIFY(status.value(QLatin1String("apiEnabled")).toBool());
}

void TestNightscoutStandIn::sitesBelowPathPrefixes()
{
    m_standIn->site(QStringLiteral("alice"))
            .store()
            .add(Collection::Entries, recordAt(Collection::Entries, kNow, QStringLiteral("a")));
    m_standIn->site(QStringLiteral("bob")).requireToken(QStringLiteral("bobs-token"));
    QCOMPARE(m_standIn->url(QStringLiteral("alice")).path(), QStringLiteral("/alice"));
    QCOMPARE(ids(get(QStringLiteral("/api/v1/entries.json"), {}, QStringLiteral("alice")).array()),
             QStringList { QStringLiteral("a") });
    QCOMPARE(get(QStringLiteral("/api/v1/entries.json"), {}, QStringLiteral("bob")).status, 401);
    QVERIFY(get(QStringLiteral("/api/v1/entries.json")).array().isEmpty()); // the root site has nothing
    QCOMPARE(get(QStringLiteral("/api/v1/entries.json"), {}, QStringLiteral("carol")).status, 404);
    QCOMPARE(m_standIn->site(QStringLiteral("alice")).requestCount(), 1);
    QVERIFY(get(QStringLiteral("/")).body.contains("alice"));
}

void TestNightscoutStandIn::recordsAddedBetweenCalls()
{
    standins::NightscoutStore &store = m_standIn->site().store();
    store.add(Collection::Entries, recordAt(Collection::Entries, kNow.addSecs(-600), QStringLiteral("old")));
    QCOMPARE(get(QStringLiteral("/api/v1/entries.json")).array().size(), 1);
    store.add(Collection::Entries, recordAt(Collection::Entries, kNow, QStringLiteral("new")));
    store.add(Collection::Entries,
              QJsonObject { { QStringLiteral("date"), double(kNow.addSecs(-300).toMSecsSinceEpoch()) } });
    const QJsonArray array = get(QStringLiteral("/api/v1/entries.json")).array();
    QCOMPARE(array.size(), 3);
    QCOMPARE(array.first().toObject().value(QLatin1String("_id")).toString(), QStringLiteral("new"));
    // A record stored without an id gets an ObjectId-like one.
    QCOMPARE(array.at(1).toObject().value(QLatin1String("_id")).toString().size(), 24);
}

void TestNightscoutStandIn::generatedParticipantAnswersLikeAStoredOne_data()
{
    QTest::addColumn<QString>("query");
    QTest::addRow("entries, defaults (4 days, 10)") << QStringLiteral("/api/v1/entries.json");
    QTest::addRow("entries, window") << QStringLiteral(
            "/api/v1/entries.json?find[date][$gt]=1709640000000&find[date][$lte]=1709726400000&count=500");
    QTest::addRow("entries, count 0 in a window") << QStringLiteral(
            "/api/v1/entries.json?find[date][$gte]=1709700000000&find[date][$lt]=1709800000000&count=0");
    QTest::addRow("treatments, defaults") << QStringLiteral("/api/v1/treatments.json");
    QTest::addRow("treatments, text window") << QStringLiteral(
            "/api/v1/treatments.json?find[created_at][$gt]=2024-03-05T00:00:00.000Z&find[created_at][$lte]=2024-03-06T06:00:00.000Z&count=300");
    QTest::addRow("devicestatus, only an upper bound")
            << QStringLiteral("/api/v1/devicestatus.json?find[created_at][$lte]=2024-03-04T10:00:00.000Z&count=40");
    QTest::addRow("devicestatus, date-only bounds") << QStringLiteral(
            "/api/v1/devicestatus.json?find[created_at][$gte]=2024-03-03&find[created_at][$lt]=2024-03-04&count=0");
    QTest::addRow("profiles, all") << QStringLiteral("/api/v1/profiles.json");
    QTest::addRow("profiles, since") << QStringLiteral(
            "/api/v1/profiles.json?find[startDate][$gte]=2023-06-01T00:00:00.000Z");
    QTest::addRow("profile.json") << QStringLiteral("/api/v1/profile.json");
}

void TestNightscoutStandIn::generatedParticipantAnswersLikeAStoredOne()
{
    QFETCH(QString, query);
    synthetic::Options options;
    options.seed = 5;
    options.start = QDateTime(QDate(2023, 1, 1), QTime(0, 0), Qt::UTC);
    options.end = kNow.addDays(-2);
    options.messLevel = 2; // offsets in created_at, duplicates at one instant
    auto generator = std::make_shared<synthetic::Generator>(options);
    // The stored twin holds only what the queries can reach, plus all profiles.
    NightscoutStandIn stored;
    QVERIFY(stored.listen().ok());
    stored.setClock([] { return kNow; });
    stored.site().store().seed(*generator, QDateTime(QDate(2024, 2, 20), QTime(0, 0), Qt::UTC), options.end);
    stored.site().store().add(Collection::Profiles,
                              generator->records(Collection::Profiles, options.start, options.end));
    m_standIn->site().store().serveGenerated(generator);
    // Records added on top of a generated participant are merged in.
    const QJsonObject extra = recordAt(Collection::Entries, kNow.addDays(-3), QStringLiteral("added"));
    stored.site().store().add(Collection::Entries, extra);
    m_standIn->site().store().add(Collection::Entries, extra);

    QNetworkRequest request(QUrl(stored.url().toString() + query));
    std::unique_ptr<QNetworkReply> reply(m_nam->get(request));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    const QJsonArray want = QJsonDocument::fromJson(reply->readAll()).array();
    const QJsonArray got = get(query).array();
    QVERIFY(!want.isEmpty());
    QCOMPARE(got.size(), want.size());
    QCOMPARE(got, want);
}

void TestNightscoutStandIn::serverErrorOnTheNthRequestOnly()
{
    NightscoutSite::Faults faults;
    faults.failure = NightscoutSite::Faults::Failure::ServerError;
    faults.onlyRequest = 2;
    m_standIn->site().setFaults(faults);
    QCOMPARE(get(QStringLiteral("/api/v1/entries.json")).status, 200);
    QCOMPARE(get(QStringLiteral("/api/v1/entries.json")).status, 500);
    QCOMPARE(get(QStringLiteral("/api/v1/entries.json")).status, 200);
    faults.onlyRequest = 0;
    m_standIn->site().setFaults(faults);
    QCOMPARE(get(QStringLiteral("/api/v1/status.json")).status, 500);
    QCOMPARE(get(QStringLiteral("/api/v1/entries.json")).status, 500);
}

void TestNightscoutStandIn::malformedAndTruncatedBodies()
{
    m_standIn->site().store().add(Collection::Entries, recordAt(Collection::Entries, kNow, QStringLiteral("x")));
    NightscoutSite::Faults faults;
    faults.failure = NightscoutSite::Faults::Failure::MalformedJson;
    m_standIn->site().setFaults(faults);
    Answer answer = get(QStringLiteral("/api/v1/entries.json"));
    QCOMPARE(answer.status, 200);
    QJsonParseError error;
    QJsonDocument::fromJson(answer.body, &error);
    QVERIFY(error.error != QJsonParseError::NoError);

    faults.failure = NightscoutSite::Faults::Failure::TruncatedBody;
    m_standIn->site().setFaults(faults);
    answer = get(QStringLiteral("/api/v1/entries.json"));
    QVERIFY(answer.error != QNetworkReply::NoError || QJsonDocument::fromJson(answer.body).isNull());
}

QTEST_GUILESS_MAIN(TestNightscoutStandIn)
#include "tst_nightscoutstandin.moc"
