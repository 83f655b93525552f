#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <atomic>
#include <memory>

struct evp_md_ctx_st;

namespace openaps::crypto {

// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA extensions:
// about nine times QCryptographicHash's speed here. The server hashes every
// byte of a release twice (each file for the manifest, then the zip), the
// researcher's client once more to verify it (README "Releases").
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void addData(QByteArrayView data);
    QByteArray hexResult(); // once
    static QByteArray hex(QByteArrayView data);

private:
    struct Free
    {
        void operator()(evp_md_ctx_st *context) const;
    };
    std::unique_ptr<evp_md_ctx_st, Free> m_context;
};

// The hex SHA-256 of a file, read in 256 KB pieces. Error "cancelled" once
// `cancelled` is set, "disk" if the file cannot be read.
Result<QByteArray> fileSha256(const QString &path, const std::atomic<bool> *cancelled = nullptr);

} // namespace openaps::crypto
