#include "ingest/ingestmetrics.h"

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
        m_data.recordsByType[etl::dataTypeName(it.key())] += it->added;
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

QString IngestMetrics::prometheusText() const
{
    const Snapshot s = snapshot();
    QString out;
    const auto header = [&out](const char *name, const char *type, const char *help) {
        out += QStringLiteral("# HELP %1 %2\n# TYPE %1 %3\n")
                       .arg(QLatin1String(name), QLatin1String(help), QLatin1String(type));
    };
    const auto sample = [&out](const char *name, const QString &labels, double value) {
        out += QLatin1String(name) + labels + QLatin1Char(' ') + QString::number(value, 'g', 15) + QLatin1Char('\n');
    };
    const auto label = [](const char *key, const QString &value) {
        return QStringLiteral("{%1=\"%2\"}").arg(QLatin1String(key), value);
    };
    header("openaps_ingest_cycles_total", "counter", "Ingest cycles finished.");
    sample("openaps_ingest_cycles_total", {}, s.cycles);
    header("openaps_ingest_participants_total", "counter", "Participant runs by outcome.");
    sample("openaps_ingest_participants_total", label("outcome", QStringLiteral("ok")), s.participantsOk);
    sample("openaps_ingest_participants_total", label("outcome", QStringLiteral("skipped")), s.participantsSkipped);
    sample("openaps_ingest_participants_total", label("outcome", QStringLiteral("failed")), s.participantsFailed);
    header("openaps_ingest_records_total", "counter", "Records written to Open Humans.");
    for (auto it = s.recordsByType.cbegin(); it != s.recordsByType.cend(); ++it)
        sample("openaps_ingest_records_total", label("type", it.key()), it.value());
    header("openaps_ingest_errors_total", "counter", "Participant runs that ended with an error class.");
    for (auto it = s.errorsByClass.cbegin(); it != s.errorsByClass.cend(); ++it)
        sample("openaps_ingest_errors_total", label("class", it.key()), it.value());
    header("openaps_ingest_nightscout_bytes_total", "counter", "Record bytes read from Nightscout.");
    sample("openaps_ingest_nightscout_bytes_total", {}, s.nightscoutBytes);
    header("openaps_ingest_openhumans_bytes_total", "counter", "Bytes moved to and from Open Humans.");
    sample("openaps_ingest_openhumans_bytes_total", label("direction", QStringLiteral("up")), s.openHumansBytesUp);
    sample("openaps_ingest_openhumans_bytes_total", label("direction", QStringLiteral("down")),
           s.openHumansBytesDown);
    header("openaps_ingest_last_cycle_seconds", "gauge", "Duration of the last cycle.");
    sample("openaps_ingest_last_cycle_seconds", {}, double(s.lastCycleMs) / 1000.0);
    return out;
}

} // namespace openaps::ingest
