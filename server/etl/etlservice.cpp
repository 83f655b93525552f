#include "etl/etlservice.h"

#include "etl/etllog.h"
#include "etl/participantetl.h"
#include "jobs/mastermembers.h"
#include "jobs/ohsession.h"
#include "openhumans/client.h"
#include "survey/demographics.h"

#include <QDir>

namespace openaps::etl {

EtlService::Options EtlService::optionsFromConfig(const Config &config)
{
    Options o;
    o.interval = config.duration(QStringLiteral("ETL_INTERVAL"));
    o.concurrency = std::max(1, config.integer(QStringLiteral("ETL_CONCURRENCY")));
    for (const char *key : { "DEMOGRAPHICS_OPENAPS_CSV_URL", "DEMOGRAPHICS_NIGHTSCOUT_CSV_URL" }) {
        const QString url = config.value(QLatin1String(key));
        if (!url.isEmpty())
            o.demographicsUrls << QUrl(url);
    }
    o.tempDir = QDir(config.dataDir()).filePath(QStringLiteral("etl-downloads"));
    o.pseudonymKey = config.pseudonymKey();
    o.masterToken = jobs::MasterToken::Setting::fromConfig(config);
    return o;
}

EtlService::EtlService(db::Database database, QNetworkAccessManager *nam, const Config &config, Options options,
                       QObject *parent)
    : EtlService(std::move(database), nam, oh::Client::settingsFromConfig(config, QUrl()), config.secretKey(),
                 std::move(options), systemClock(), parent)
{ }

EtlService::EtlService(db::Database database, QNetworkAccessManager *nam, oh::Settings settings,
                       const QByteArray &secretKey, Options options, Clock clock, QObject *parent)
    : QObject(parent),
      m_database(database),
      m_nam(nam),
      m_options(std::move(options)),
      m_clock(clock),
      m_keys(secretKey, m_options.pseudonymKey),
      m_client(std::make_unique<oh::Client>(nam, std::move(settings), clock))
{
    if (m_options.tempDir.isEmpty())
        m_options.tempDir = QDir::temp().filePath(QStringLiteral("openaps-etl"));
    m_session = new jobs::OhSession(database, *m_client, secretKey, clock, this);
    m_master = jobs::MasterToken::create(database, m_options.masterToken, clock);
    m_session->setMasterToken(m_master);
    m_pool.setMaxThreadCount(m_options.concurrency);
    m_runner = new jobs::ParticipantRunner(
            jobs::LeaseStore(database, QStringLiteral("etl"), jobs::LeaseStore::newHolderId(), m_options.leaseTtl,
                             clock),
            m_options.concurrency,
            [this](qint64 participantId, jobs::ParticipantRunner::Done done) {
                runParticipant(participantId, std::move(done));
            },
            this);
    jobs::Scheduler::Options s;
    s.interval = m_options.interval;
    s.once = m_options.once;
    s.firstDelay = m_options.firstDelay;
    m_scheduler = new jobs::Scheduler(
            QStringLiteral("etl"), s, [this](jobs::Scheduler::Done done) { runCycle(std::move(done)); }, this);
    connect(m_scheduler, &jobs::Scheduler::cycleFinished, this, &EtlService::cycleFinished);
    connect(m_scheduler, &jobs::Scheduler::stopped, this, &EtlService::stopped);
}

EtlService::~EtlService()
{
    // Worker tasks call back into ParticipantEtl objects owned by this.
    m_pool.waitForDone();
}

void EtlService::runCycle(jobs::Scheduler::Done done)
{
    // A participant is due unless some instance finished it in this cycle
    // (--once) or within the last half interval (so that instances share
    // the work instead of each doing everyone).
    const QDateTime now = m_clock();
    const QDateTime dueBefore = m_options.once ? now : now.addMSecs(-m_options.interval.count() / 2);
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_runner, &jobs::ParticipantRunner::finished, this, [this, done, connection] {
        disconnect(*connection);
        if (m_options.demographicsUrls.isEmpty())
            return done();
        auto *import = new survey::DemographicsImport(m_database, m_nam, m_options.demographicsUrls, m_keys, this);
        connect(import, &survey::DemographicsImport::finished, this, [import, done] {
            import->deleteLater();
            done();
        });
        import->start();
    });
    if (!m_master)
        return m_runner->run(dueBefore);
    // Every project member first, so that those who never logged in here are in this pass.
    jobs::MasterMembers::sync(m_database, *m_client, m_master, m_keys, this,
                              [this, dueBefore](const Result<int> &) { m_runner->run(dueBefore); });
}

void EtlService::runParticipant(qint64 participantId, jobs::ParticipantRunner::Done done)
{
    auto *pass = new ParticipantEtl(
            { m_database, *m_client, m_session, &m_pool, m_options.tempDir, m_keys, m_options.beforeBatchCommit },
            participantId, this);
    connect(pass, &ParticipantEtl::finished, this, [pass, done] {
        const bool ok = pass->result().ok() && pass->result()->filesFailed == 0;
        pass->deleteLater();
        done(ok);
    });
    pass->start();
}

} // namespace openaps::etl
