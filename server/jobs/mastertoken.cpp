#include "jobs/mastertoken.h"

#include "core/config.h"
#include "db/sqlhelpers.h"
#include "jobs/jobslog.h"

#include <QCryptographicHash>
#include <QFile>

namespace openaps::jobs {

namespace {

QString stateName(MasterToken::State state)
{
    switch (state) {
    case MasterToken::State::Ok:
        return QStringLiteral("ok");
    case MasterToken::State::Expired:
        return QStringLiteral("expired");
    case MasterToken::State::Refused:
        return QStringLiteral("refused");
    }
    return {};
}

} // namespace

MasterToken::Setting MasterToken::Setting::fromConfig(const Config &config)
{
    const QString name = QStringLiteral("OH_MASTER_TOKEN");
    return Setting { config.value(name), config.valueFile(name) };
}

MasterToken::MasterToken(db::Database database, Setting setting, Clock clock)
    : m_database(std::move(database)),
      m_value(std::move(setting.value)),
      m_file(std::move(setting.file)),
      m_clock(std::move(clock))
{ }

std::shared_ptr<MasterToken> MasterToken::create(const db::Database &database, const Setting &setting, Clock clock)
{
    if (setting.value.isEmpty()) // an empty file counts as unset, as for every setting
        return {};
    return std::make_shared<MasterToken>(database, setting, std::move(clock));
}

QString MasterToken::current() const
{
    if (!m_file.isEmpty()) {
        QFile file(m_file);
        // A file that is being replaced may be missing for a moment: keep the last value.
        if (file.open(QIODevice::ReadOnly)) {
            const QString value = QString::fromUtf8(file.readAll()).trimmed();
            if (!value.isEmpty())
                m_value = value;
        }
    }
    return m_value;
}

void MasterToken::report(State state, int members)
{
    // A token is named in the log by nothing; a short hash tells a rotation apart.
    const QString token = current();
    const QString fingerprint = QString::fromLatin1(
            QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex().left(8));
    const QString logKey = stateName(state) + QLatin1Char(':') + fingerprint;
    if (logKey != m_loggedFor) {
        m_loggedFor = logKey;
        if (state == State::Expired)
            qCCritical(lcJobs,
                       "the Open Humans master token (OPENAPS_OH_MASTER_TOKEN) has EXPIRED: members who "
                       "never logged in here are neither loaded nor transferred until an operator makes a "
                       "new one on the project page and sets it (README, \"Master token\")");
        else if (state == State::Refused)
            qCCritical(lcJobs,
                       "Open Humans refuses the master token (OPENAPS_OH_MASTER_TOKEN): check that it is "
                       "this project's master access token");
        else
            qCInfo(lcJobs, "the Open Humans master token works: %d project members listed", members);
    }
    // One statement on both databases (SQLite 3.24+ and PostgreSQL share ON CONFLICT).
    const QString sql = QStringLiteral(
            "INSERT INTO oh_master_token_status (id, state, members, checked_ms) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET state = excluded.state, checked_ms = excluded.checked_ms, "
            "members = CASE WHEN excluded.state = 'ok' THEN excluded.members ELSE oh_master_token_status.members END");
    if (auto q = sql::exec(m_database, sql, { stateName(state), members, m_clock().toMSecsSinceEpoch() },
                           "recording the master token's state");
        !q)
        qCWarning(lcJobs, "%s", qPrintable(q.error().message));
}

Error MasterToken::reportError(const Error &error)
{
    if (error.code == QLatin1String("token-expired")) {
        report(State::Expired);
        return makeError("master-token-expired",
                         QStringLiteral("The Open Humans master token has expired; an operator must set a new one."));
    }
    if (error.code == QLatin1String("unauthorized")) {
        report(State::Refused);
        return makeError("master-token-refused", QStringLiteral("Open Humans refuses the master token."));
    }
    return error;
}

} // namespace openaps::jobs
