#pragma once

#include "core/config.h"
#include "db/database.h"
#include "jobs/cycleservice.h"
#include "openhumans/client.h"
#include "privacy/participantkeys.h"

#include <QObject>
#include <QThreadPool>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace openaps::etl {

// The scheduled Open Humans → research database ETL: every ETL_INTERVAL
// (jittered, never overlapping) one pass over the due participants, at most
// ETL_CONCURRENCY at a time, each under a lease (several instances may run
// it against one PostgreSQL), each a ParticipantEtl; then the demographics
// surveys when their CSV URLs are configured. `once` runs one cycle and
// stops (openaps-server etl --once).
//
// For `serve --roles ...,etl` the server creates one of these and starts it;
// stopped() fires only for `once` or after stop() (jobs::CycleService).
class EtlService final : public jobs::CycleService
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EtlService)

public:
    struct Options
    {
        std::chrono::milliseconds interval { std::chrono::hours(1) };
        int concurrency = 2;
        bool once = false;
        std::chrono::seconds leaseTtl { 600 };
        QList<QUrl> demographicsUrls;
        QString tempDir; // downloads are staged here (default: system temp)
        std::chrono::milliseconds firstDelay { 0 };
        QByteArray pseudonymKey; // OPENAPS_PSEUDONYM_KEY (privacy/participantkeys.h)
        jobs::MasterToken::Setting masterToken; // OPENAPS_OH_MASTER_TOKEN: every project member
        std::function<void()> beforeBatchCommit; // tests: inside each load batch, just before COMMIT
    };

    // Options from ETL_INTERVAL, ETL_CONCURRENCY, DEMOGRAPHICS_*_CSV_URL.
    static Options optionsFromConfig(const Config &config);

    EtlService(db::Database database, QNetworkAccessManager *nam, const Config &config, Options options,
               QObject *parent = nullptr);
    // With an injected clock (tests) and client settings.
    EtlService(db::Database database, QNetworkAccessManager *nam, oh::Settings settings, const QByteArray &secretKey,
               Options options, const Clock &clock, QObject *parent = nullptr);
    ~EtlService() override;

    // The last cycle's participant pass.
    const jobs::ParticipantRunner::Stats &lastPass() const { return m_runner->stats(); }

private:
    void runCycle(jobs::Scheduler::Done done) override;
    void runParticipant(qint64 participantId, jobs::ParticipantRunner::Done done) override;

    db::Database m_database;
    QNetworkAccessManager *m_nam;
    Options m_options;
    Clock m_clock;
    privacy::ParticipantKeys m_keys;
    std::unique_ptr<oh::Client> m_client;
    QThreadPool m_pool;
};

} // namespace openaps::etl
