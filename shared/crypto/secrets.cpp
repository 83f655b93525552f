#include "crypto/secrets.h"

#include <crypt.h>
#include <sodium.h>

#include <algorithm>
#include <memory>

namespace openaps::crypto {

namespace {

const QLatin1String unboundPrefix("v1:");
const QLatin1String boundPrefix("v2:");

// What a sealed value authenticates besides its ciphertext.
QByteArray unboundData()
{
    return QByteArrayLiteral("v1");
}
QByteArray boundData(const QByteArray &binding)
{
    return QByteArrayLiteral("v2\0") + binding;
}

auto *bytes(QByteArray &a)
{
    return reinterpret_cast<unsigned char *>(a.data());
}
auto *bytes(const QByteArray &a)
{
    return reinterpret_cast<const unsigned char *>(a.constData());
}

// BLAKE2b of `data`, `size` bytes long, keyed with `key` (may be empty).
QByteArray blake2b(const QByteArray &key, const QByteArray &data, int size)
{
    QByteArray out(size, Qt::Uninitialized);
    crypto_generichash(bytes(out), size_t(out.size()), bytes(data), size_t(data.size()),
                       key.isEmpty() ? nullptr : bytes(key), size_t(key.size()));
    return out;
}

// BLAKE2b accepts keys of 16 to 64 bytes; anything else is hashed to 32 first
// so every input is usable and still secret-dependent.
QByteArray usableKey(const QByteArray &key)
{
    if (key.size() >= int(crypto_generichash_KEYBYTES_MIN) && key.size() <= int(crypto_generichash_KEYBYTES_MAX))
        return key;
    return blake2b({}, key, 32);
}

} // namespace

bool initialize()
{
    static const bool ok = sodium_init() >= 0;
    return ok;
}

Result<QString> hashPassword(const QString &password)
{
    initialize();
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, utf8.constData(), quint64(utf8.size()), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return makeError("crypto", QStringLiteral("The password could not be hashed (out of memory)."));
    return QString::fromLatin1(out);
}

bool verifyPassword(const QString &encodedHash, const QString &password)
{
    initialize();
    const QByteArray hash = encodedHash.toLatin1();
    if (hash.isEmpty() || hash.size() >= int(crypto_pwhash_STRBYTES))
        return false;
    const QByteArray utf8 = password.toUtf8();
    // hash.constData() is NUL-terminated, as crypto_pwhash_str_verify expects.
    return crypto_pwhash_str_verify(hash.constData(), utf8.constData(), quint64(utf8.size())) == 0;
}

PasswordCheck checkPassword(const QString &storedHash, const QString &password)
{
    if (storedHash.startsWith(QLatin1String("$argon2id$")))
        return verifyPassword(storedHash, password) ? PasswordCheck::Match : PasswordCheck::Mismatch;
    static const QLatin1String bcryptPrefixes[] = { QLatin1String("$2a$"), QLatin1String("$2b$"),
                                                    QLatin1String("$2y$") };
    if (!std::any_of(std::begin(bcryptPrefixes), std::end(bcryptPrefixes),
                     [&](QLatin1String prefix) { return storedHash.startsWith(prefix); }))
        return PasswordCheck::Unverifiable;
    const QByteArray setting = storedHash.toLatin1();
    const QByteArray utf8 = password.toUtf8();
    // crypt_rn reads the password up to its first NUL; bcrypt itself ignores bytes past 72.
    if (utf8.contains('\0'))
        return PasswordCheck::Mismatch;
    auto data = std::make_unique<crypt_data>();
    const char *result = crypt_rn(utf8.constData(), setting.constData(), data.get(), int(sizeof(crypt_data)));
    // On failure libcrypt returns NULL or a string starting with '*' (never a valid hash).
    if (!result || result[0] == '*')
        return PasswordCheck::Unverifiable;
    const QByteArray computed(result);
    sodium_memzero(data.get(), sizeof(crypt_data));
    return constantTimeEquals(computed, setting) ? PasswordCheck::Match : PasswordCheck::Mismatch;
}

bool needsRehash(const QString &storedHash)
{
    return !storedHash.startsWith(QLatin1String("$argon2id$"));
}

QByteArray randomBytes(int count)
{
    initialize();
    if (count <= 0)
        return {};
    QByteArray out(count, Qt::Uninitialized);
    randombytes_buf(out.data(), size_t(count));
    return out;
}

QString randomToken(int bytes)
{
    return QString::fromLatin1(
            randomBytes(std::max(bytes, 1)).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    initialize();
    if (a.size() != b.size())
        return false;
    return a.isEmpty() || sodium_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

QByteArray deriveKey(const QByteArray &secret, const QByteArray &context)
{
    initialize();
    // The domain prefix keeps these keys apart from any other BLAKE2b use of the secret.
    const QByteArray master = blake2b({}, QByteArrayLiteral("openaps-master-v1:") + secret, 32);
    return blake2b(master, QByteArrayLiteral("openaps-kdf-v1:") + context, 32);
}

QString keyedHash(const QByteArray &key, const QByteArray &data, int bytes)
{
    initialize();
    const int size = std::clamp(bytes, 1, int(crypto_generichash_BYTES_MAX));
    // BLAKE2b's shortest output is 16 bytes; shorter results are a prefix of it.
    const int computed = std::max(size, int(crypto_generichash_BYTES_MIN));
    return QString::fromLatin1(blake2b(usableKey(key), data, computed).left(size).toHex());
}

SecretBox::SecretBox(const QByteArray &secretKey) : m_key(deriveKey(secretKey, QByteArrayLiteral("token-encryption")))
{ }

SecretBox::~SecretBox()
{
    // Best effort: wipes this copy of the key (QByteArray may share it).
    if (m_key.isDetached())
        sodium_memzero(m_key.data(), size_t(m_key.size()));
}

namespace {

QString seal(const QByteArray &key, const QByteArray &plaintext, QLatin1String prefix, const QByteArray &associated)
{
    const QByteArray nonce = randomBytes(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    QByteArray sealed = nonce;
    sealed.resize(nonce.size() + plaintext.size() + int(crypto_aead_xchacha20poly1305_ietf_ABYTES));
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(bytes(sealed) + nonce.size(), &written, bytes(plaintext),
                                               quint64(plaintext.size()), bytes(associated), quint64(associated.size()),
                                               nullptr, bytes(nonce), bytes(key));
    sealed.resize(nonce.size() + int(written));
    return prefix + QString::fromLatin1(sealed.toBase64());
}

Result<QByteArray> open(const QByteArray &key, const QString &sealed, QLatin1String prefix,
                        const QByteArray &associated)
{
    initialize();
    const auto malformed = [] {
        return makeError("crypto", QStringLiteral("The stored secret is not in a known encrypted form."));
    };
    if (!sealed.startsWith(prefix))
        return malformed();
    const auto decoded = QByteArray::fromBase64Encoding(sealed.mid(prefix.size()).toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    const int headerSize = int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    const int tagSize = int(crypto_aead_xchacha20poly1305_ietf_ABYTES);
    if (!decoded || decoded.decoded.size() < headerSize + tagSize)
        return malformed();
    const QByteArray &data = decoded.decoded;
    QByteArray plain(data.size() - headerSize - tagSize, Qt::Uninitialized);
    unsigned long long written = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(bytes(plain), &written, nullptr, bytes(data) + headerSize,
                                                   quint64(data.size() - headerSize), bytes(associated),
                                                   quint64(associated.size()), bytes(data), bytes(key))
        != 0)
        return makeError("crypto",
                         QStringLiteral("The stored secret could not be decrypted: it was "
                                        "changed, belongs to another row, or OPENAPS_SECRET_KEY is not the key it "
                                        "was encrypted with."));
    plain.resize(int(written));
    return plain;
}

} // namespace

QString SecretBox::encrypt(const QByteArray &plaintext, const QByteArray &binding) const
{
    return seal(m_key, plaintext, boundPrefix, boundData(binding));
}

Result<QByteArray> SecretBox::decrypt(const QString &sealed, const QByteArray &binding) const
{
    return open(m_key, sealed, boundPrefix, boundData(binding));
}

QString SecretBox::encrypt(const QByteArray &plaintext) const
{
    return seal(m_key, plaintext, unboundPrefix, unboundData());
}

Result<QByteArray> SecretBox::decrypt(const QString &sealed) const
{
    return open(m_key, sealed, unboundPrefix, unboundData());
}

bool SecretBox::isUnbound(const QString &sealed)
{
    return sealed.startsWith(unboundPrefix);
}

} // namespace openaps::crypto
