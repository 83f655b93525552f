// The Nightscout client reading a stand-in over loopback HTTP: complete
// windows, page edges shared by several records, explicit bounds, faults,
// credentials and incremental reads.
#include "nstestsupport.h"

#include "synthetic/generator.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QtTest>

#include <algorithm>

using namespace openaps;
using namespace nstest;
using ns::Collection;
using standins::NightscoutSite;

namespace {

const QDateTime kT0(QDate(2024, 3, 1), QTime(0, 0), Qt::UTC);

QJsonObject recordAt(Collection collection, qint64 ms, const QString &id)
{
    QJsonObject r { { QStringLiteral("_id"), id } };
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    if (collection == Collection::Entries) {
        r.insert(QStringLiteral("date"), double(ms));
        r.insert(QStringLiteral("sgv"), 100);
        r.insert(QStringLiteral("type"), QStringLiteral("sgv"));
    } else {
        r.insert(ns::dateField(collection), ns::isoUtc(t));
    }
    return r;
}

QString key(Collection collection, const QJsonObject &r)
{
    const QJsonValue v = r.value(ns::dateField(collection));
    return v.isDouble() ? QString::number(qint64(v.toDouble())).rightJustified(16, QLatin1Char('0')) : v.toString();
}

} // namespace

class TestNightscoutReads : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void readsEveryGeneratedRecord_data();
    void readsEveryGeneratedRecord();
    void readsAParticipantServedLazily();
    void pageEdgesLoseAndDoubleNothing_data();
    void pageEdgesLoseAndDoubleNothing();
    void tooManyRecordsAtOneInstantIsAClearError();
    void everyRequestHasExplicitBoundsAndCount();
    void faults_data();
    void faults();
    void credentials_data();
    void credentials();
    void logsNeitherAddressNorToken();
    void incrementalWindowsAndLateUploads();
    void waitsForTheCallerBetweenPages();
    void emptyWindowFinishesWithoutRequests();

private:
    std::unique_ptr<standins::NightscoutStandIn> m_standIn;
    std::unique_ptr<QNetworkAccessManager> m_nam;
};

void TestNightscoutReads::init()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_standIn = std::make_unique<standins::NightscoutStandIn>();
    QVERIFY(m_standIn->listen().ok());
    m_standIn->setClock([] { return kT0.addDays(10); });
}

void TestNightscoutReads::cleanup()
{
    m_standIn.reset();
    m_nam.reset();
}

void TestNightscoutReads::readsEveryGeneratedRecord_data()
{
    QTest::addColumn<Collection>("collection");
    QTest::addColumn<synthetic::LoopFlavour>("flavour");
    QTest::addColumn<int>("pageSize");
    QTest::addRow("entries, OpenAPS") << Collection::Entries << synthetic::LoopFlavour::OpenAPS << 250;
    QTest::addRow("treatments, Loop") << Collection::Treatments << synthetic::LoopFlavour::Loop << 100;
    QTest::addRow("devicestatus, AndroidAPS") << Collection::DeviceStatus << synthetic::LoopFlavour::AndroidAPS << 300;
    QTest::addRow("devicestatus, OpenAPS, one big page")
            << Collection::DeviceStatus << synthetic::LoopFlavour::OpenAPS << 5000;
    QTest::addRow("profiles") << Collection::Profiles << synthetic::LoopFlavour::Loop << 2;
}

void TestNightscoutReads::readsEveryGeneratedRecord()
{
    QFETCH(Collection, collection);
    QFETCH(synthetic::LoopFlavour, flavour);
    QFETCH(int, pageSize);
    synthetic::Options options;
    options.seed = 99;
    options.start = kT0;
    options.end = kT0.addDays(collection == Collection::Profiles ? 500 : 3);
    options.flavour = flavour;
    options.messLevel = 2; // duplicates from two uploaders: many shared timestamps
    const synthetic::Generator generator(options);
    const auto expected = generator.records(collection, options.start, options.end);
    m_standIn->site().store().add(collection, expected);

    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, fastOptions(pageSize));
    // A day of margin: created_at with local offsets sorts by its text.
    const auto read = readAll(client, collection, options.start.addDays(-1), options.end.addDays(1));
    QVERIFY2(read.ok, qPrintable(read.error.toString()));
    if (pageSize < expected.size())
        QVERIFY(read.pages > 1);
    QCOMPARE(read.records.size(), expected.size());
    QStringList got = ids(read.records);
    QStringList want = ids(expected);
    got.sort();
    want.sort();
    QCOMPARE(got, want);
    // Newest first across all pages, as Nightscout sorts.
    for (qsizetype i = 1; i < read.records.size(); ++i)
        QVERIFY(!(key(collection, read.records[i - 1]) < key(collection, read.records[i])));
}

void TestNightscoutReads::readsAParticipantServedLazily()
{
    synthetic::Options options;
    options.seed = 8;
    options.start = kT0.addDays(-20);
    options.end = kT0;
    options.flavour = synthetic::LoopFlavour::Loop;
    auto generator = std::make_shared<synthetic::Generator>(options);
    m_standIn->site().store().serveGenerated(generator);
    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, fastOptions(2000));
    for (Collection c :
         { Collection::Entries, Collection::Treatments, Collection::DeviceStatus, Collection::Profiles }) {
        const auto read = readAll(client, c, options.start.addDays(-1), options.end.addDays(1));
        QVERIFY2(read.ok, qPrintable(read.error.toString()));
        QStringList got = ids(read.records);
        QStringList want = ids(generator->records(c, options.start, options.end));
        got.sort();
        want.sort();
        QCOMPARE(got, want);
    }
}

void TestNightscoutReads::pageEdgesLoseAndDoubleNothing_data()
{
    QTest::addColumn<Collection>("collection");
    QTest::addColumn<int>("pageSize");
    QTest::addColumn<int>("newer"); // records newer than the shared instant
    QTest::addColumn<int>("shared"); // records at the shared instant
    QTest::addColumn<int>("older");

    QTest::addRow("3 share the last slot of a page") << Collection::Entries << 5 << 4 << 3 << 6;
    QTest::addRow("2 share the edge of page 1") << Collection::Entries << 5 << 3 << 2 << 6;
    QTest::addRow("a whole page shares one instant") << Collection::Entries << 5 << 0 << 5 << 6;
    QTest::addRow("more than a page shares one instant") << Collection::Entries << 5 << 2 << 7 << 4;
    QTest::addRow("six pages' worth share one instant") << Collection::Entries << 4 << 3 << 25 << 3;
    QTest::addRow("page size 1, 3 share") << Collection::Entries << 1 << 1 << 3 << 2;
    QTest::addRow("shared instant is the upper bound") << Collection::Entries << 3 << 0 << 4 << 5;
    QTest::addRow("shared instant is the oldest") << Collection::Entries << 4 << 7 << 6 << 0;
    QTest::addRow("treatments, 6 share an edge") << Collection::Treatments << 5 << 4 << 6 << 5;
    QTest::addRow("treatments, 12 share with page 5") << Collection::Treatments << 5 << 0 << 12 << 1;
    QTest::addRow("devicestatus, 4 share") << Collection::DeviceStatus << 3 << 2 << 4 << 3;
    QTest::addRow("profiles, 3 share") << Collection::Profiles << 2 << 1 << 3 << 1;
}

void TestNightscoutReads::pageEdgesLoseAndDoubleNothing()
{
    QFETCH(Collection, collection);
    QFETCH(int, pageSize);
    QFETCH(int, newer);
    QFETCH(int, shared);
    QFETCH(int, older);
    const qint64 sharedMs = kT0.addSecs(3600).toMSecsSinceEpoch();
    QStringList want;
    auto add = [&](qint64 ms, const QString &id) {
        m_standIn->site().store().add(collection, recordAt(collection, ms, id));
        want.append(id);
    };
    for (int i = 0; i < newer; ++i)
        add(sharedMs + (i + 1) * 60000, QStringLiteral("newer-%1").arg(i));
    for (int i = 0; i < shared; ++i)
        add(sharedMs, QStringLiteral("shared-%1").arg(i));
    for (int i = 0; i < older; ++i)
        add(sharedMs - (i + 1) * 60000, QStringLiteral("older-%1").arg(i));
    // Just outside the window on both sides: must not come back.
    const qint64 lowest = sharedMs - qint64(older + 1) * 60000;
    const qint64 highest = newer == 0 ? sharedMs : sharedMs + qint64(newer) * 60000;
    m_standIn->site().store().add(collection, recordAt(collection, lowest, QStringLiteral("at-lower-bound")));
    m_standIn->site().store().add(collection, recordAt(collection, highest + 1, QStringLiteral("above-upper-bound")));

    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, fastOptions(pageSize));
    const auto read = readAll(client, collection, QDateTime::fromMSecsSinceEpoch(lowest, Qt::UTC),
                              QDateTime::fromMSecsSinceEpoch(highest, Qt::UTC));
    QVERIFY2(read.ok, qPrintable(read.error.toString()));
    QStringList got = ids(read.records);
    QCOMPARE(got.size(), want.size()); // nothing doubled...
    got.sort();
    want.sort();
    QCOMPARE(got, want); // ...and nothing lost
}

void TestNightscoutReads::tooManyRecordsAtOneInstantIsAClearError()
{
    for (int i = 0; i < 9; ++i)
        m_standIn->site().store().add(
                Collection::Entries,
                recordAt(Collection::Entries, kT0.toMSecsSinceEpoch(), QStringLiteral("same-%1").arg(i)));
    ns::ClientOptions options = fastOptions(2);
    options.maxPageSize = 8;
    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, options);
    const auto read = readAll(client, Collection::Entries, kT0.addDays(-1), kT0.addDays(1));
    QVERIFY(read.finished);
    QVERIFY(!read.ok);
    QCOMPARE(read.error.code, QStringLiteral("too-many-same-time"));
}

void TestNightscoutReads::everyRequestHasExplicitBoundsAndCount()
{
    synthetic::Options options;
    options.start = kT0;
    options.end = kT0.addDays(1);
    const synthetic::Generator generator(options);
    m_standIn->site().store().seed(generator, options.start, options.end);
    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, fastOptions(50));
    for (Collection c : { Collection::Entries, Collection::Treatments, Collection::DeviceStatus, Collection::Profiles })
        QVERIFY(readAll(client, c, kT0, kT0.addDays(1)).ok);
    QVERIFY(m_standIn->site().requestCount() > 10);
    for (const QUrl &url : m_standIn->site().requests()) {
        const QUrlQuery query(url);
        const QString field = url.path().contains(QLatin1String("entries")) ? QStringLiteral("date")
                : url.path().contains(QLatin1String("profiles"))            ? QStringLiteral("startDate")
                                                                            : QStringLiteral("created_at");
        QVERIFY2(query.hasQueryItem(QStringLiteral("find[%1][$gt]").arg(field)), qPrintable(url.toString()));
        QVERIFY2(query.hasQueryItem(QStringLiteral("find[%1][$lte]").arg(field)), qPrintable(url.toString()));
        QVERIFY(query.queryItemValue(QStringLiteral("count")).toInt() >= 50);
    }
}

void TestNightscoutReads::faults_data()
{
    using Failure = NightscoutSite::Faults::Failure;
    QTest::addColumn<NightscoutSite::Faults>("faults");
    QTest::addColumn<QString>("errorCode"); // empty: the read succeeds
    QTest::addColumn<int>("requestsAtLeast");

    auto faults = [](Failure failure, int only = 0, int latencyMs = 0) {
        NightscoutSite::Faults f;
        f.failure = failure;
        f.onlyRequest = only;
        f.latency = std::chrono::milliseconds(latencyMs);
        return f;
    };
    QTest::addRow("latency") << faults(Failure::None, 0, 300) << QString() << 3;
    QTest::addRow("500 on every request") << faults(Failure::ServerError) << QStringLiteral("http") << 3;
    QTest::addRow("500 on the 2nd request only") << faults(Failure::ServerError, 2) << QString() << 4;
    QTest::addRow("never answers") << faults(Failure::Hang) << QStringLiteral("timeout") << 3;
    QTest::addRow("never answers the 1st request") << faults(Failure::Hang, 1) << QString() << 4;
    QTest::addRow("malformed JSON") << faults(Failure::MalformedJson) << QStringLiteral("malformed") << 1;
    // A cut-off read is repeated like a timeout (HttpCall), so a single one heals.
    QTest::addRow("truncated body") << faults(Failure::TruncatedBody) << QStringLiteral("truncated") << 3;
    QTest::addRow("truncated 3rd answer") << faults(Failure::TruncatedBody, 3) << QString() << 4;
}

void TestNightscoutReads::faults()
{
    QFETCH(NightscoutSite::Faults, faults);
    QFETCH(QString, errorCode);
    QFETCH(int, requestsAtLeast);
    for (int i = 0; i < 25; ++i)
        m_standIn->site().store().add(
                Collection::Entries,
                recordAt(Collection::Entries, kT0.toMSecsSinceEpoch() + i * 300000, QStringLiteral("e%1").arg(i)));
    m_standIn->site().setFaults(faults);
    ns::ClientOptions options = fastOptions(10);
    options.timeout = std::chrono::milliseconds(700);
    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, options);
    const auto read = readAll(client, Collection::Entries, kT0.addDays(-1), kT0.addDays(1));
    QVERIFY(read.finished);
    QVERIFY(m_standIn->site().requestCount() >= requestsAtLeast);
    if (errorCode.isEmpty()) {
        QVERIFY2(read.ok, qPrintable(read.error.toString()));
        QCOMPARE(read.records.size(), 25);
    } else {
        QVERIFY(!read.ok);
        QCOMPARE(read.error.code, errorCode);
        QVERIFY(!read.error.message.isEmpty());
        QVERIFY(!read.error.message.contains(QLatin1String("127.0.0.1")));
    }
}

void TestNightscoutReads::credentials_data()
{
    QTest::addColumn<NightscoutSite::Auth>("auth");
    QTest::addColumn<ns::Credentials>("credentials");
    QTest::addColumn<QString>("errorCode");
    const QString token = QStringLiteral("reader-4f3c2a1b0e9d8c7b");
    const QString secret = QStringLiteral("a long api secret");
    QTest::addRow("open site, no credentials") << NightscoutSite::Auth::Open << ns::Credentials() << QString();
    QTest::addRow("token site, right token")
            << NightscoutSite::Auth::Token << ns::Credentials::accessToken(token) << QString();
    QTest::addRow("token site, no token")
            << NightscoutSite::Auth::Token << ns::Credentials() << QStringLiteral("needs-credentials");
    QTest::addRow("token site, wrong token")
            << NightscoutSite::Auth::Token << ns::Credentials::accessToken(QStringLiteral("reader-0000"))
            << QStringLiteral("credentials-rejected");
    QTest::addRow("secret site, right secret")
            << NightscoutSite::Auth::ApiSecret << ns::Credentials::apiSecret(secret) << QString();
    QTest::addRow("secret site, hash given")
            << NightscoutSite::Auth::ApiSecret
            << ns::Credentials::apiSecret(QString::fromLatin1(ns::Credentials::hashSecret(secret))) << QString();
    QTest::addRow("secret site, wrong secret")
            << NightscoutSite::Auth::ApiSecret << ns::Credentials::apiSecret(QStringLiteral("not the secret"))
            << QStringLiteral("credentials-rejected");
}

void TestNightscoutReads::credentials()
{
    QFETCH(NightscoutSite::Auth, auth);
    QFETCH(ns::Credentials, credentials);
    QFETCH(QString, errorCode);
    NightscoutSite &site = m_standIn->site();
    if (auth == NightscoutSite::Auth::Token)
        site.requireToken(QStringLiteral("reader-4f3c2a1b0e9d8c7b"));
    if (auth == NightscoutSite::Auth::ApiSecret)
        site.requireApiSecret(QStringLiteral("a long api secret"));
    site.store().add(Collection::Treatments,
                     recordAt(Collection::Treatments, kT0.toMSecsSinceEpoch(), QStringLiteral("t1")));
    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), credentials, fastOptions());
    const auto read = readAll(client, Collection::Treatments, kT0.addDays(-1), kT0.addDays(1));
    QVERIFY(read.finished);
    if (errorCode.isEmpty()) {
        QVERIFY2(read.ok, qPrintable(read.error.toString()));
        QCOMPARE(ids(read.records), QStringList { QStringLiteral("t1") });
    } else {
        QCOMPARE(read.error.code, errorCode);
        QCOMPARE(site.requestCount(), 1); // a 401 is not retried
    }
}

namespace {
QStringList g_logged;
void captureLog(QtMsgType, const QMessageLogContext &, const QString &message)
{
    g_logged.append(message);
}
} // namespace

void TestNightscoutReads::logsNeitherAddressNorToken()
{
    const QString token = QStringLiteral("reader-9f8e7d6c5b4a3f2e");
    m_standIn->site().requireToken(token);
    for (int i = 0; i < 6; ++i)
        m_standIn->site().store().add(
                Collection::Entries,
                recordAt(Collection::Entries, kT0.toMSecsSinceEpoch() + i, QStringLiteral("x%1").arg(i)));
    QLoggingCategory::setFilterRules(QStringLiteral("openaps.*=true"));
    g_logged.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    {
        // Paged, then probed, then rejected: every path that logs.
        ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), ns::Credentials::accessToken(token), fastOptions(2));
        QVERIFY(readAll(client, Collection::Entries, kT0.addDays(-1), kT0.addDays(1)).ok);
        QVERIFY(probe(client).has_value());
        ns::Client wrong(m_nam.get(), siteUrl(m_standIn->url()),
                         ns::Credentials::accessToken(QStringLiteral("nope-123")), fastOptions());
        QVERIFY(!readAll(wrong, Collection::Entries, kT0.addDays(-1), kT0.addDays(1)).ok);
    }
    qInstallMessageHandler(previous);
    QLoggingCategory::setFilterRules(QString());
    QVERIFY(g_logged.size() >= 3);
    for (const QString &line : std::as_const(g_logged)) {
        QVERIFY2(!line.contains(token) && !line.contains(QLatin1String("nope-123")), qPrintable(line));
        QVERIFY2(!line.contains(QLatin1String("127.0.0.1")) && !line.contains(QLatin1String("http")), qPrintable(line));
    }
}

void TestNightscoutReads::incrementalWindowsAndLateUploads()
{
    NightscoutSite &site = m_standIn->site();
    const qint64 t0 = kT0.toMSecsSinceEpoch();
    for (int i = 0; i < 12; ++i)
        site.store().add(Collection::Entries,
                         recordAt(Collection::Entries, t0 + i * 300000, QStringLiteral("a%1").arg(i)));
    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, fastOptions(5));
    const QDateTime cursor = QDateTime::fromMSecsSinceEpoch(t0 + 11 * 300000, Qt::UTC);
    const auto first = readAll(client, Collection::Entries, kT0.addDays(-1), cursor);
    QVERIFY(first.ok);
    QCOMPARE(first.records.size(), 12);

    // New readings arrive, and one reading from inside the old window is uploaded late.
    for (int i = 12; i < 20; ++i)
        site.store().add(Collection::Entries,
                         recordAt(Collection::Entries, t0 + i * 300000, QStringLiteral("a%1").arg(i)));
    site.store().add(Collection::Entries, recordAt(Collection::Entries, t0 + 150000, QStringLiteral("late")));

    const QDateTime now = QDateTime::fromMSecsSinceEpoch(t0 + 20 * 300000, Qt::UTC);
    const auto next = readAll(client, Collection::Entries, cursor, now);
    QVERIFY(next.ok);
    QStringList got = ids(next.records);
    got.sort();
    QStringList want;
    for (int i = 12; i < 20; ++i)
        want.append(QStringLiteral("a%1").arg(i));
    QCOMPARE(got, want);
    // The late upload is only seen by reading the old window again.
    const auto again = readAll(client, Collection::Entries, kT0.addDays(-1), cursor);
    QVERIFY(ids(again.records).contains(QStringLiteral("late")));
    QCOMPARE(again.records.size(), 13);
}

void TestNightscoutReads::waitsForTheCallerBetweenPages()
{
    for (int i = 0; i < 10; ++i)
        m_standIn->site().store().add(
                Collection::Entries,
                recordAt(Collection::Entries, kT0.toMSecsSinceEpoch() + i * 1000, QStringLiteral("p%1").arg(i)));
    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, fastOptions(4));
    ns::RecordReader *reader = client.read(Collection::Entries, kT0.addDays(-1), kT0.addDays(1));
    QSignalSpy pages(reader, &ns::RecordReader::pageReady);
    QSignalSpy finished(reader, &ns::RecordReader::finished);
    reader->start();
    QVERIFY(pages.wait(5000));
    QCOMPARE(m_standIn->site().requestCount(), 1);
    QVERIFY(!pages.wait(200)); // nothing more until asked
    QCOMPARE(m_standIn->site().requestCount(), 1);
    reader->fetchNext();
    QVERIFY(pages.wait(5000));
    QCOMPARE(m_standIn->site().requestCount(), 2);
    reader->fetchNext();
    QVERIFY(pages.wait(5000));
    QCOMPARE(pages.size(), 3);
    QVERIFY(finished.isEmpty());
    reader->fetchNext();
    QVERIFY(finished.wait(5000));
}

void TestNightscoutReads::emptyWindowFinishesWithoutRequests()
{
    ns::Client client(m_nam.get(), siteUrl(m_standIn->url()), {}, fastOptions());
    const auto read = readAll(client, Collection::Entries, kT0, kT0);
    QVERIFY(read.finished);
    QVERIFY(read.ok);
    QCOMPARE(m_standIn->site().requestCount(), 0);
}

QTEST_GUILESS_MAIN(TestNightscoutReads)
#include "tst_nightscoutreads.moc"
