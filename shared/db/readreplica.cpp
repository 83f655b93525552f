#include "db/readreplica.h"

#include "core/config.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QMutexLocker>
#include <QSqlError>
#include <QSqlQuery>

namespace openaps::db {

Q_LOGGING_CATEGORY(lcReplica, "openaps.shared.db.replica", QtInfoMsg)

namespace {

// Seconds the replica's replay is behind the primary, measured on the
// replica itself. Everything received has been replayed (or a WAL receiver
// that just started reports the start of its segment): nothing is missing.
// Otherwise the age of the last transaction replayed, which is what a
// reader misses at most. NULL when it cannot tell (no transaction replayed
// since the replica started, or no streaming at all). Not in recovery: the
// URL names a primary (or a promoted replica), which lags by nothing.
const char *const lagSql = "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
                           "WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() "
                           "AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver) THEN 0 "
                           "ELSE GREATEST(0, EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())) END";

QString seconds(double s)
{
    return QString::number(s, 'f', 1);
}

} // namespace

QString ReplicaState::healthName() const
{
    switch (health) {
    case Health::Unknown:
        return QStringLiteral("unknown");
    case Health::Ok:
        return QStringLiteral("ok");
    case Health::Lagging:
        return QStringLiteral("lagging");
    case Health::Down:
        return QStringLiteral("down");
    }
    return {};
}

ReadReplica::ReadReplica(Database replica, ReplicaPolicy policy) : m_replica(std::move(replica)), m_policy(policy) { }

Result<std::shared_ptr<ReadReplica>> ReadReplica::fromConfig(const Config &config)
{
    const QString text = config.value(QStringLiteral("DATABASE_READ_URL"));
    if (text.isEmpty())
        return std::shared_ptr<ReadReplica>();
    auto url = DatabaseUrl::parse(text);
    if (!url)
        return makeError("config", QStringLiteral("OPENAPS_DATABASE_READ_URL: %1").arg(url.error().message));
    if (url->backend != Backend::Postgres)
        return makeError("config", QStringLiteral("OPENAPS_DATABASE_READ_URL must be a postgresql:// URL."));
    ReplicaPolicy policy;
    policy.maxLag = Config::parseDuration(config.value(QStringLiteral("DATABASE_READ_MAX_LAG")))
                            .value_or(std::chrono::seconds(30));
    policy.fallback = config.value(QStringLiteral("DATABASE_READ_FALLBACK")) == QLatin1String("error")
            ? ReplicaFallback::Error
            : ReplicaFallback::Primary;
    return std::make_shared<ReadReplica>(Database(*url), policy);
}

ReplicaState ReadReplica::measure() const
{
    ReplicaState state;
    state.checkedAtMs = QDateTime::currentMSecsSinceEpoch();
    auto connection = m_replica.connection();
    if (!connection) {
        state.health = ReplicaState::Health::Down;
        state.problem = connection.error().message;
        return state;
    }
    QSqlQuery q(*connection);
    if (!q.exec(QString::fromLatin1(lagSql)) || !q.next()) {
        state.health = ReplicaState::Health::Down;
        state.problem = sqlErrorText(q.lastError());
        return state;
    }
    if (!q.value(0).isNull())
        state.lagSeconds = q.value(0).toDouble();
    const auto limit = double(m_policy.maxLag.count());
    if (state.lagSeconds && *state.lagSeconds <= limit) {
        state.health = ReplicaState::Health::Ok;
    } else {
        state.health = ReplicaState::Health::Lagging;
        state.problem = state.lagSeconds ? QStringLiteral("its replay is %1 s behind the primary (the limit is %2 s)")
                                                   .arg(seconds(*state.lagSeconds))
                                                   .arg(m_policy.maxLag.count())
                                         : QStringLiteral("it cannot tell how far its replay is behind the primary");
    }
    return state;
}

void ReadReplica::remember(const ReplicaState &state)
{
    QMutexLocker lock(&m_mutex);
    const ReplicaState::Health before = m_state.health;
    m_state = state;
    if (state.health == before)
        return;
    const QByteArray where = m_replica.url().display().toUtf8();
    if (state.health == ReplicaState::Health::Ok) {
        qCInfo(lcReplica, "the read replica %s serves exports, counts, cohort views and releases (%s s behind)",
               where.constData(), qPrintable(seconds(state.lagSeconds.value_or(0))));
        return;
    }
    const char *then = m_policy.fallback == ReplicaFallback::Primary
            ? "they read the primary until it is back"
            : "they answer 503 until it is back (OPENAPS_DATABASE_READ_FALLBACK=error)";
    qCWarning(lcReplica, "the read replica %s is %s (%s): %s", where.constData(),
              state.health == ReplicaState::Health::Down ? "down" : "lagging", qPrintable(state.problem), then);
}

ReplicaState ReadReplica::check()
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_state.health == ReplicaState::Health::Down
            && QDateTime::currentMSecsSinceEpoch() - m_state.checkedAtMs < m_policy.retryDown.count())
            return m_state;
    }
    ReplicaState state = measure();
    remember(state);
    return state;
}

ReplicaState ReadReplica::state() const
{
    QMutexLocker lock(&m_mutex);
    return m_state;
}

ReplicaReads ReadReplica::reads() const
{
    QMutexLocker lock(&m_mutex);
    return m_reads;
}

Result<Database> ReadReplica::route(const Database &primary)
{
    const ReplicaState state = check();
    QMutexLocker lock(&m_mutex);
    if (state.health == ReplicaState::Health::Ok) {
        ++m_reads.replica;
        return m_replica;
    }
    if (m_policy.fallback == ReplicaFallback::Primary) {
        ++m_reads.primary;
        return primary;
    }
    ++m_reads.refused;
    // Plain words for the researcher; the log has the details.
    if (state.health == ReplicaState::Health::Down)
        return makeError("replica-unavailable",
                         QStringLiteral("The database copy that serves downloads, counts and cohort views is not "
                                        "available at the moment. Please try again in a few minutes."));
    return makeError("replica-unavailable",
                     QStringLiteral("The database copy that serves downloads, counts and cohort views is behind the "
                                    "latest data by more than %1 seconds. Please try again in a few minutes.")
                             .arg(m_policy.maxLag.count()));
}

Result<Database> forReads(const Database &primary, const std::shared_ptr<ReadReplica> &replica)
{
    if (!replica)
        return primary;
    return replica->route(primary);
}

} // namespace openaps::db
