#include "crypto/sha256.h"

#include <QFile>

#include <openssl/evp.h>

namespace openaps::crypto {

void Sha256::Free::operator()(evp_md_ctx_st *context) const
{
    EVP_MD_CTX_free(context);
}

Sha256::Sha256() : m_context(EVP_MD_CTX_new())
{
    EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::addData(QByteArrayView data)
{
    EVP_DigestUpdate(m_context.get(), data.data(), size_t(data.size()));
}

QByteArray Sha256::hexResult()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context.get(), digest, &length);
    return QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
}

QByteArray Sha256::hex(QByteArrayView data)
{
    Sha256 hash;
    hash.addData(data);
    return hash.hexResult();
}

Result<QByteArray> fileSha256(const QString &path, const std::atomic<bool> *cancelled)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError("disk", QStringLiteral("The file %1 could not be read: %2").arg(path, file.errorString()));
    Sha256 hash;
    QByteArray buffer(256 * 1024, Qt::Uninitialized);
    for (;;) {
        if (cancelled && cancelled->load())
            return makeError("cancelled", QStringLiteral("The check was cancelled."));
        const qint64 n = file.read(buffer.data(), buffer.size());
        if (n < 0)
            return makeError("disk", QStringLiteral("The file %1 could not be read: %2").arg(path, file.errorString()));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
    }
    return hash.hexResult();
}

} // namespace openaps::crypto
