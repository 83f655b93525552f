#pragma once

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QQueue>
#include <QSet>

#include <functional>
#include <memory>

namespace openaps::ingest {

// At most one request in flight per Nightscout host, however many
// participants share it (hosting services put many sites on one name), so a
// cycle never hammers a site; the others wait their turn.
class HostGate final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HostGate)

public:
    // Held while a request is in flight; dropping it lets the next one go.
    using Ticket = std::shared_ptr<void>;

    explicit HostGate(QObject *parent = nullptr);

    // Calls `work` with a ticket once `host` is free (at once when it is),
    // from the event loop. Nothing is called if `context` is gone by then.
    void acquire(const QString &host, QObject *context, std::function<void(Ticket)> work);

    // Hosts with a request in flight (for tests and metrics).
    int busyHosts() const { return int(m_busy.size()); }

private:
    struct Waiter
    {
        QPointer<QObject> context;
        std::function<void(Ticket)> work;
    };
    void release(const QString &host);
    void grantNext(const QString &host);

    QHash<QString, QQueue<Waiter>> m_waiting;
    QSet<QString> m_busy;
};

} // namespace openaps::ingest
