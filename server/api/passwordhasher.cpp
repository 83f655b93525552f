#include "api/passwordhasher.h"

#include "crypto/secrets.h"

#include <QPointer>

namespace openaps::api {

namespace {

const QString &dummyHash()
{
    // Computed once, on the first pool thread that needs it (thread-safe static).
    static const QString hash = [] {
        auto h = crypto::hashPassword(crypto::randomToken(16));
        return h ? *h : QString();
    }();
    return hash;
}

} // namespace

PasswordHasher::PasswordHasher(int threads, QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(qMax(1, threads));
}

PasswordHasher::~PasswordHasher()
{
    m_pool.waitForDone();
}

template <typename T> void PasswordHasher::run(std::function<T()> work, QObject *context, std::function<void(T)> done)
{
    QPointer<QObject> target(context);
    m_pool.start([this, work = std::move(work), target, done = std::move(done)] {
        T result = work();
        // This object outlives its pool's tasks (the destructor waits).
        QMetaObject::invokeMethod(
                this,
                [target, done, result] {
                    if (target)
                        done(result);
                },
                Qt::QueuedConnection);
    });
}

void PasswordHasher::hash(const QString &password, QObject *context, std::function<void(Result<QString>)> done)
{
    run<Result<QString>>([password] { return crypto::hashPassword(password); }, context, std::move(done));
}

void PasswordHasher::check(const QString &storedHash, const QString &password, QObject *context,
                           std::function<void(crypto::PasswordCheck)> done)
{
    run<crypto::PasswordCheck>(
            [storedHash, password] {
                if (storedHash.isEmpty()) {
                    crypto::verifyPassword(dummyHash(), password);
                    return crypto::PasswordCheck::Mismatch;
                }
                const crypto::PasswordCheck result = crypto::checkPassword(storedHash, password);
                if (result == crypto::PasswordCheck::Unverifiable)
                    crypto::verifyPassword(dummyHash(), password);
                return result;
            },
            context, std::move(done));
}

} // namespace openaps::api
