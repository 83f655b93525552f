#include "etl/etlservice.h"

#include "etl/etllog.h"
#include "etl/participantetl.h"
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
                       const QByteArray &secretKey, Options options, const Clock &clock, QObject *parent)
    : CycleService(database, parent),
      m_database(std::move(database)),
      m_nam(nam),
      m_options(std::move(options)),
      m_clock(clock),
      m_keys(secretKey, m_options.pseudonymKey),
      m_client(std::make_unique<oh::Client>(nam, std::move(settings), clock))
{
    if (m_options.tempDir.isEmpty())
        m_options.tempDir = QDir::temp().filePath(QStringLiteral("openaps-etl"));
    m_pool.setMaxThreadCount(m_options.concurrency);
    setUp(*m_client, secretKey,
          { QStringLiteral("etl"), jobs::LeaseStore::newHolderId(), m_options.leaseTtl, m_options.concurrency,
            m_options.interval, m_options.firstDelay, m_options.once, m_options.masterToken },
          clock);
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
    runPass(dueBefore, m_keys);
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
