#include "privacy/participantdata.h"
#include "releasetesting.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <future>
#include <memory>

using namespace openaps;
using namespace Qt::StringLiterals;
using test::postRelease;
using test::releaseBody;
using test::sha256Hex;
using test::unzip;

// Releases over real HTTP (issue 14): the files of a release are the
// streamed exports of the same filters byte for byte, from one snapshot;
// the manifest's checksums hold; the download resumes with Range; cancel,
// expiry, quota and the withdrawn list work.
class TestReleases final : public test::BackendTest
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void filesEqualTheExports();
    void downloadResumesWithRange();
    void progressShowsRowsAndEstimate();
    void rowsInsertedMeanwhileAreNotInIt();
    void withdrawnAfterAnErasure();
    void expiryRemovesTheFile();
    void quota();
    void cancel();
    void instancesShareTheWork();

private:
    struct Fixture;
    std::unique_ptr<Fixture> m_fixture;
};

namespace {

const QStringList allDatasets { u"entries"_s, u"treatments"_s, u"device_status"_s, u"profile"_s };
const QString filters = QString::fromLatin1(test::releaseFilters);

QString state(test::ExportHarness &h, qint64 id)
{
    return test::releaseState(h, id);
}

// Holds a release job before it reads `dataset` (empty: its first dataset),
// once, until go() or the Hold is gone. reached(): it got there within 20 s.
class Hold
{
public:
    explicit Hold(api::ReleaseApi &releases, const QString &dataset = {})
    {
        releases.setBeforeDataset([shared = m_state, dataset](const QString &name) {
            if ((!dataset.isEmpty() && name != dataset) || shared->held.exchange(true))
                return;
            shared->reached.set_value();
            shared->goFuture.wait_for(std::chrono::seconds(60));
        });
    }
    ~Hold() { go(); }
    Hold(const Hold &) = delete;
    Hold &operator=(const Hold &) = delete;

    bool reached() { return m_reached.wait_for(std::chrono::seconds(20)) == std::future_status::ready; }
    void go()
    {
        if (!m_gone)
            m_state->go.set_value();
        m_gone = true;
    }

private:
    struct State
    {
        std::atomic<bool> held { false };
        std::promise<void> reached;
        std::promise<void> go;
        std::shared_future<void> goFuture = go.get_future().share();
    };
    std::shared_ptr<State> m_state = std::make_shared<State>();
    std::future<void> m_reached = m_state->reached.get_future();
    bool m_gone = false;
};

} // namespace

// What each test starts from (init): the test's backend seeded
// (ExportHarness::seed) and a release directory of its own.
struct TestReleases::Fixture
{
    explicit Fixture(const QString &backend) : h(backend) { }
    test::ExportHarness h;
    QTemporaryDir dir;
    api::ReleaseSettings settings() const
    {
        api::ReleaseSettings s;
        s.directory = dir.path();
        s.expirySeconds = 3600;
        return s;
    }
};

void TestReleases::init()
{
    QFETCH_GLOBAL(QString, backend);
    m_fixture = std::make_unique<Fixture>(backend);
    QVERIFY(m_fixture->h.isValid());
    QVERIFY(m_fixture->h.seed());
}

void TestReleases::cleanup()
{
    m_fixture.reset();
}

void TestReleases::filesEqualTheExports()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    h.installReleaseApi(f.settings());

    const qint64 id = postRelease(h, releaseBody(allDatasets));
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(state(h, id), u"ready"_s, 20000);
    const QJsonObject release = h.get(u"/api/v1/releases/%1"_s.arg(id)).json();
    const auto file = h.get(u"/api/v1/releases/%1/file"_s.arg(id));
    QCOMPARE(file.status, 200);
    QCOMPARE(file.header("Content-Type"), QByteArray("application/zip"));
    QCOMPARE(file.header("Accept-Ranges"), QByteArray("bytes"));
    QCOMPARE(file.header("Content-Length"), QByteArray::number(file.body.size()));
    QCOMPARE(file.header("ETag"), '"' + sha256Hex(file.body) + '"');
    QCOMPARE(file.header("Repr-Digest"), "sha-256=:" + QByteArray::fromHex(sha256Hex(file.body)).toBase64() + ':');
    QCOMPARE(release.value(u"sha256"_s).toString().toLatin1(), sha256Hex(file.body));
    QCOMPARE(release.value(u"bytes"_s).toInteger(), file.body.size());

    const auto files = unzip(file.body);
    const QJsonObject manifest = QJsonDocument::fromJson(files.value(u"manifest.json"_s)).object();
    QCOMPARE(files.size(), allDatasets.size() + 3);
    QVERIFY(files.contains(u"data_dictionary.csv"_s));
    QVERIFY(files.value(u"README.txt"_s).contains("How to cite"));
    QCOMPARE(manifest.value(u"scope"_s).toString(), u"all"_s);
    QCOMPARE(manifest.value(u"filters"_s).toObject().value(u"from"_s).toString(), u"2024-01-01T00:00:00Z"_s);
    QVERIFY(manifest.value(u"schema_version"_s).toInteger() >= 130);
    QVERIFY(!manifest.value(u"snapshot_at"_s).toString().isEmpty());
    QVERIFY(!manifest.value(u"data_dictionary_version"_s).toString().isEmpty());
    qint64 rows = 0;
    for (const QString &dataset : allDatasets) {
        const auto exported = h.get(u"/api/v1/export/%1?%2"_s.arg(dataset, filters));
        QCOMPARE(exported.status, 200);
        QCOMPARE(files.value(dataset + u".csv"_s), exported.body);
        QVERIFY(exported.body.count('\n') > 1);
    }
    for (const QJsonValue v : manifest.value(u"files"_s).toArray()) {
        const QJsonObject entry = v.toObject();
        const QByteArray content = files.value(entry.value(u"name"_s).toString());
        QCOMPARE(entry.value(u"sha256"_s).toString().toLatin1(), sha256Hex(content));
        QCOMPARE(entry.value(u"bytes"_s).toInteger(), content.size());
        rows += entry.value(u"rows"_s).toInteger();
    }
    QCOMPARE(manifest.value(u"files"_s).toArray().size(), allDatasets.size() + 2);
    QCOMPARE(release.value(u"rows"_s).toInteger(), rows);

    // Audited like a download (written by the job just after it is ready).
    const auto audited = [&] {
        for (const auto &row : h.auditRows()) {
            if (row.value(u"dataset"_s).toString() == u"release"_s && row.value(u"outcome"_s) == u"complete"_s
                && row.value(u"row_count"_s).toLongLong() == rows)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(audited(), 10000);

    // The list shows it; another researcher does not see it.
    const auto list = h.get(u"/api/v1/releases"_s).json().value(u"releases"_s).toArray();
    QCOMPARE(list.size(), 1);
    QCOMPARE(h.get(u"/api/v1/releases/%1"_s.arg(id), test::tokens::nsf).status, 404);
    QCOMPARE(h.get(u"/api/v1/releases/%1/file"_s.arg(id), test::tokens::nsf).status, 404);
    // A bad request names the problem.
    QCOMPARE(h.send("POST", u"/api/v1/releases"_s, R"({"datasets":["nope"]})").status, 404);
    QCOMPARE(h.send("POST", u"/api/v1/releases"_s, R"({"datasets":["entries"],"from":"yesterday"})").status, 400);
}

void TestReleases::downloadResumesWithRange()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    QVERIFY(h.seedBulk(200, 1000));
    h.installReleaseApi(f.settings());
    const QJsonObject body { { u"datasets"_s, QJsonArray::fromStringList(allDatasets) },
                             { u"compression"_s, u"store"_s } };
    const qint64 id = postRelease(h, body);
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(state(h, id), u"ready"_s, 20000);
    const QString path = u"/api/v1/releases/%1/file"_s.arg(id);
    const auto whole = h.get(path);
    QCOMPARE(whole.status, 200);
    const QByteArray etag = whole.header("ETag");
    const qint64 size = whole.body.size();
    QVERIFY(size > 200 * 1000);

    // Cut at several points, each resumed with Range + If-Range.
    for (const qint64 cut : { qint64(1), qint64(4096), size / 3, size - 1 }) {
        const auto rest = h.send("GET", path, {},
                                 { { "Range", "bytes=" + QByteArray::number(cut) + '-' }, { "If-Range", etag } });
        QCOMPARE(rest.status, 206);
        QCOMPARE(rest.header("Content-Range"),
                 "bytes " + QByteArray::number(cut) + '-' + QByteArray::number(size - 1) + '/'
                         + QByteArray::number(size));
        QCOMPARE(rest.header("Content-Length"), QByteArray::number(size - cut));
        QCOMPARE(whole.body.left(cut) + rest.body, whole.body);
    }
    // A closed range and a suffix.
    const auto middle = h.send("GET", path, {}, { { "Range", "bytes=10-19" } });
    QCOMPARE(middle.status, 206);
    QCOMPARE(middle.body, whole.body.mid(10, 10));
    const auto tail = h.send("GET", path, {}, { { "Range", "bytes=-5" } });
    QCOMPARE(tail.status, 206);
    QCOMPARE(tail.body, whole.body.right(5));
    // Past the end: 416 with the size.
    const auto beyond = h.send("GET", path, {}, { { "Range", "bytes=" + QByteArray::number(size) + '-' } });
    QCOMPARE(beyond.status, 416);
    QCOMPARE(beyond.header("Content-Range"), "bytes */" + QByteArray::number(size));
    // A stale ETag in If-Range: the whole file again.
    const auto stale = h.send("GET", path, {}, { { "Range", "bytes=100-" }, { "If-Range", "\"0123\"" } });
    QCOMPARE(stale.status, 200);
    QCOMPARE(stale.body, whole.body);
}

// GET /api/v1/releases/{id} and the list show, while the job runs, the rows
// so far and the rows it will hold (counted in its snapshot: exact); the
// instance keeps both in the row at each lease renewal for the others.
void TestReleases::progressShowsRowsAndEstimate()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    QVERIFY(h.seedBulk(300, 100));
    api::ReleaseApi &releases = h.installReleaseApi(f.settings());
    const auto count = [&h](const QString &dataset) {
        return h.get(u"/api/v1/export/%1/count"_s.arg(dataset)).json().value(u"rows"_s).toInteger(-1);
    };
    const qint64 treatments = count(u"treatments"_s);
    const qint64 entries = count(u"entries"_s);
    QVERIFY(treatments > 0);
    QVERIFY(entries > 300);

    // Held after treatments, before entries.
    Hold hold(releases, u"entries"_s);
    const QJsonObject body { { u"datasets"_s, QJsonArray { u"treatments"_s, u"entries"_s } } };
    const qint64 id = postRelease(h, body);
    QVERIFY(id > 0);
    QVERIFY(hold.reached());
    // PostgreSQL counts on a second connection beside the rows: a moment later.
    const auto release = [&h, id] { return h.get(u"/api/v1/releases/%1"_s.arg(id)).json(); };
    QTRY_COMPARE_WITH_TIMEOUT(release().value(u"rows_estimate"_s).toInteger(-1), treatments + entries, 10000);
    const QJsonObject running = release();
    QCOMPARE(running.value(u"state"_s).toString(), u"running"_s);
    QCOMPARE(running.value(u"rows"_s).toInteger(), treatments);
    const QJsonObject listed = h.get(u"/api/v1/releases"_s).json().value(u"releases"_s).toArray().first().toObject();
    QCOMPARE(listed.value(u"id"_s).toInteger(), id);
    QCOMPARE(listed.value(u"rows"_s).toInteger(), treatments);
    QCOMPARE(listed.value(u"rows_estimate"_s).toInteger(), treatments + entries);
    // In the row too, once the lease is renewed: what another instance shows.
    QVERIFY(releases.keepLeases() >= 0);
    {
        QSqlQuery q(h.database().connection().value());
        QVERIFY(q.exec(u"SELECT row_count, row_estimate FROM releases WHERE id = %1"_s.arg(id)));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toLongLong(), treatments);
        QCOMPARE(q.value(1).toLongLong(), treatments + entries);
    }

    hold.go();
    const auto ready = test::fetchRelease(h, id);
    QVERIFY(ready);
    QCOMPARE(ready->info.value(u"rows"_s).toInteger(), treatments + entries);
    QCOMPARE(ready->info.value(u"rows_estimate"_s).toInteger(), treatments + entries);
}

void TestReleases::rowsInsertedMeanwhileAreNotInIt()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    api::ReleaseApi &releases = h.installReleaseApi(f.settings());
    const QString entriesPath = u"/api/v1/export/entries?%1"_s.arg(filters);
    const QByteArray before = h.get(entriesPath).body;
    std::atomic<bool> inserted { false };
    // After the snapshot began (the first dataset), before entries are read,
    // another connection adds an entry inside the window.
    releases.setBeforeDataset([&](const QString &dataset) {
        if (dataset != u"entries"_s)
            return;
        std::thread writer([&] {
            inserted = h.insert(u"entries"_s,
                                { { u"user_id"_s, 101 },
                                  { u"id"_s, u"e-meanwhile"_s },
                                  { u"source_entity"_s, 0 },
                                  { u"date"_s, u"2024-01-01T00:30:00.000Z"_s },
                                  { u"sgv"_s, 111.0 },
                                  { u"type"_s, u"sgv"_s },
                                  { u"raw_json"_s, u"{}"_s },
                                  { u"utc_offset"_s, -300 } });
            h.database().closeConnection();
        });
        writer.join();
    });
    const auto release = test::readyRelease(h, releaseBody({ u"treatments"_s, u"entries"_s }));
    QVERIFY(release);
    QVERIFY(inserted);
    QCOMPARE(release->files.value(u"entries.csv"_s), before);
    QCOMPARE(h.get(entriesPath).body.count('\n'), before.count('\n') + 1);
}

void TestReleases::withdrawnAfterAnErasure()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    h.installReleaseApi(f.settings());
    const auto first = test::readyRelease(h, releaseBody({ u"entries"_s }));
    QVERIFY(first);
    QCOMPARE(first->manifest().value(u"withdrawn_participants"_s).toArray(), QJsonArray());

    QVERIFY(privacy::removeParticipantData(h.database(), 102, std::nullopt));
    const auto second = test::readyRelease(h, releaseBody({ u"entries"_s }));
    QVERIFY(second);
    QCOMPARE(second->manifest().value(u"withdrawn_participants"_s).toArray(), QJsonArray { u"102"_s });
}

void TestReleases::expiryRemovesTheFile()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    QDateTime now = QDateTime::currentDateTimeUtc();
    api::ReleaseApi &releases = h.installReleaseApi(f.settings(), [&now] { return now; });
    const qint64 id = postRelease(h, releaseBody({ u"profile"_s }));
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(state(h, id), u"ready"_s, 20000);
    const QString file = QDir(f.dir.path()).filePath(u"release-%1.zip"_s.arg(id));
    QVERIFY(QFile::exists(file));
    QCOMPARE(releases.expireReleases(), 0);
    now = now.addSecs(3601);
    QCOMPARE(releases.expireReleases(), 1);
    QVERIFY(!QFile::exists(file));
    QCOMPARE(state(h, id), u"expired"_s);
    QCOMPARE(h.get(u"/api/v1/releases/%1/file"_s.arg(id)).status, 409);
}

void TestReleases::quota()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    api::ReleaseSettings settings = f.settings();
    settings.quotaBytes = 1000; // less than any zip with a data dictionary
    h.installReleaseApi(settings);
    const qint64 id = postRelease(h, releaseBody({ u"profile"_s }));
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(state(h, id), u"failed"_s, 20000);
    QVERIFY(h.get(u"/api/v1/releases/%1"_s.arg(id)).json().value(u"error"_s).toString().contains(u"quota"_s));
    QCOMPARE(QDir(f.dir.path()).entryList(QDir::Files), QStringList());

    // Ready releases that fill the quota: the next one is refused.
    QVERIFY(h.insert(u"releases"_s,
                     { { u"researcher_id"_s, 13 },
                       { u"datasets"_s, u"profile"_s },
                       { u"query"_s, u"format=csv"_s },
                       { u"compression"_s, u"deflate"_s },
                       { u"scope"_s, u"all"_s },
                       { u"state"_s, u"ready"_s },
                       { u"byte_count"_s, 1000 },
                       { u"created_at"_s, u"2024-01-01T00:00:00.000Z"_s } }));
    const auto refused = h.send("POST", u"/api/v1/releases"_s, QJsonDocument(releaseBody({ u"profile"_s })).toJson());
    QCOMPARE(refused.status, 507);
    QCOMPARE(refused.json().value(u"error"_s).toString(), u"quota-exceeded"_s);
}

void TestReleases::cancel()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    api::ReleaseApi &releases = h.installReleaseApi(f.settings());
    Hold hold(releases, u"entries"_s);
    const qint64 id = postRelease(h, releaseBody({ u"profile"_s, u"entries"_s }));
    QVERIFY(id > 0);
    QVERIFY(hold.reached());
    QCOMPARE(state(h, id), u"running"_s);
    // A second one waits behind it (one job at a time); POST .../cancel
    // cancels it before it runs.
    const qint64 queued = postRelease(h, releaseBody({ u"profile"_s }));
    QVERIFY(queued > 0);
    QCOMPARE(state(h, queued), u"queued"_s);
    QVERIFY(h.get(u"/api/v1/releases/%1"_s.arg(queued)).json().value(u"rows_estimate"_s).isNull());
    // Two queued or running (OPENAPS_API_EXPORTS_PER_RESEARCHER): a third waits its turn.
    const auto third = h.send("POST", u"/api/v1/releases"_s, QJsonDocument(releaseBody({ u"profile"_s })).toJson());
    QCOMPARE(third.status, 429);
    QCOMPARE(third.json().value(u"error"_s).toString(), u"too-many-exports"_s);
    QCOMPARE(third.header("Retry-After"), QByteArray("30"));
    QCOMPARE(h.send("POST", u"/api/v1/releases/%1/cancel"_s.arg(queued)).json().value(u"state"_s).toString(),
             u"cancelled"_s);
    // DELETE cancels the running one.
    const auto cancelled = h.send("DELETE", u"/api/v1/releases/%1"_s.arg(id));
    QCOMPARE(cancelled.status, 200);
    QCOMPARE(cancelled.json().value(u"state"_s).toString(), u"cancelled"_s);
    hold.go();
    releases.waitForJobs();
    QCOMPARE(state(h, id), u"cancelled"_s);
    QCOMPARE(state(h, queued), u"cancelled"_s);
    QCOMPARE(QDir(f.dir.path()).entryList(QDir::Files), QStringList());
    QCOMPARE(h.get(u"/api/v1/releases/%1/file"_s.arg(id)).status, 409);
    QTRY_VERIFY_WITH_TIMEOUT(!h.auditRows().isEmpty(), 10000);
    QCOMPARE(h.auditRows().size(), 1); // the queued one never ran
    QCOMPARE(h.auditRows().last().value(u"outcome"_s).toString(), u"aborted"_s);
}

namespace {

// A release row as an instance that stopped while building it leaves it.
bool insertAbandoned(test::ExportHarness &h, const QString &dataset, int attempts)
{
    return h.insert(u"releases"_s,
                    { { u"researcher_id"_s, 13 },
                      { u"datasets"_s, dataset },
                      { u"query"_s, u"format=csv&from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z"_s },
                      { u"compression"_s, u"deflate"_s },
                      { u"scope"_s, u"all"_s },
                      { u"state"_s, u"running"_s },
                      { u"owner"_s, u"gone-host:4242:00000000deadbeef"_s },
                      { u"lease_until"_s, u"2000-01-01T00:00:00.000Z"_s },
                      { u"attempts"_s, attempts },
                      { u"created_at"_s, u"2024-01-01T00:00:00.000Z"_s } });
}

qint64 newestRelease(test::ExportHarness &h)
{
    return h.get(u"/api/v1/releases"_s)
            .json()
            .value(u"releases"_s)
            .toArray()
            .first()
            .toObject()
            .value(u"id"_s)
            .toInteger();
}

QString column(test::ExportHarness &h, qint64 id, const QString &name)
{
    QSqlQuery q(h.database().connection().value());
    q.prepare(u"SELECT %1 FROM releases WHERE id = ?"_s.arg(name));
    q.addBindValue(id);
    QString value = q.exec() && q.next() ? q.value(0).toString() : QString();
    q.finish();
    return value;
}

} // namespace

// Two instances on one database and one release directory (README
// "Releases"): a starting instance leaves the other's running release
// alone, takes over the releases of an instance that stopped (and gives
// up on one that stopped three instances), stops a job cancelled through
// the other instance, and the other serves what it built.
void TestReleases::instancesShareTheWork()
{
    Fixture &f = *m_fixture;
    test::ExportHarness &h = f.h;
    // A renews rarely (it takes over nothing during the test), B every 2 s.
    api::ReleaseSettings settings = f.settings();
    settings.lease = std::chrono::seconds(600);
    api::ReleaseApi &a = h.installReleaseApi(settings);
    settings.lease = std::chrono::seconds(6);
    Hold aHold(a);
    const qint64 running = postRelease(h, releaseBody({ u"profile"_s }));
    QVERIFY(running > 0);
    QVERIFY(aHold.reached());
    // A's start-up sweep runs on a pool thread: finished before the abandoned
    // releases exist, or A (not B) would take them over.
    a.waitForLookups();

    QVERIFY(insertAbandoned(h, u"entries"_s, 1));
    const qint64 abandoned = newestRelease(h);
    QVERIFY(insertAbandoned(h, u"profile"_s, 3));
    const qint64 thrice = newestRelease(h);

    // Instance B starts; its job of the abandoned release holds at its first dataset.
    api::ReleaseApi b(
            h.database(), [](const QString &) -> Result<api::Researcher> { return makeError("bad-token", u"-"_s); },
            settings);
    QVERIFY(b.instance() != a.instance());
    Hold bHold(b);
    b.start();
    QVERIFY(bHold.reached());
    QCOMPARE(state(h, abandoned), u"running"_s);
    QCOMPARE(column(h, abandoned, u"owner"_s), b.instance());
    QCOMPARE(column(h, abandoned, u"attempts"_s), u"2"_s);
    QTRY_COMPARE_WITH_TIMEOUT(state(h, thrice), u"failed"_s, 20000);
    QVERIFY(h.get(u"/api/v1/releases/%1"_s.arg(thrice)).json().value(u"error"_s).toString().contains(u"3 times"_s));
    // A's release is still A's and running.
    QCOMPARE(state(h, running), u"running"_s);
    QCOMPARE(column(h, running, u"owner"_s), a.instance());

    // Cancelled through A, B's job stops once B sees it (keepLeases, here at once).
    QCOMPARE(h.send("DELETE", u"/api/v1/releases/%1"_s.arg(abandoned)).json().value(u"state"_s).toString(),
             u"cancelled"_s);
    QVERIFY(b.keepLeases() >= 0);
    bHold.go();
    b.waitForJobs();
    QCOMPARE(state(h, abandoned), u"cancelled"_s);
    aHold.go();
    QTRY_COMPARE_WITH_TIMEOUT(state(h, running), u"ready"_s, 20000);

    // Another abandoned release: B takes it over on its own (its lease
    // timer) and builds it; A serves B's file from the shared directory.
    QVERIFY(insertAbandoned(h, u"entries"_s, 0));
    const qint64 later = newestRelease(h);
    QTRY_COMPARE_WITH_TIMEOUT(state(h, later), u"ready"_s, 30000);
    QCOMPARE(column(h, later, u"owner"_s), b.instance());
    const auto built = test::fetchRelease(h, later);
    QVERIFY(built);
    QCOMPARE(built->files.value(u"entries.csv"_s), h.get(u"/api/v1/export/entries?%1"_s.arg(filters)).body);
    QCOMPARE(QDir(f.dir.path()).entryList(QDir::Files),
             QStringList({ u"release-%1.zip"_s.arg(running), u"release-%1.zip"_s.arg(later) }));
}

QTEST_MAIN(TestReleases)
#include "tst_releases.moc"
