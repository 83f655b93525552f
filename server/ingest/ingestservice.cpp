#include "ingest/ingestservice.h"

#include "ingest/countingnam.h"
#include "ingest/errors.h"
#include "ingest/ingestlog.h"
#include "nightscout/addresspolicy.h"
#include "privacy/participantkeys.h"

namespace openaps::ingest {

void CycleSummary::add(const ParticipantReport &r)
{
    (r.outcome == RunRecord::Outcome::Ok ? ok : r.outcome == RunRecord::Outcome::Skipped ? skipped : failed)++;
    if (!r.errorCode.isEmpty())
        ++errors[r.errorCode];
    recordsAdded += r.recordsAdded();
    nightscoutBytes += r.nightscoutBytes();
    openHumansBytesUp += r.openHumansBytesUp();
    openHumansBytesDown += r.openHumansBytesDown();
}

QString CycleSummary::line() const
{
    QString text = QStringLiteral("ingest cycle participants=%1 ok=%2 skipped=%3 failed=%4 deferred=%5 "
                                  "records=%6 ns_bytes=%7 oh_up=%8 oh_down=%9")
                           .arg(participants)
                           .arg(ok)
                           .arg(skipped)
                           .arg(failed)
                           .arg(deferred)
                           .arg(recordsAdded)
                           .arg(nightscoutBytes)
                           .arg(openHumansBytesUp)
                           .arg(openHumansBytesDown);
    if (wireBytesSent >= 0)
        text += QStringLiteral(" wire_up=%1 wire_down=%2").arg(wireBytesSent).arg(wireBytesReceived);
    text += QStringLiteral(" duration_ms=%1").arg(durationMs);
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        text += QStringLiteral(" %1=%2").arg(it.key()).arg(it.value());
    return text;
}

IngestService::Options IngestService::optionsFromConfig(const Config &config)
{
    Options o;
    o.interval = config.duration(QStringLiteral("INGEST_INTERVAL"));
    o.concurrency = std::max(1, config.integer(QStringLiteral("INGEST_CONCURRENCY")));
    o.leaseTtl = config.duration(QStringLiteral("INGEST_LEASE_TTL"));
    o.participant.overlap = config.duration(QStringLiteral("INGEST_OVERLAP"));
    o.participant.secretKey = config.secretKey();
    o.participant.nightscout.addresses = ns::addressScope(config);
    o.masterToken = jobs::MasterToken::Setting::fromConfig(config);
    return o;
}

IngestService::Options IngestService::demoOptions(const QByteArray &secretKey)
{
    Options o;
    o.interval = std::chrono::minutes(1);
    o.firstDelay = std::chrono::seconds(2);
    o.participant.secretKey = secretKey;
    o.participant.nightscout.addresses = ns::AddressScope::AllowLoopback; // the demo's stand-ins
    return o;
}

IngestService::IngestService(db::Database database, QNetworkAccessManager *nam, oh::Settings settings, Options options,
                             QObject *parent)
    : CycleService(database, parent),
      m_nam(nam),
      m_options(std::move(options)),
      m_client(nam, std::move(settings), m_options.participant.clock),
      m_store(std::move(database))
{
    if (m_options.participant.holder.isEmpty())
        m_options.participant.holder = jobs::LeaseStore::newHolderId();
    setUp(m_client, m_options.participant.secretKey,
          { QStringLiteral("ingest"), m_options.participant.holder, m_options.leaseTtl, m_options.concurrency,
            m_options.interval, m_options.firstDelay, m_options.once, m_options.masterToken },
          m_options.participant.clock);
}

IngestService::~IngestService() = default;

void IngestService::runCycle(jobs::Scheduler::Done done)
{
    m_current = CycleSummary();
    m_cycleTimer.start();
    if (const auto *counting = qobject_cast<CountingNetworkAccessManager *>(m_nam)) {
        const auto total = counting->total();
        m_wireSentBefore = total.sent;
        m_wireReceivedBefore = total.received;
    }
    // Due unless some instance finished the participant within the last half
    // interval: instances share the work instead of each doing everyone.
    const QDateTime now = m_options.participant.clock();
    const QDateTime dueBefore = m_options.all ? now : now.addMSecs(-m_options.interval.count() / 2);
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(m_runner, &jobs::ParticipantRunner::finished, this, [this, done, connection] {
        disconnect(*connection);
        endCycle();
        done();
    });
    runPass(dueBefore, privacy::ParticipantKeys(m_options.participant.secretKey));
}

void IngestService::runParticipant(qint64 participantId, jobs::ParticipantRunner::Done done)
{
    ++m_current.participants;
    auto notBefore = m_store.notBefore(participantId);
    if (notBefore && notBefore->has_value() && **notBefore > m_options.participant.clock()) {
        ++m_current.deferred;
        done(true);
        return;
    }
    auto *run = new ParticipantIngest(m_nam, m_session, &m_store, &m_gate, m_options.participant, participantId, this);
    connect(run, &ParticipantIngest::finished, this, [this, run, done] {
        const ParticipantReport &r = run->report();
        m_metrics.addParticipant(r);
        m_current.add(r);
        run->deleteLater();
        done(r.outcome != RunRecord::Outcome::Failed);
    });
    run->start();
}

void IngestService::endCycle()
{
    m_current.durationMs = m_cycleTimer.elapsed();
    if (const auto *counting = qobject_cast<CountingNetworkAccessManager *>(m_nam)) {
        const auto total = counting->total();
        m_current.wireBytesSent = total.sent - m_wireSentBefore;
        m_current.wireBytesReceived = total.received - m_wireReceivedBefore;
    }
    if (!m_runner->stats().error.isEmpty())
        qCWarning(lcIngest, "the cycle stopped claiming participants early: %s", qPrintable(m_runner->stats().error));
    m_metrics.addCycle(m_current.durationMs, m_options.participant.clock());
    m_last = m_current;
    qCInfo(lcIngest, "%s", qPrintable(m_last.line()));
}

IngestService *startDemoIngest(const db::Database &database, QNetworkAccessManager *nam, const oh::Settings &settings,
                               const QByteArray &secretKey, QObject *parent)
{
    auto *service = new IngestService(database, nam, settings, IngestService::demoOptions(secretKey), parent);
    service->start();
    return service;
}

} // namespace openaps::ingest
