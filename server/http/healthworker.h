#pragma once

#include "db/readreplica.h"
#include "http/healthcheck.h"

#include <QObject>
#include <QPointer>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <memory>

namespace openaps::http {

// HealthCheck's worker (in a header of its own, so moc compiles it apart).
// Lives on the check thread; its connection is that thread's own.
class HealthWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthWorker)

public:
    HealthWorker(db::Database database, std::chrono::milliseconds budget)
        : m_database(std::move(database)),
          m_budget(budget)
    { }

    void run()
    {
        HealthOutcome outcome;
        auto db = m_database.connection();
        if (!db) {
            outcome.problem = db.error().message;
            emit checked(outcome);
            return;
        }
        QSqlQuery q(*db);
        // A new session (first check, or after the server ended the old one):
        // let the server itself give up on a query that waits for a lock.
        if (m_database.isPostgres() && m_configured != db->driver()) {
            q.exec(QStringLiteral("SET statement_timeout = %1").arg(m_budget.count()));
            m_configured = db->driver();
        }
        // serve migrates before it listens: the table is always there.
        if (q.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) && q.next()) {
            outcome.databaseUp = true;
            outcome.schemaVersion = q.value(0).toInt();
            // Written by the ETL and ingest (jobs/mastertoken.h), whichever instance runs them.
            if (q.exec(QStringLiteral("SELECT state FROM oh_master_token_status")) && q.next())
                outcome.masterToken = q.value(0).toString();
        } else {
            outcome.problem = db::sqlErrorText(q.lastError());
        }
        emit checked(outcome);
    }

signals:
    void checked(const openaps::http::HealthOutcome &outcome);

private:
    db::Database m_database;
    std::chrono::milliseconds m_budget;
    QPointer<QSqlDriver> m_configured;
};

// Looks at the read replica on a thread of its own: a replica host that does
// not answer holds up this thread for its connect timeout, never the primary's
// check nor the event loop. The state it finds is kept by the ReadReplica.
class ReplicaProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReplicaProbe)

public:
    explicit ReplicaProbe(std::shared_ptr<db::ReadReplica> replica) : m_replica(std::move(replica)) { }

    void run()
    {
        (void)m_replica->check();
        emit done();
    }

signals:
    void done();

private:
    std::shared_ptr<db::ReadReplica> m_replica;
};

} // namespace openaps::http
