#pragma once

#include "core/result.h"
#include "ingest/hostgate.h"
#include "nightscout/collection.h"

#include <QDate>
#include <QObject>

#include <optional>

namespace openaps::ns {
class Client;
}

namespace openaps::ingest {

// Finds the month of a site's oldest record of one collection with
// after < time <= upTo, by bisection over months with one-record requests
// (about ten for fifty years), so a first pull walks months that have data
// instead of every month since 1970. Nightscout v1 lists newest first only,
// so the oldest record cannot simply be asked for.
class OldestMonthSearch final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OldestMonthSearch)

public:
    OldestMonthSearch(ns::Client *client, HostGate *gate, ns::Collection collection, qint64 afterMs, qint64 upToMs,
                      QObject *parent);

    void start();

    // The oldest month with data, nullopt when the window is empty; or an Error
    // (the Nightscout client's codes).
    const Result<std::optional<QDate>> &result() const { return m_result; }
    int requests() const { return m_requests; }

signals:
    void finished();

private:
    // Is there any record with after < time <= the end of month `index`?
    void probe(int index);
    void onProbe(int index, Result<bool> any);
    qint64 endOfMonth(int index) const;

    ns::Client *m_client;
    HostGate *m_gate;
    ns::Collection m_collection;
    qint64 m_afterMs;
    qint64 m_upToMs;
    QDate m_firstMonth;
    int m_lo = 0; // months before m_lo have no data
    int m_hi = 0; // month m_hi has data up to its end
    int m_requests = 0;
    bool m_checkedAny = false;
    Result<std::optional<QDate>> m_result { std::optional<QDate>() };
};

} // namespace openaps::ingest
