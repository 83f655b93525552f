#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QString>

// Secrets in one place, all on libsodium: password hashing, random tokens,
// key derivation, keyed hashes and authenticated encryption of stored tokens.
namespace openaps::crypto {

// Initialises libsodium. Idempotent and thread-safe; every function below
// calls it, so callers only need it to fail early at start-up.
bool initialize();

// argon2id (libsodium's "interactive" limits: ~64 MiB, a fraction of a
// second) in the self-describing encoded form "$argon2id$v=19$m=...".
Result<QString> hashPassword(const QString &password);
// False for a wrong password and for anything that is not an encoded hash.
bool verifyPassword(const QString &encodedHash, const QString &password);

// A stored hash checked against a password: argon2id as above, and the old
// Data Commons portal's bcrypt hashes ("$2b$12$..." from Flask-Bcrypt; also
// $2a$ and $2y$) through Debian's libcrypt (crypt_rn), so migrated
// researchers sign in with their old password once and get an argon2id hash.
enum class PasswordCheck {
    Match,
    Mismatch,
    Unverifiable, // no hash, or one no verifier here accepts: only a reset helps
};
PasswordCheck checkPassword(const QString &storedHash, const QString &password);
// True for any stored hash that is not argon2id (a bcrypt hash after a match).
bool needsRehash(const QString &storedHash);

// Cryptographically secure random bytes (count <= 0 gives an empty array).
QByteArray randomBytes(int count);
// `bytes` random bytes as URL-safe base64 without padding (32 bytes → 43 characters).
QString randomToken(int bytes = 32);

// Compares in time that depends only on the lengths, not on where the inputs differ.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

// A 32-byte key for one purpose (`context`, e.g. "token-encryption") from the
// configured secret: BLAKE2b keyed with BLAKE2b(secret). Different contexts
// give unrelated keys, so one leaked subkey reveals nothing about the others.
QByteArray deriveKey(const QByteArray &secret, const QByteArray &context);

// Lower-case hex of a keyed BLAKE2b hash, `bytes` long (1..64). Stable for a
// key, so it can replace free text consistently or index stored API tokens.
QString keyedHash(const QByteArray &key, const QByteArray &data, int bytes = 16);

// Authenticated encryption of small secrets at rest (OAuth tokens):
// XChaCha20-Poly1305 with a random 24-byte nonce per message, key =
// deriveKey(secretKey, "token-encryption"). Sealed form: "vN:" +
// base64(nonce | ciphertext | tag). "v1" authenticates only its version
// (the first form, kept to read and convert old rows); "v2" authenticates
// its version and a `binding` the caller names (whose row, which column),
// so a sealed value copied elsewhere does not open.
class SecretBox
{
public:
    explicit SecretBox(const QByteArray &secretKey);
    ~SecretBox();
    SecretBox(const SecretBox &other) = default;
    SecretBox &operator=(const SecretBox &other) = default;

    // "v2", bound to `binding` (not secret, not stored).
    QString encrypt(const QByteArray &plaintext, const QByteArray &binding) const;
    // A clear Error when the value is malformed, not "v2", was changed, was
    // sealed under another secret key or for another binding.
    Result<QByteArray> decrypt(const QString &sealed, const QByteArray &binding) const;

    // The unbound "v1" form: only to read (and convert) what older versions stored.
    QString encrypt(const QByteArray &plaintext) const;
    Result<QByteArray> decrypt(const QString &sealed) const;
    static bool isUnbound(const QString &sealed);

private:
    QByteArray m_key;
};

} // namespace openaps::crypto
