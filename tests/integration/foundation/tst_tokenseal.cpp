#include "foundationtest.h"

#include "crypto/secrets.h"
#include "db/migrations.h"
#include "db/sqlhelpers.h"
#include "jobs/ohsession.h"
#include "openhumans/client.h"
#include "privacy/tokenseal.h"
#include "site/participantstore.h"

#include <QNetworkAccessManager>
#include <QStandardPaths>

using namespace openaps;
using namespace Qt::StringLiterals;

// Participants' sealed Open Humans tokens are bound to their row and column:
// a value copied to another participant's row, or into the other column, does
// not open. Rows sealed by older versions (unbound) keep working and are bound
// in place by the migration step.
class TestTokenSeal final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data() { test::addBackendRows(); }
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void copiedValuesDoNotOpen();
    void oldRowsAreBoundInPlace();
};

namespace {

const QByteArray secretKey = QByteArrayLiteral("token-seal-test-secret-key-0123456789");

QVariant column(const db::Database &database, const QString &column, const QString &member)
{
    auto q = sql::exec(database, u"SELECT %1 FROM participants WHERE member_id = ?"_s.arg(column), { member }, "test");
    return q && q->next() ? q->value(0) : QVariant();
}

bool setColumn(const db::Database &database, const QString &column, const QString &member, const QVariant &value)
{
    return sql::exec(database, u"UPDATE participants SET %1 = ? WHERE member_id = ?"_s.arg(column), { value, member },
                     "test")
            .ok();
}

qint64 idOf(const db::Database &database, const QString &member)
{
    return column(database, u"id"_s, member).toLongLong();
}

site::ParticipantStore::Login login(const QString &member)
{
    site::ParticipantStore::Login l;
    l.memberId = member;
    l.tokens.accessToken = u"access-of-"_s + member;
    l.tokens.refreshToken = u"refresh-of-"_s + member;
    l.tokens.expiresAt = QDateTime::currentDateTimeUtc().addSecs(36000);
    return l;
}

} // namespace

void TestTokenSeal::copiedValuesDoNotOpen()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    QVERIFY(db::migrate(database));
    site::ParticipantStore store(database, secretKey);
    QVERIFY(store.recordLogin(login(u"11111111"_s)));
    QVERIFY(store.recordLogin(login(u"22222222"_s)));
    const qint64 alice = idOf(database, u"11111111"_s);
    const qint64 bob = idOf(database, u"22222222"_s);
    auto tokens = store.tokens(bob);
    QVERIFY(tokens && *tokens);
    QCOMPARE((*tokens)->accessToken, u"access-of-22222222"_s);
    QVERIFY(column(database, u"access_token_enc"_s, u"22222222"_s).toString().startsWith(u"v2:"_s));

    // Alice's sealed access token copied into Bob's row opens for no one.
    const QVariant alicesAccess = column(database, u"access_token_enc"_s, u"11111111"_s);
    QVERIFY(setColumn(database, u"access_token_enc"_s, u"22222222"_s, alicesAccess));
    QVERIFY(!store.tokens(bob));
    QNetworkAccessManager nam;
    const jobs::OhSession session(database, oh::Client(&nam, oh::Settings()), secretKey);
    QCOMPARE(session.stored(bob).error().code, u"token-unreadable"_s);
    // Nor does her refresh token moved into her own access column.
    QVERIFY(setColumn(database, u"access_token_enc"_s, u"11111111"_s,
                      column(database, u"refresh_token_enc"_s, u"11111111"_s)));
    QVERIFY(!store.tokens(alice));
    // Refreshed tokens the jobs store are bound as well.
    oh::TokenPair fresh { u"new-access"_s, u"new-refresh"_s, QDateTime::currentDateTimeUtc().addSecs(36000), {} };
    QVERIFY(session.store(alice, fresh).ok());
    QCOMPARE(session.stored(alice)->accessToken, u"new-access"_s);
    QVERIFY(setColumn(database, u"refresh_token_enc"_s, u"22222222"_s,
                      column(database, u"refresh_token_enc"_s, u"11111111"_s)));
    QVERIFY(!session.stored(bob));
}

void TestTokenSeal::oldRowsAreBoundInPlace()
{
    OPEN_TEST_DATABASE(tdb);
    const db::Database database = tdb.database();
    QVERIFY(db::migrate(database));
    // Rows as older versions sealed them: the unbound form.
    const crypto::SecretBox unbound(secretKey);
    for (const QString &member : { u"11111111"_s, u"22222222"_s }) {
        QVERIFY(sql::exec(
                database,
                u"INSERT INTO participants (member_id, access_token_enc, refresh_token_enc) VALUES (?, ?, ?)"_s,
                { member, unbound.encrypt("access-of-" + member.toUtf8()),
                  unbound.encrypt("refresh-of-" + member.toUtf8()) },
                "test"));
    }
    QVERIFY(sql::exec(database, u"INSERT INTO participants (member_id) VALUES ('33333333')"_s, {}, "test"));
    const site::ParticipantStore store(database, secretKey);
    // They keep working before the migration step...
    QCOMPARE((*store.tokens(idOf(database, u"11111111"_s)))->refreshToken, u"refresh-of-11111111"_s);
    QCOMPARE(privacy::hasUnboundTokens(database).value(), true);

    const privacy::TokenSeal seal(secretKey);
    QCOMPARE(privacy::bindUnboundTokens(database, seal).value(), 4);
    QCOMPARE(privacy::hasUnboundTokens(database).value(), false);
    QCOMPARE(privacy::bindUnboundTokens(database, seal).value(), 0); // idempotent
    // ...and after it, bound to their rows.
    for (const QString &member : { u"11111111"_s, u"22222222"_s }) {
        QVERIFY(column(database, u"access_token_enc"_s, member).toString().startsWith(u"v2:"_s));
        auto tokens = store.tokens(idOf(database, member));
        QVERIFY(tokens && *tokens);
        QCOMPARE((*tokens)->accessToken, u"access-of-"_s + member);
        QCOMPARE((*tokens)->refreshToken, u"refresh-of-"_s + member);
    }
    QVERIFY(column(database, u"access_token_enc"_s, u"33333333"_s).isNull());
    QVERIFY(setColumn(database, u"access_token_enc"_s, u"22222222"_s,
                      column(database, u"access_token_enc"_s, u"11111111"_s)));
    QVERIFY(!store.tokens(idOf(database, u"22222222"_s)));
}

QTEST_MAIN(TestTokenSeal)
#include "tst_tokenseal.moc"
