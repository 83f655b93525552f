#include "exportharness.h"

#include "api/researcherstore.h"
#include "api/tokenauth.h"

#include <QDateTime>
#include <QHttpServerRequest>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>

using namespace openaps;
using namespace Qt::StringLiterals;

// The export API behind the real bearer-token check (TokenAuth of the
// accounts half), as ServerRuntime wires it: an approved researcher's
// token exports their scope's rows; revoked or unknown tokens and
// researchers who are not approved get nothing.
class TestExportTokenAuth final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void exportsWithRealTokens();
    void runningDownloadStopsWhenRefused_data();
    void runningDownloadStopsWhenRefused();
    void aLockedTokenTableHoldsUpNoOtherRequest();
};

namespace {

const QByteArray secretKey = QByteArrayLiteral("export-test-secret-key-0123456789ab");

// A researcher written to the store with a live token; returns the token.
QByteArray addResearcher(const db::Database &database, const api::TokenAuth &auth, const QString &email,
                         const QString &status, const QString &scope)
{
    api::ResearcherStore store(database);
    api::Account account;
    account.email = email;
    account.name = u"Dr. Test"_s;
    account.institution = u"Test University"_s;
    account.purpose = u"testing"_s;
    account.status = status;
    account.scope = scope;
    account.passwordHash = u"not-used"_s;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto id = store.create(account, now);
    if (!id)
        return {};
    const QString token = u"tok-"_s + email.section(u'@', 0, 0) + u"-0123456789abcdef0123456789abcdef"_s;
    if (!store.addToken(auth.tokenHash(token), *id, now, now + 3600 * 1000))
        return {};
    return token.toLatin1();
}

// The harness behind the real TokenAuth, kept in `auth`.
test::ExportHarness::AuthFactory realAuth(std::shared_ptr<api::TokenAuth> &auth)
{
    return [&auth](const db::Database &database) {
        auth = std::make_shared<api::TokenAuth>(database, secretKey);
        return [auth](const QString &token) { return auth->authenticateToken(token); };
    };
}

QString lastOutcome(const test::ExportHarness &h)
{
    const auto rows = h.auditRows();
    return rows.isEmpty() ? QString() : rows.last().value(u"outcome"_s).toString();
}

} // namespace

void TestExportTokenAuth::exportsWithRealTokens()
{
    QFETCH_GLOBAL(QString, backend);
    std::shared_ptr<api::TokenAuth> auth;
    test::ExportHarness h(backend, realAuth(auth));
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    const QByteArray nsf = addResearcher(h.database(), *auth, u"nsf@test.invalid"_s, u"approved"_s, u"nsf"_s);
    const QByteArray pending = addResearcher(h.database(), *auth, u"wait@test.invalid"_s, u"pending"_s, QString());
    QVERIFY(!nsf.isEmpty());
    QVERIFY(!pending.isEmpty());

    auto reply = h.get(u"/api/v1/export/entries?format=ndjson"_s, nsf);
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("X-Export-Rows-Estimate"), QByteArray("6"));
    QVERIFY(!reply.body.contains("\"user_id\":101"));
    QCOMPARE(reply.body.count("\"user_id\":102"), 3);
    QCOMPARE(h.get(u"/api/v1/export/entries/count"_s, nsf).json().value(u"rows"_s).toInt(), 6);
    QCOMPARE(h.get(u"/api/v1/datasets"_s, nsf).status, 200);
    QCOMPARE(h.get(u"/api/v1/admin/downloads"_s, nsf).status, 403);

    // Not approved: no data, whatever the token.
    reply = h.get(u"/api/v1/export/entries"_s, pending);
    QVERIFY(reply.status == 401 || reply.status == 403);
    reply = h.get(u"/api/v1/export/entries"_s, "made-up-token");
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.json().value(u"error"_s).toString(), u"bad-token"_s);
    // No token at all is "not signed in", not "your sign-in has expired".
    reply = h.get(u"/api/v1/export/entries"_s, QByteArray());
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.json().value(u"error"_s).toString(), u"no-token"_s);

    // A revoked token stops working at once.
    api::ResearcherStore store(h.database());
    QVERIFY(store.revokeToken(auth->tokenHash(QString::fromLatin1(nsf)), QDateTime::currentMSecsSinceEpoch()).ok());
    reply = h.get(u"/api/v1/export/entries"_s, nsf);
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.json().value(u"error"_s).toString(), u"bad-token"_s);
    // One download, by the approved researcher.
    QTRY_COMPARE(h.auditRows().size(), 1);
}

void TestExportTokenAuth::runningDownloadStopsWhenRefused_data()
{
    QTest::addColumn<bool>("deactivate");
    QTest::addRow("token revoked") << false;
    QTest::addRow("account deactivated") << true;
}

void TestExportTokenAuth::runningDownloadStopsWhenRefused()
{
    QFETCH_GLOBAL(QString, backend);
    QFETCH(bool, deactivate);
    std::shared_ptr<api::TokenAuth> auth;
    test::ExportHarness h(backend, realAuth(auth));
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    // About 18 MB: a client that stops reading holds it in the middle.
    constexpr int bulkRows = 1800;
    QVERIFY(h.seedBulk(bulkRows, 10000));
    const QByteArray token = addResearcher(h.database(), *auth, u"all@test.invalid"_s, u"approved"_s, u"all"_s);
    QVERIFY(!token.isEmpty());

    std::unique_ptr<QNetworkReply> reply(h.startSlowDownload(u"/api/v1/export/entries?format=ndjson"_s, token));
    QVERIFY(reply);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(h.api().runningExports(), 1);
    api::ResearcherStore store(h.database());
    if (deactivate) {
        // The status alone, tokens untouched (the admin route revokes them too).
        QSqlQuery q(*h.database().connection());
        QVERIFY(q.exec(u"UPDATE researchers SET status = 'deactivated' WHERE email = 'all@test.invalid'"_s));
    } else {
        QVERIFY(store.revokeToken(auth->tokenHash(QString::fromLatin1(token)), QDateTime::currentMSecsSinceEpoch())
                        .ok());
    }
    // The download stops while the client still reads nothing...
    QTRY_COMPARE_WITH_TIMEOUT(lastOutcome(h), u"revoked"_s, 30000);
    QCOMPARE(h.api().runningExports(), 0);
    QVERIFY(h.auditRows().last().value(u"row_count"_s).toLongLong() < bulkRows);
    // ...and the client can tell its file is incomplete.
    reply->setReadBufferSize(0);
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QVERIFY(reply->isFinished() || finished.wait(30000));
    QVERIFY2(reply->error() != QNetworkReply::NoError, "the download ended as if it were complete");
    // A new download with that token is refused.
    QCOMPARE(h.get(u"/api/v1/export/profile"_s, token).status, deactivate ? 403 : 401);
}

void TestExportTokenAuth::aLockedTokenTableHoldsUpNoOtherRequest()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend != QLatin1String("postgres"))
        QSKIP("a table lock from another connection makes the token check wait: PostgreSQL");
    std::shared_ptr<api::TokenAuth> auth;
    test::ExportHarness h(backend, realAuth(auth));
    QVERIFY(h.isValid());
    QVERIFY(h.seed());
    const QByteArray token = addResearcher(h.database(), *auth, u"all@test.invalid"_s, u"approved"_s, u"all"_s);
    QVERIFY(!token.isEmpty());
    test::TableLock lock(h.database(), u"api_tokens"_s);
    QVERIFY(lock.isLocked());
    std::unique_ptr<QNetworkReply> download(h.nam().get(h.request(u"/api/v1/export/profile"_s, token)));
    // The token check waits for the lock, on a worker: the server answers meanwhile.
    QTRY_VERIFY_WITH_TIMEOUT(h.someoneWaitsForALock(), 20000);
    QCOMPARE(h.get(u"/livez"_s).status, 200);
    QVERIFY2(lock.stillHeld(), "the server waited for the token table");
    QVERIFY(!download->isFinished());
    lock.release();
    QSignalSpy done(download.get(), &QNetworkReply::finished);
    QVERIFY(download->isFinished() || done.wait(20000));
    QCOMPARE(download->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
}

QTEST_MAIN(TestExportTokenAuth)
#include "tst_exporttokenauth.moc"
