#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

struct evp_md_ctx_st;

namespace openaps::api {

// SHA-256 through OpenSSL's libcrypto, which uses the CPU's SHA extensions:
// about nine times QCryptographicHash's speed here, and a release hashes
// every byte twice (each file for the manifest, then the zip).
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

} // namespace openaps::api
