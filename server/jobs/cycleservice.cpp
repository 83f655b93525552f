#include "jobs/cycleservice.h"

#include "jobs/mastermembers.h"
#include "jobs/ohsession.h"
#include "privacy/participantkeys.h"

namespace openaps::jobs {

CycleService::CycleService(db::Database database, QObject *parent)
    : QObject(parent),
      m_database(std::move(database)) { }

CycleService::~CycleService() = default;

void CycleService::setUp(const oh::Client &client, const QByteArray &secretKey, const Setup &setup, const Clock &clock)
{
    m_client = &client;
    m_session = new OhSession(m_database, client, secretKey, clock, this);
    m_master = MasterToken::create(m_database, setup.masterToken, clock);
    m_session->setMasterToken(m_master);
    m_runner = new ParticipantRunner(
            LeaseStore(m_database, setup.job, setup.holder, setup.leaseTtl, clock), setup.concurrency,
            [this](qint64 participantId, ParticipantRunner::Done done) {
                runParticipant(participantId, std::move(done));
            },
            this);
    Scheduler::Options schedule;
    schedule.interval = setup.interval;
    schedule.firstDelay = setup.firstDelay;
    schedule.once = setup.once;
    m_scheduler = new Scheduler(
            setup.job, schedule, [this](Scheduler::Done done) { runCycle(std::move(done)); }, this);
    connect(m_scheduler, &Scheduler::cycleFinished, this, &CycleService::cycleFinished);
    connect(m_scheduler, &Scheduler::stopped, this, &CycleService::stopped);
}

void CycleService::runPass(const QDateTime &dueBefore, const privacy::ParticipantKeys &keys)
{
    if (!m_master)
        return m_runner->run(dueBefore);
    MasterMembers::sync(m_database, *m_client, m_master, keys, this,
                        [this, dueBefore](const Result<int> &) { m_runner->run(dueBefore); });
}

} // namespace openaps::jobs
