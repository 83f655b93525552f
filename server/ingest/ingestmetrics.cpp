#include "ingest/ingestmetrics.h"

#include "records/datatype.h"

#include <QMutexLocker>

namespace openaps::ingest {

void IngestMetrics::addParticipant(const ParticipantReport &r)
{
    QMutexLocker lock(&m_mutex);
    switch (r.outcome) {
    case RunRecord::Outcome::Ok:
        ++m_data.participantsOk;
        break;
    case RunRecord::Outcome::Skipped:
        ++m_data.participantsSkipped;
        break;
    case RunRecord::Outcome::Failed:
        ++m_data.participantsFailed;
        break;
    }
    if (!r.errorCode.isEmpty())
        ++m_data.errorsByClass[r.errorCode];
    for (auto it = r.types.cbegin(); it != r.types.cend(); ++it)
        m_data.recordsByType[records::dataTypeName(it.key())] += it->added;
    m_data.nightscoutBytes += r.nightscoutBytes();
    m_data.openHumansBytesUp += r.openHumansBytesUp();
    m_data.openHumansBytesDown += r.openHumansBytesDown();
}

void IngestMetrics::addCycle(qint64 durationMs, const QDateTime &end)
{
    QMutexLocker lock(&m_mutex);
    ++m_data.cycles;
    m_data.lastCycleMs = durationMs;
    m_data.lastCycleEnd = end;
}

IngestMetrics::Snapshot IngestMetrics::snapshot() const
{
    QMutexLocker lock(&m_mutex);
    return m_data;
}

void IngestMetrics::addTo(http::PrometheusText &out) const
{
    const Snapshot s = snapshot();
    const auto label = [](const char *key, const QString &value) {
        return http::PrometheusText::Labels { { QLatin1String(key), value } };
    };
    out.family("openaps_ingest_cycles_total", "counter", "Ingest cycles finished.");
    out.sample("openaps_ingest_cycles_total", s.cycles);
    out.family("openaps_ingest_participants_total", "counter", "Participant runs by outcome.");
    out.sample("openaps_ingest_participants_total", s.participantsOk, label("outcome", QStringLiteral("ok")));
    out.sample("openaps_ingest_participants_total", s.participantsSkipped, label("outcome", QStringLiteral("skipped")));
    out.sample("openaps_ingest_participants_total", s.participantsFailed, label("outcome", QStringLiteral("failed")));
    out.family("openaps_ingest_records_total", "counter", "Records written to Open Humans.");
    for (auto it = s.recordsByType.cbegin(); it != s.recordsByType.cend(); ++it)
        out.sample("openaps_ingest_records_total", it.value(), label("type", it.key()));
    out.family("openaps_ingest_errors_total", "counter", "Participant runs that ended with an error class.");
    for (auto it = s.errorsByClass.cbegin(); it != s.errorsByClass.cend(); ++it)
        out.sample("openaps_ingest_errors_total", it.value(), label("class", it.key()));
    out.family("openaps_ingest_nightscout_bytes_total", "counter", "Record bytes read from Nightscout.");
    out.sample("openaps_ingest_nightscout_bytes_total", s.nightscoutBytes);
    out.family("openaps_ingest_openhumans_bytes_total", "counter", "Bytes moved to and from Open Humans.");
    out.sample("openaps_ingest_openhumans_bytes_total", s.openHumansBytesUp, label("direction", QStringLiteral("up")));
    out.sample("openaps_ingest_openhumans_bytes_total", s.openHumansBytesDown,
               label("direction", QStringLiteral("down")));
    out.family("openaps_ingest_last_cycle_seconds", "gauge", "Duration of the last cycle.");
    out.sample("openaps_ingest_last_cycle_seconds", double(s.lastCycleMs) / 1000.0);
}

} // namespace openaps::ingest
