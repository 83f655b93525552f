#pragma once

#include "core/config.h"
#include "db/database.h"
#include "ingest/hostgate.h"
#include "ingest/ingestmetrics.h"
#include "ingest/ingeststore.h"
#include "ingest/participantingest.h"
#include "jobs/cycleservice.h"

#include <QElapsedTimer>
#include <QObject>

#include <chrono>
#include <memory>

class QNetworkAccessManager;

namespace openaps::ingest {

// What one cycle did over all participants.
struct CycleSummary
{
    int participants = 0;
    int ok = 0;
    int skipped = 0; // no URL, no consent, consent none, deauthorised
    int failed = 0;
    int deferred = 0; // backing off after earlier failures
    qint64 recordsAdded = 0;
    qint64 nightscoutBytes = 0; // records as JSON
    qint64 openHumansBytesUp = 0; // file bodies
    qint64 openHumansBytesDown = 0;
    // Everything on the wire (bodies, listings, page overlaps, retries) when
    // the network manager is a CountingNetworkAccessManager, else -1.
    qint64 wireBytesSent = -1;
    qint64 wireBytesReceived = -1;
    qint64 durationMs = 0;
    QMap<QString, int> errors; // class → participants

    // Counts one participant run in.
    void add(const ParticipantReport &report);
    // "ingest cycle participants=... ok=... records=... duration_ms=..."
    QString line() const;
};

// The scheduled Nightscout → Open Humans ingest: every INGEST_INTERVAL
// (jittered, never overlapping: jobs::Scheduler) one pass over the due
// participants, at most INGEST_CONCURRENCY at a time and one request at a
// time per Nightscout host, each claimed through a lease (job "ingest") so
// several instances on one PostgreSQL never run the same participant, each a
// ParticipantIngest. A participant is due unless some instance finished it
// within the last half interval, and unless it is backing off.
class IngestService final : public jobs::CycleService
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IngestService)

public:
    struct Options
    {
        std::chrono::milliseconds interval { std::chrono::hours(1) };
        int concurrency = 4;
        bool once = false; // one cycle, then stopped()
        bool all = false; // --all: everyone, however recently ingested (backoff still holds)
        std::chrono::seconds leaseTtl { 600 };
        std::chrono::milliseconds firstDelay { 0 };
        jobs::MasterToken::Setting masterToken; // OPENAPS_OH_MASTER_TOKEN: every project member
        IngestSettings participant;
    };

    // From INGEST_INTERVAL, INGEST_CONCURRENCY, INGEST_OVERLAP, INGEST_LEASE_TTL, SECRET_KEY.
    static Options optionsFromConfig(const Config &config);
    // One-minute cycles, for `openaps-demo`.
    static Options demoOptions(const QByteArray &secretKey);

    IngestService(db::Database database, QNetworkAccessManager *nam, oh::Settings settings, Options options,
                  QObject *parent = nullptr);
    ~IngestService() override;

    const IngestMetrics &metrics() const { return m_metrics; }
    const CycleSummary &lastCycle() const { return m_last; }

private:
    void runCycle(jobs::Scheduler::Done done) override;
    void runParticipant(qint64 participantId, jobs::ParticipantRunner::Done done) override;
    void endCycle();

    QNetworkAccessManager *m_nam;
    Options m_options;
    oh::Client m_client;
    IngestStore m_store;
    HostGate m_gate;
    IngestMetrics m_metrics;
    CycleSummary m_current;
    CycleSummary m_last;
    qint64 m_wireSentBefore = 0;
    qint64 m_wireReceivedBefore = 0;
    QElapsedTimer m_cycleTimer;
};

// Starts the ingest for `openaps-demo`: cycles every minute against
// the stand-ins named by `settings`. The service is a child of `parent`.
IngestService *startDemoIngest(const db::Database &database, QNetworkAccessManager *nam, const oh::Settings &settings,
                               const QByteArray &secretKey, QObject *parent);

} // namespace openaps::ingest
