#pragma once

#include "http/prometheus.h"
#include "ingest/participantingest.h"

#include <QDateTime>
#include <QMap>
#include <QMutex>
#include <QString>

namespace openaps::ingest {

// Ingest counters since the process started, for a metrics endpoint: safe to
// read from any thread while the ingest writes them.
class IngestMetrics
{
public:
    struct Snapshot
    {
        qint64 cycles = 0;
        qint64 participantsOk = 0;
        qint64 participantsSkipped = 0; // no URL, consent none, backoff
        qint64 participantsFailed = 0;
        QMap<QString, qint64> recordsByType; // written to Open Humans
        QMap<QString, qint64> errorsByClass; // errors.h classes, skips included
        qint64 nightscoutBytes = 0;
        qint64 openHumansBytesUp = 0;
        qint64 openHumansBytesDown = 0;
        qint64 lastCycleMs = 0;
        QDateTime lastCycleEnd;
    };

    void addParticipant(const ParticipantReport &report);
    void addCycle(qint64 durationMs, const QDateTime &end);
    Snapshot snapshot() const;

    // Adds the openaps_ingest_* families to a /metrics answer.
    void addTo(http::PrometheusText &out) const;

private:
    mutable QMutex m_mutex;
    Snapshot m_data;
};

} // namespace openaps::ingest
