#pragma once

#include "core/clock.h"
#include "db/database.h"
#include "jobs/mastertoken.h"
#include "jobs/participantrunner.h"
#include "jobs/scheduler.h"

#include <QObject>

#include <chrono>
#include <memory>

namespace openaps::oh {
class Client;
}
namespace openaps::privacy {
class ParticipantKeys;
}

namespace openaps::jobs {

class OhSession;

// What the scheduled ingest and the ETL have alike: cycles from a Scheduler
// named after the job (jittered, never overlapping); in each, a
// ParticipantRunner's pass over the due participants, each under a lease of
// the job; and the OhSession that gives their Open Humans tokens, with the
// master token (OPENAPS_OH_MASTER_TOKEN) when one is set. A service says
// what a cycle and one participant's run are.
//
// stopped() fires only for `once` or after stop().
class CycleService : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CycleService)

public:
    struct Setup
    {
        QString job; // "ingest", "etl": the scheduler's name and the leases' job
        QString holder; // this instance's lease holder id
        std::chrono::seconds leaseTtl { 600 };
        int concurrency = 1; // participants at a time
        std::chrono::milliseconds interval { std::chrono::hours(1) }; // between cycles (jittered)
        std::chrono::milliseconds firstDelay { 0 }; // before the first cycle
        bool once = false; // one cycle, then stopped()
        MasterToken::Setting masterToken; // OPENAPS_OH_MASTER_TOKEN
    };

    ~CycleService() override;

    void start() { m_scheduler->start(); }
    void stop() { m_scheduler->stop(); }
    Scheduler *scheduler() const { return m_scheduler; }
    // Null without a master token.
    MasterToken *masterToken() const { return m_master.get(); }

signals:
    void cycleFinished();
    void stopped();

protected:
    CycleService(db::Database database, QObject *parent);
    // From the service's constructor, once `client` (which must outlive
    // this) exists.
    void setUp(const oh::Client &client, const QByteArray &secretKey, const Setup &setup, const Clock &clock);
    // A cycle's pass over everyone due before `dueBefore` (the runner's
    // finished() follows); with a master token every project member is
    // listed first, so that those who never logged in here are in it.
    void runPass(const QDateTime &dueBefore, const privacy::ParticipantKeys &keys);

    virtual void runCycle(Scheduler::Done done) = 0;
    virtual void runParticipant(qint64 participantId, ParticipantRunner::Done done) = 0;

    OhSession *m_session = nullptr;
    ParticipantRunner *m_runner = nullptr;

private:
    db::Database m_database;
    const oh::Client *m_client = nullptr;
    std::shared_ptr<MasterToken> m_master;
    Scheduler *m_scheduler = nullptr;
};

} // namespace openaps::jobs
