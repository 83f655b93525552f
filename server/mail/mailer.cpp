#include "mail/mailer.h"

#include "mail/maillog.h"

#include <QPointer>
#include <QScopeGuard>

namespace openaps::mail {

Q_LOGGING_CATEGORY(lcMail, "openaps.server.mail", QtInfoMsg)

Mailer::Mailer(SmtpSettings settings, QObject *parent) : QObject(parent), m_settings(std::move(settings))
{
    // A slow mail server must not hold many threads; messages queue instead.
    m_pool.setMaxThreadCount(2);
    m_pool.setExpiryTimeout(30000);
}

Mailer::~Mailer()
{
    m_pool.waitForDone();
}

void Mailer::waitForIdle()
{
    m_pool.waitForDone();
}

void Mailer::send(Message message, QObject *context, std::function<void(Status)> done)
{
    QPointer<QObject> target(context);
    const SmtpSettings settings = m_settings;
    m_inFlight.ref();
    m_pool.start([this, settings, message = std::move(message), target, done = std::move(done)] {
        const auto sentOrFailed = qScopeGuard([this] { m_inFlight.deref(); });
        const Status sent = sendBlocking(settings, message);
        if (!sent)
            qCWarning(lcMail, "%s", qPrintable(sent.error().message));
        if (!done)
            return;
        // Back on this object's thread (it outlives the pool's tasks), then
        // only if the context still exists.
        QMetaObject::invokeMethod(
                this,
                [target, done, sent] {
                    if (target)
                        done(sent);
                },
                Qt::QueuedConnection);
    });
}

} // namespace openaps::mail
