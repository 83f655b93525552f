#include "ingest/oldestmonth.h"

#include "ingest/filelayout.h"
#include "nightscout/client.h"
#include "records/filenames.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>
#include <QUrlQuery>

namespace openaps::ingest {

OldestMonthSearch::OldestMonthSearch(ns::Client *client, HostGate *gate, ns::Collection collection, qint64 afterMs,
                                     qint64 upToMs, QObject *parent)
    : QObject(parent),
      m_client(client),
      m_gate(gate),
      m_collection(collection),
      m_afterMs(afterMs),
      m_upToMs(upToMs),
      m_firstMonth(records::monthOf(afterMs + 1))
{ }

qint64 OldestMonthSearch::endOfMonth(int index) const
{
    return std::min(records::monthStartMs(m_firstMonth.addMonths(index + 1)), m_upToMs);
}

void OldestMonthSearch::start()
{
    const QDate last = records::monthOf(m_upToMs);
    m_lo = 0;
    m_hi = (last.year() - m_firstMonth.year()) * 12 + last.month() - m_firstMonth.month();
    if (m_upToMs <= m_afterMs) {
        QTimer::singleShot(0, this, &OldestMonthSearch::finished);
        return;
    }
    probe(m_hi); // anything at all?
}

void OldestMonthSearch::probe(int index)
{
    QUrlQuery query;
    const QString field = ns::dateField(m_collection);
    const auto at = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC); };
    query.addQueryItem(QLatin1String("find[") + field + QLatin1String("][$gt]"),
                       ns::boundValue(m_collection, at(m_afterMs)));
    query.addQueryItem(QLatin1String("find[") + field + QLatin1String("][$lte]"),
                       ns::boundValue(m_collection, at(endOfMonth(index))));
    query.addQueryItem(QStringLiteral("count"), QStringLiteral("1"));
    m_gate->acquire(m_client->site().host(), this, [this, index, query](HostGate::Ticket ticket) {
        ++m_requests;
        m_client->getJson(ns::collectionEndpoint(m_collection), query, this,
                          [this, index, ticket](Result<QJsonDocument> answer) mutable {
                              ticket.reset();
                              if (!answer)
                                  onProbe(index, answer.error());
                              else
                                  onProbe(index, answer->isArray() && !answer->array().isEmpty());
                          });
    });
}

void OldestMonthSearch::onProbe(int index, Result<bool> any)
{
    if (!any) {
        m_result = any.error();
        emit finished();
        return;
    }
    if (!m_checkedAny) {
        // The first probe covers the whole window.
        m_checkedAny = true;
        if (!*any) {
            emit finished();
            return;
        }
    }
    if (*any)
        m_hi = index;
    else
        m_lo = index + 1;
    if (m_lo >= m_hi) {
        m_result = std::optional<QDate>(m_firstMonth.addMonths(m_hi));
        emit finished();
        return;
    }
    probe(m_lo + (m_hi - m_lo) / 2);
}

} // namespace openaps::ingest
