#pragma once

#include "core/result.h"

#include <QObject>
#include <QThreadPool>

#include <functional>

namespace openaps::api {

// argon2id takes a fraction of a second and ~64 MiB per call (secrets.h), so
// it runs on a small pool of its own: the event loop keeps serving the
// participant site while researchers log in, and memory stays bounded.
// Results come back on this object's thread, only while `context` exists.
class PasswordHasher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PasswordHasher)

public:
    explicit PasswordHasher(int threads = 2, QObject *parent = nullptr);
    ~PasswordHasher() override;

    void hash(const QString &password, QObject *context, std::function<void(Result<QString>)> done);
    // An empty `encodedHash` (no such account) is checked against a dummy
    // hash, so an unknown email costs the same time as a wrong password.
    void verify(const QString &encodedHash, const QString &password, QObject *context, std::function<void(bool)> done);
    void waitForIdle() { m_pool.waitForDone(); }

private:
    template <typename T> void run(std::function<T()> work, QObject *context, std::function<void(T)> done);

    QThreadPool m_pool;
};

} // namespace openaps::api
