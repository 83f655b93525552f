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
    // Waits for messages in flight (shutdown, tests).
    void waitForIdle();

private:
    SmtpSettings m_settings;
    QThreadPool m_pool;
};

} // namespace openaps::mail
