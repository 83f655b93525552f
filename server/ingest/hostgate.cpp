#include "ingest/hostgate.h"

#include <QTimer>

namespace openaps::ingest {

HostGate::HostGate(QObject *parent) : QObject(parent) { }

void HostGate::acquire(const QString &host, QObject *context, std::function<void(Ticket)> work)
{
    m_waiting[host].enqueue(Waiter { context, std::move(work) });
    if (!m_busy.contains(host))
        grantNext(host);
}

void HostGate::grantNext(const QString &host)
{
    auto it = m_waiting.find(host);
    while (it != m_waiting.end() && !it->isEmpty()) {
        Waiter waiter = it->dequeue();
        if (!waiter.context)
            continue;
        m_busy.insert(host);
        QPointer<HostGate> self(this);
        // Points at the gate only so that a held ticket tests true.
        Ticket ticket(static_cast<void *>(this), [self, host](void *) {
            if (self)
                self->release(host);
        });
        // From the event loop, so a holder that finishes at once cannot recurse.
        QTimer::singleShot(0, waiter.context, [work = std::move(waiter.work), ticket]() { work(ticket); });
        return;
    }
    if (it != m_waiting.end())
        m_waiting.erase(it);
}

void HostGate::release(const QString &host)
{
    m_busy.remove(host);
    grantNext(host);
}

} // namespace openaps::ingest
