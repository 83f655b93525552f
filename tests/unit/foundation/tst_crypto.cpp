#include "crypto/secrets.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace openaps;

class TestCrypto final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(crypto::initialize()); }

    void passwordRoundTrip_data();
    void passwordRoundTrip();
    void passwordHashIsSaltedArgon2id();
    void verifyRejectsGarbage_data();
    void verifyRejectsGarbage();
    void legacyBcrypt_data();
    void legacyBcrypt();

    void randomTokens();
    void randomBytesCount_data();
    void randomBytesCount();

    void constantTimeEquals_data();
    void constantTimeEquals();

    void deriveKeyDistinct();
    void keyedHashStable_data();
    void keyedHashStable();

    void secretBoxRoundTrip_data();
    void secretBoxRoundTrip();
    void secretBoxFreshNonce();
    void secretBoxWrongKey();
    void secretBoxTampering_data();
    void secretBoxTampering();
    void secretBoxBinding();
};

void TestCrypto::passwordRoundTrip_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("attempt");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("same") << QStringLiteral("correct horse") << QStringLiteral("correct horse") << true;
    QTest::addRow("wrong") << QStringLiteral("correct horse") << QStringLiteral("correct horsE") << false;
    QTest::addRow("prefix") << QStringLiteral("correct horse") << QStringLiteral("correct") << false;
    QTest::addRow("empty attempt") << QStringLiteral("pw") << QString() << false;
    QTest::addRow("unicode") << QStringLiteral("pässwörd ☃") << QStringLiteral("pässwörd ☃") << true;
    QTest::addRow("unicode differs") << QStringLiteral("pässwörd") << QStringLiteral("passwörd") << false;
}

void TestCrypto::passwordRoundTrip()
{
    QFETCH(QString, password);
    QFETCH(QString, attempt);
    QFETCH(bool, accepted);
    const auto hash = crypto::hashPassword(password);
    QVERIFY(hash.ok());
    QCOMPARE(crypto::verifyPassword(*hash, attempt), accepted);
    QVERIFY(crypto::verifyPassword(*hash, password));
}

void TestCrypto::passwordHashIsSaltedArgon2id()
{
    const auto a = crypto::hashPassword(QStringLiteral("secret"));
    const auto b = crypto::hashPassword(QStringLiteral("secret"));
    QVERIFY(a.ok() && b.ok());
    QVERIFY2(a->startsWith(QLatin1String("$argon2id$v=19$")), qPrintable(*a));
    QVERIFY(!a->contains(QLatin1String("secret")));
    QVERIFY(*a != *b); // random salt
    QVERIFY(crypto::verifyPassword(*b, QStringLiteral("secret")));
}

void TestCrypto::verifyRejectsGarbage_data()
{
    QTest::addColumn<QString>("hash");
    QTest::addRow("empty") << QString();
    QTest::addRow("plain text") << QStringLiteral("secret");
    QTest::addRow("truncated") << QStringLiteral("$argon2id$v=19$m=65536,t=2,p=1$");
    QTest::addRow("very long") << QString(500, QLatin1Char('$'));
}

void TestCrypto::verifyRejectsGarbage()
{
    QFETCH(QString, hash);
    QVERIFY(!crypto::verifyPassword(hash, QStringLiteral("secret")));
}

// The old portal's Flask-Bcrypt hashes ($2b$, cost 12), checked through libcrypt.
void TestCrypto::legacyBcrypt_data()
{
    QTest::addColumn<QString>("hash");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("expected");
    const QString portal = QStringLiteral("$2b$12$pGwv2L8Cyxn9gaoU3MxIseMc43B42vOUXSPva1XAVY0wT9nBewoJa");
    const QString admin = QStringLiteral("$2b$12$bJo.tDCGD/2xflyQgKK4NedV1pf0VZkpzlh4bE0d6m15/CVG.SXue");
    const int match = int(crypto::PasswordCheck::Match);
    const int mismatch = int(crypto::PasswordCheck::Mismatch);
    const int unverifiable = int(crypto::PasswordCheck::Unverifiable);
    QTest::addRow("2b utf-8 password") << portal << QStringLiteral("old portal pässword") << match;
    QTest::addRow("2b wrong password") << portal << QStringLiteral("old portal passwort") << mismatch;
    QTest::addRow("2b latin-1 spelling differs") << portal << QStringLiteral("old portal p\u00e4ssword ") << mismatch;
    QTest::addRow("2b ascii") << admin << QStringLiteral("admin secret 1") << match;
    QTest::addRow("2a prefix") << QString(admin).replace(2, 1, QLatin1Char('a')) << QStringLiteral("admin secret 1")
                               << match;
    QTest::addRow("2y prefix") << QString(admin).replace(2, 1, QLatin1Char('y')) << QStringLiteral("admin secret 1")
                               << match;
    QTest::addRow("NUL in password") << admin << QStringLiteral("admin secret 1") + QChar(0) + QStringLiteral("x")
                                     << mismatch;
    QTest::addRow("truncated hash") << QStringLiteral("$2b$12$truncated") << QStringLiteral("x") << unverifiable;
    QTest::addRow("bad cost") << QStringLiteral("$2b$99$pGwv2L8Cyxn9gaoU3MxIseMc43B42vOUXSPva1XAVY0wT9nBewoJa")
                              << QStringLiteral("old portal pässword") << unverifiable;
    QTest::addRow("no hash") << QString() << QStringLiteral("x") << unverifiable;
    QTest::addRow("marker") << QStringLiteral("!legacy-no-password") << QStringLiteral("x") << unverifiable;
    QTest::addRow("md5-crypt") << QStringLiteral("$1$abcdefgh$0123456789abcdefghijkl") << QStringLiteral("x")
                               << unverifiable;
}

void TestCrypto::legacyBcrypt()
{
    QFETCH(QString, hash);
    QFETCH(QString, password);
    QFETCH(int, expected);
    QCOMPARE(int(crypto::checkPassword(hash, password)), expected);
    QVERIFY(crypto::needsRehash(hash));
    // argon2id goes the same way and needs no rehash.
    const QString argon = crypto::hashPassword(password).value();
    QCOMPARE(crypto::checkPassword(argon, password), crypto::PasswordCheck::Match);
    QCOMPARE(crypto::checkPassword(argon, password + QLatin1Char('!')), crypto::PasswordCheck::Mismatch);
    QVERIFY(!crypto::needsRehash(argon));
}

void TestCrypto::randomTokens()
{
    static const QRegularExpression urlSafe(QStringLiteral("^[A-Za-z0-9_-]+$"));
    QSet<QString> seen;
    for (int i = 0; i < 100; ++i) {
        const QString token = crypto::randomToken();
        QCOMPARE(token.size(), 43); // 32 bytes, no padding
        QVERIFY2(urlSafe.match(token).hasMatch(), qPrintable(token));
        seen.insert(token);
    }
    QCOMPARE(seen.size(), 100);
    QCOMPARE(crypto::randomToken(16).size(), 22);
    const QByteArray decoded = QByteArray::fromBase64(crypto::randomToken(24).toLatin1(),
                                                      QByteArray::Base64UrlEncoding);
    QCOMPARE(decoded.size(), 24);
}

void TestCrypto::randomBytesCount_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("expected");
    QTest::addRow("zero") << 0 << 0;
    QTest::addRow("negative") << -5 << 0;
    QTest::addRow("one") << 1 << 1;
    QTest::addRow("key sized") << 32 << 32;
    QTest::addRow("large") << 4096 << 4096;
}

void TestCrypto::randomBytesCount()
{
    QFETCH(int, count);
    QFETCH(int, expected);
    QCOMPARE(crypto::randomBytes(count).size(), expected);
    if (count >= 32)
        QVERIFY(crypto::randomBytes(count) != crypto::randomBytes(count));
}

void TestCrypto::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");
    QTest::addRow("equal") << QByteArray("abcdef") << QByteArray("abcdef") << true;
    QTest::addRow("both empty") << QByteArray() << QByteArray("") << true;
    QTest::addRow("first byte") << QByteArray("xbcdef") << QByteArray("abcdef") << false;
    QTest::addRow("last byte") << QByteArray("abcdex") << QByteArray("abcdef") << false;
    QTest::addRow("prefix") << QByteArray("abc") << QByteArray("abcdef") << false;
    QTest::addRow("one empty") << QByteArray() << QByteArray("a") << false;
    QTest::addRow("embedded NUL") << QByteArray("a\0b", 3) << QByteArray("a\0c", 3) << false;
}

void TestCrypto::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(crypto::constantTimeEquals(a, b), equal);
    QCOMPARE(crypto::constantTimeEquals(b, a), equal);
}

void TestCrypto::deriveKeyDistinct()
{
    const QByteArray secret(40, 'k');
    const QByteArray tokens = crypto::deriveKey(secret, "token-encryption");
    QCOMPARE(tokens.size(), 32);
    QCOMPARE(crypto::deriveKey(secret, "token-encryption"), tokens); // deterministic
    QSet<QByteArray> keys { tokens };
    for (const char *context : { "nightscout-scrub", "api-token-hash", "session", "" })
        keys.insert(crypto::deriveKey(secret, context));
    QCOMPARE(keys.size(), 5);
    QVERIFY(crypto::deriveKey(QByteArray(40, 'j'), "token-encryption") != tokens);
    // A secret longer than BLAKE2b's 64-byte key limit still matters in full.
    QVERIFY(crypto::deriveKey(QByteArray(100, 'k') + 'a', "x") != crypto::deriveKey(QByteArray(100, 'k') + 'b', "x"));
}

void TestCrypto::keyedHashStable_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("bytes");
    QTest::addRow("derived key, default length") << crypto::deriveKey("secret", "scrub") << 16;
    QTest::addRow("short key") << QByteArray("k") << 16;
    QTest::addRow("long key") << QByteArray(200, 'k') << 32;
    QTest::addRow("8 bytes") << QByteArray(32, 'k') << 8;
    QTest::addRow("64 bytes") << QByteArray(32, 'k') << 64;
}

void TestCrypto::keyedHashStable()
{
    QFETCH(QByteArray, key);
    QFETCH(int, bytes);
    const QString a = crypto::keyedHash(key, "Loop iPhone", bytes);
    QCOMPARE(a.size(), bytes * 2);
    QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]+$")).match(a).hasMatch());
    QCOMPARE(crypto::keyedHash(key, "Loop iPhone", bytes), a);
    QVERIFY(crypto::keyedHash(key, "Loop iPhone ", bytes) != a);
    QVERIFY(crypto::keyedHash(key + 'x', "Loop iPhone", bytes) != a);
}

void TestCrypto::secretBoxRoundTrip_data()
{
    QTest::addColumn<QByteArray>("plaintext");
    QTest::addRow("token") << QByteArray("aBcD1234efGH5678");
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("binary") << QByteArray("\0\1\2\xff", 4);
    QTest::addRow("large") << QByteArray(100000, 'z');
}

void TestCrypto::secretBoxRoundTrip()
{
    QFETCH(QByteArray, plaintext);
    const crypto::SecretBox box(QByteArray(48, 's'));
    const QString sealed = box.encrypt(plaintext);
    QVERIFY(sealed.startsWith(QLatin1String("v1:")));
    if (plaintext.size() >= 8)
        QVERIFY(!sealed.contains(QString::fromLatin1(plaintext.toBase64())));
    const auto opened = box.decrypt(sealed);
    QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().message));
    QCOMPARE(*opened, plaintext);
    // Another box with the same secret (e.g. after a restart) opens it too.
    const crypto::SecretBox copy = crypto::SecretBox(QByteArray(48, 's'));
    QCOMPARE(*copy.decrypt(sealed), plaintext);
}

void TestCrypto::secretBoxFreshNonce()
{
    const crypto::SecretBox box(QByteArray(48, 's'));
    QVERIFY(box.encrypt("same") != box.encrypt("same"));
}

void TestCrypto::secretBoxWrongKey()
{
    const QString sealed = crypto::SecretBox(QByteArray(48, 's')).encrypt("refresh-token");
    const auto opened = crypto::SecretBox(QByteArray(48, 't')).decrypt(sealed);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, QStringLiteral("crypto"));
    QVERIFY(opened.error().message.contains(QLatin1String("OPENAPS_SECRET_KEY")));
}

void TestCrypto::secretBoxTampering_data()
{
    const crypto::SecretBox box(QByteArray(48, 's'));
    const QString sealed = box.encrypt("access-token-value");
    const QByteArray raw = QByteArray::fromBase64(sealed.mid(3).toLatin1());
    const auto reseal = [](const QByteArray &bytes) -> QString {
        return QLatin1String("v1:") + QString::fromLatin1(bytes.toBase64());
    };
    auto flip = [&](qsizetype index) -> QString {
        QByteArray b = raw;
        b[index] = char(b[index] ^ 0x01);
        return reseal(b);
    };
    QTest::addColumn<QString>("sealed");
    QTest::addRow("nonce changed") << flip(0);
    QTest::addRow("ciphertext changed") << flip(30);
    QTest::addRow("tag changed") << flip(raw.size() - 1);
    QTest::addRow("truncated") << reseal(raw.chopped(1));
    QTest::addRow("too short") << reseal(raw.left(20));
    QTest::addRow("no prefix") << sealed.mid(3);
    QTest::addRow("other version") << QString(QLatin1String("v2:") + sealed.mid(3));
    QTest::addRow("not base64") << QStringLiteral("v1:!!!not base64!!!");
    QTest::addRow("empty") << QString();
    QTest::addRow("plaintext token") << QStringLiteral("access-token-value");
}

void TestCrypto::secretBoxTampering()
{
    QFETCH(QString, sealed);
    const crypto::SecretBox box(QByteArray(48, 's'));
    const auto opened = box.decrypt(sealed);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, QStringLiteral("crypto"));
    QVERIFY(!opened.error().message.isEmpty());
    QVERIFY(!opened.error().message.contains(QLatin1String("access-token-value")));
}

void TestCrypto::secretBoxBinding()
{
    const crypto::SecretBox box(QByteArray(48, 's'));
    const QString sealed = box.encrypt("access-token", "row 1");
    QVERIFY(sealed.startsWith(QLatin1String("v2:")));
    QCOMPARE(*box.decrypt(sealed, "row 1"), QByteArray("access-token"));
    // Another binding, the unbound reader, or an unbound value read as bound: refused.
    QVERIFY(!box.decrypt(sealed, "row 2").ok());
    QVERIFY(!box.decrypt(sealed, "row 1 ").ok());
    QVERIFY(!box.decrypt(sealed).ok());
    QVERIFY(!box.decrypt(box.encrypt("access-token"), "row 1").ok());
    QVERIFY(!box.decrypt(QLatin1String("v1:") + sealed.mid(3), "row 1").ok());
    QVERIFY(crypto::SecretBox::isUnbound(box.encrypt("x")));
    QVERIFY(!crypto::SecretBox::isUnbound(sealed));
}

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
