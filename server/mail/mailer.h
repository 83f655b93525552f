#pragma once

#include "core/result.h"
#include "mail/smtpsend.h"
#include "mail/smtpsettings.h"

#include <QObject>
#include <QThreadPool>

#include <functional>

namespace openaps::mail {

// Sends mail off the event loop thread: each message is one libcurl exchange
// on a small pool of worker threads, and `done` runs back on the mailer's
// thread, only while `context` still exists.
class Mailer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Mailer)

public:
    explicit Mailer(SmtpSettings settings, QObject *parent = nullptr);
    ~Mailer() override;

    bool isConfigured() const { return m_settings.isConfigured(); }
    const SmtpSettings &settings() const { return m_settings; }

    // Failures are logged here without recipient or content; `done` may be empty.
    void send(Message message, QObject *context, std::function<void(Status)> done);
    // Waits for messages in flight (shutdown). It blocks this thread: a mail
    // server answering on it (the demo's and the tests' stand-in) waits
    // with it, until libcurl's timeout; wait for isIdle() turning the event
    // loop instead.
    void waitForIdle();
    // No message in flight.
    bool isIdle() const { return m_inFlight.loadAcquire() == 0; }

private:
    SmtpSettings m_settings;
    QThreadPool m_pool;
    QAtomicInt m_inFlight;
};

} // namespace openaps::mail
