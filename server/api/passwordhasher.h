#pragma once

#include "core/result.h"
#include "crypto/secrets.h"

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
    // Checks a stored hash: argon2id, or a migrated bcrypt hash
    // (crypto::checkPassword). An empty `storedHash` (no such account) and an
    // unverifiable one are checked against a dummy hash, so they cost the
    // same time as a wrong password.
    void check(const QString &storedHash, const QString &password, QObject *context,
               std::function<void(crypto::PasswordCheck)> done);
    void waitForIdle() { m_pool.waitForDone(); }

private:
    template <typename T> void run(std::function<T()> work, QObject *context, std::function<void(T)> done);

    QThreadPool m_pool;
};

} // namespace openaps::api
